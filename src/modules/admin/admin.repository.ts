import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TransactionalConnection } from '../../database/transactional-connection.js';
import { TransactionTableFactory } from '../transactions/transaction-table.factory.js';
import { TransactionsRepository } from '../transactions/transactions.repository.js';
import { UnprocessableError } from '../../common/errors/domain-error.js';
import { AdminErrorCode } from '../../common/errors/error-codes.js';
import type { AdminColumn, AdminTable } from './admin-tables.js';

export type AdminRow = Record<string, unknown>;

/** One validated filter: `contains` is a case-insensitive substring; `never` matches nothing. */
export type Condition =
  | { column: AdminColumn; op: 'eq' | 'gte' | 'lte'; value: string | boolean }
  | { column: AdminColumn; op: 'contains'; value: string }
  | { op: 'never' };

export interface AuditEntry {
  adminId: number | null;
  adminEmail: string | null;
  action: string;
  resource?: string | null;
  recordId?: string | null;
  outcome: 'ok' | 'rejected' | 'failed';
  details?: Record<string, unknown>;
  ip?: string | null;
  requestId?: string | null;
}

export interface SystemTotalsRow {
  merchants: string;
  active_merchants: string;
  users: string;
  guest_users: string;
  today_from: Date;
  today_to: Date;
  today_transactions: string;
  today_sales_paise: string;
  open_bills: string;
  outstanding_paise: string;
}

/**
 * The columns of the admin's transactions resource that `transaction_index` carries, kept by the
 * merchant tables' row trigger in the writing transaction: every listed column, and what a page across
 * merchants can filter and sort on.
 */
const INDEXED_SALE_COLUMNS = new Set([
  'ref',
  'id',
  'merchant_id',
  'user_id',
  'guest_user_id',
  'amount',
  'type',
  'status',
  'paid',
  'occurred_at',
]);

/** A name from the admin table specs, checked and double-quoted (the specs are code, never input). */
function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Refusing identifier ${name}`);
  return `"${name}"`;
}

/** The SQL for a column: its expression when computed, else its quoted name. */
function expr(column: AdminColumn): string {
  return column.sql ? `(${column.sql})` : ident(column.name);
}

function selectList(table: AdminTable, only?: ReadonlySet<string>): string {
  return table.columns
    .filter((c) => c.kind !== 'password' && (!only || only.has(c.name)))
    .map((c) => (c.sql ? `${expr(c)} AS ${ident(c.name)}` : ident(c.name)))
    .join(', ');
}

function whereSql(conditions: readonly Condition[], params: unknown[]): string {
  if (!conditions.length) return '';
  const parts = conditions.map((c) => {
    if (c.op === 'never') return 'false';
    params.push(c.op === 'contains' ? `%${c.value.replace(/[\\%_]/g, (m) => `\\${m}`)}%` : c.value);
    const p = `$${params.length}`;
    if (c.op === 'contains') return `${expr(c.column)} ILIKE ${p}`;
    return `${expr(c.column)} ${c.op === 'eq' ? '=' : c.op === 'gte' ? '>=' : '<='} ${p}`;
  });
  return `WHERE ${parts.join(' AND ')}`;
}

/** `(k1, k2) = ($1, $2)` for one key, `IN (...)` for several; key parts are integer strings. */
function keySql(table: AdminTable, keys: readonly (readonly string[])[], params: unknown[]): string {
  const columns = table.key.map(ident);
  const tuples = keys.map((key) => {
    const placeholders = key.map((part) => {
      params.push(part);
      return `$${params.length}`;
    });
    return `(${placeholders.join(', ')})`;
  });
  return `(${columns.join(', ')}) IN (${tuples.join(', ')})`;
}

/**
 * The admin panel's SQL over the tables it shows (the admin accounts' own sign-in state is
 * AdminAccountsRepository's). Table and column names come only from the specs in admin-tables.ts; every
 * value is a bound parameter. Questions about sales go to TransactionsRepository, the owner of the
 * per-merchant tables.
 */
@Injectable()
export class AdminRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tables: TransactionTableFactory,
    private readonly transactions: TransactionsRepository,
    private readonly db: TransactionalConnection,
  ) {}

  async count(table: AdminTable, conditions: readonly Condition[]): Promise<number> {
    if (table.name === 'transactions') return this.countSales(conditions);
    const params: unknown[] = [];
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM ${ident(table.name)} ${whereSql(conditions, params)}`,
      params,
    );
    return Number(rows[0].n);
  }

  async find(
    table: AdminTable,
    conditions: readonly Condition[],
    sort: { column: AdminColumn; direction: 'asc' | 'desc' },
    limit: number,
    offset: number,
  ): Promise<AdminRow[]> {
    if (table.name === 'transactions') return this.findSales(table, conditions, sort, limit, offset);
    const params: unknown[] = [];
    const where = whereSql(conditions, params);
    const direction = sort.direction === 'asc' ? 'ASC' : 'DESC';
    const tieBreak = table.key.map((k) => `${ident(k)} ${direction}`).join(', ');
    params.push(limit, offset);
    return this.dataSource.query(
      `SELECT ${selectList(table)} FROM ${ident(table.name)} ${where}
        ORDER BY ${expr(sort.column)} ${direction} NULLS LAST, ${tieBreak}
        LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
  }

  findByKeys(table: AdminTable, keys: readonly (readonly string[])[]): Promise<AdminRow[]> {
    if (!keys.length) return Promise.resolve([]);
    if (table.name === 'transactions')
      return this.transactions.rowsByKeys(
        selectList(table),
        keys.map(([merchantId, id]) => ({ merchant_id: merchantId, id })),
      );
    const params: unknown[] = [];
    return this.dataSource.query(
      `SELECT ${selectList(table)} FROM ${ident(table.name)} WHERE ${keySql(table, keys, params)}`,
      params,
    );
  }

  /**
   * Sales across merchants are listed from `transaction_index` alone (merchant, id, buyer, amount,
   * type, status, paid, time: the list's columns), so a page reads no merchant's table; a record's
   * other columns are on its show page. A filter on anything else needs the merchant filter too, and
   * then reads that merchant's table alone.
   */
  private salesScope(conditions: readonly Condition[]): { merchantId?: number } {
    for (const c of conditions)
      if (c.op === 'eq' && c.column.name === 'merchant_id' && /^[1-9]\d{0,8}$/.test(String(c.value)))
        return { merchantId: Number(c.value) };
    const other = conditions.find((c) => c.op !== 'never' && !INDEXED_SALE_COLUMNS.has(c.column.name));
    if (other && other.op !== 'never')
      throw new UnprocessableError(
        AdminErrorCode.FilterNeedsMerchant,
        `Filter by merchant to filter transactions by ${other.column.label ?? other.column.name}.`,
      );
    return {};
  }

  private async countSales(conditions: readonly Condition[]): Promise<number> {
    const { merchantId } = this.salesScope(conditions);
    const params: unknown[] = [];
    const where = whereSql(conditions, params);
    return merchantId === undefined
      ? this.transactions.countAcrossMerchants(where, params)
      : this.transactions.countOfMerchant(merchantId, where, params);
  }

  private async findSales(
    table: AdminTable,
    conditions: readonly Condition[],
    sort: { column: AdminColumn; direction: 'asc' | 'desc' },
    limit: number,
    offset: number,
  ): Promise<AdminRow[]> {
    const { merchantId } = this.salesScope(conditions);
    const params: unknown[] = [];
    const where = whereSql(conditions, params);
    const direction = sort.direction === 'asc' ? 'ASC' : 'DESC';
    // Across merchants only indexed columns can order the page.
    const column =
      merchantId === undefined && !INDEXED_SALE_COLUMNS.has(sort.column.name)
        ? table.columns.find((c) => c.name === 'occurred_at')!
        : sort.column;
    // Ids are unique across merchants. Across merchants the sortable columns are NOT NULL in the index,
    // and the order is written exactly as its indexes run (time, id), so a page is read in order
    // from an index instead of sorting every shop's sales.
    const order =
      merchantId === undefined
        ? `${expr(column)} ${direction}, "id" ${direction}`
        : `${expr(column)} ${direction} NULLS LAST, "id" ${direction}`;
    return merchantId === undefined
      ? this.transactions.pageAcrossMerchants(
          selectList(table, INDEXED_SALE_COLUMNS),
          where,
          order,
          params,
          limit,
          offset,
        )
      : this.transactions.pageOfMerchant(merchantId, selectList(table), where, order, params, limit, offset);
  }

  /** Writes the given columns of one record; returns it as the admin sees it, or null if gone. */
  async update(
    manager: EntityManager,
    table: AdminTable,
    key: readonly string[],
    values: AdminRow,
  ): Promise<AdminRow | null> {
    if (!Object.keys(values).length) return (await this.findByKeys(table, [key]))[0] ?? null;
    const params: unknown[] = [];
    const sets = Object.entries(values).map(([column, value]) => {
      params.push(value);
      return `${ident(column)} = $${params.length}`;
    });
    if (table.touch) sets.push(`${ident(table.touch)} = now()`);
    const [rows] = (await manager.query(
      `UPDATE ${ident(table.name)} SET ${sets.join(', ')} WHERE ${keySql(table, [key], params)}
       RETURNING ${selectList(table)}`,
      params,
    )) as [AdminRow[], number];
    return rows[0] ?? null;
  }

  async insertAdmin(
    table: AdminTable,
    values: { name: string; email: string; is_active: boolean },
    passwordHash: string,
  ): Promise<AdminRow> {
    const rows: AdminRow[] = await this.dataSource.query(
      `INSERT INTO admins (name, email, is_active, password_hash) VALUES ($1, $2, $3, $4)
       RETURNING ${selectList(table)}`,
      [values.name, values.email, values.is_active, passwordHash],
    );
    return rows[0];
  }

  /** Signs an admin out of the panel everywhere, but for the panel session `keepSessionId`. */
  async endPanelSessions(manager: EntityManager, adminId: number, keepSessionId?: string): Promise<void> {
    await manager.query(
      `DELETE FROM admin_sessions WHERE sess -> 'adminUser' ->> 'id' = $1 AND ($2::text IS NULL OR sid <> $2)`,
      [String(adminId), keepSessionId ?? null],
    );
  }

  /** Locks every active admin row, so two admins deactivating each other cannot both succeed. */
  async lockActiveAdmins(manager: EntityManager): Promise<number[]> {
    const rows: { id: number }[] = await manager.query(
      `SELECT id FROM admins WHERE is_active ORDER BY id FOR UPDATE`,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Locks the merchant row for the rest of the caller's transaction. New sales for this merchant
   * check their foreign key with a KEY SHARE lock, which waits for this one: no sale can slip in
   * between the emptiness check and the delete.
   */
  async lockMerchant(manager: EntityManager, id: number): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM merchants WHERE id = $1 FOR UPDATE`, [id]);
    return rows.length > 0;
  }

  async lockUser(manager: EntityManager, id: number): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [id]);
    return rows.length > 0;
  }

  /** The guest's transaction link, or undefined when there is no such guest. */
  async lockGuest(
    manager: EntityManager,
    id: number,
  ): Promise<{ transaction_id: string | null } | undefined> {
    const rows: { transaction_id: string | null }[] = await manager.query(
      `SELECT transaction_id FROM guest_users WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0];
  }

  /** Whether the merchant has sales, asked inside the caller's transaction (after the row lock). */
  merchantHasTransactions(manager: EntityManager, id: number): Promise<boolean> {
    return this.db.join(manager, () => this.transactions.merchantHasSales(id));
  }

  userHasTransactions(manager: EntityManager, id: number): Promise<boolean> {
    return this.db.join(manager, () => this.transactions.userHasSales(id));
  }

  guestHasTransactions(manager: EntityManager, id: number): Promise<boolean> {
    return this.db.join(manager, () => this.transactions.guestHasSales(id));
  }

  /**
   * Deletes a merchant that has no sales: their refresh tokens, the row (its unused guests and
   * rollups go by cascade) and their empty table.
   */
  async deleteMerchant(manager: EntityManager, id: number): Promise<void> {
    await manager.query(`DELETE FROM refresh_tokens WHERE subject_role = 'merchant' AND subject_id = $1`, [
      id,
    ]);
    // The shop's staff go with it by cascade; their sessions go first.
    await manager.query(
      `DELETE FROM refresh_tokens WHERE subject_role = 'staff'
          AND subject_id IN (SELECT id FROM staff WHERE merchant_id = $1)`,
      [id],
    );
    await manager.query(`DELETE FROM merchants WHERE id = $1`, [id]);
    await this.tables.drop(manager, id);
  }

  async deleteUser(manager: EntityManager, id: number): Promise<void> {
    await manager.query(`DELETE FROM refresh_tokens WHERE subject_role = 'user' AND subject_id = $1`, [id]);
    await manager.query(`DELETE FROM users WHERE id = $1`, [id]);
  }

  async deleteGuest(manager: EntityManager, id: number): Promise<void> {
    await manager.query(`DELETE FROM guest_users WHERE id = $1`, [id]);
  }

  /**
   * System-wide totals for the admin dashboard. "Today" is the local day in `timeZone`; the sales
   * figures come from TransactionsRepository.
   */
  async systemTotals(timeZone: string): Promise<SystemTotalsRow> {
    const [today]: {
      merchants: string;
      active_merchants: string;
      users: string;
      guest_users: string;
      today_from: Date;
      today_to: Date;
    }[] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM merchants) AS merchants,
              (SELECT count(*) FROM merchants WHERE is_active) AS active_merchants,
              (SELECT count(*) FROM users) AS users,
              (SELECT count(*) FROM guest_users) AS guest_users,
              date_trunc('day', now() AT TIME ZONE $1) AT TIME ZONE $1 AS today_from,
              (date_trunc('day', now() AT TIME ZONE $1) + interval '1 day') AT TIME ZONE $1 AS today_to`,
      [timeZone],
    );
    return { ...today, ...(await this.transactions.systemSales(today.today_from, today.today_to)) };
  }

  async insertAudit(entry: AuditEntry): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO admin_audit_log
         (admin_id, admin_email, action, resource, record_id, outcome, details, ip, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        entry.adminId,
        entry.adminEmail,
        entry.action,
        entry.resource ?? null,
        entry.recordId ?? null,
        entry.outcome,
        JSON.stringify(entry.details ?? {}),
        entry.ip ?? null,
        entry.requestId ?? null,
      ],
    );
  }
}

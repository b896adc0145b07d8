import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ReadReplicas } from '../../database/read-replicas.js';
import { DataSource, EntityManager } from 'typeorm';
import type { PaymentMethod, TransactionStatus, TransactionType } from './dto/transaction-response.dto.js';
import { notBlockedSql, visibleShopsSql, type ShopRelation } from '../users/customer-shops.repository.js';
import { TransactionTableFactory } from './transaction-table.factory.js';

/** A transaction row as PostgreSQL returns it (bigints as strings). */
export interface TransactionRow {
  id: string;
  merchant_id: number;
  merchant_name: string | null;
  user_id: number | null;
  guest_user_id: number | null;
  amount_paise: string;
  type: TransactionType;
  status: TransactionStatus;
  paid_paise: string;
  description: string | null;
  payment_method: PaymentMethod | null;
  reference_number: string | null;
  client_id: string | null;
  seq: string;
  occurred_at: Date;
  created_at: Date;
  settled_at: Date | null;
  /** Customer reads only: the customer's relation to the shop (never 'blocked': those rows are hidden). */
  shop_relation?: ShopRelation;
  /** Writes only: the buyer's relation to the shop, for deciding what the customer's feed receives. */
  customer_relation?: ShopRelation | null;
}

/** A history row also carries its exact position for the keyset cursor. */
export interface HistoryRow extends TransactionRow {
  occurred_us: string;
}

const CURSOR_KEY = `(extract(epoch FROM t.occurred_at) * 1000000)::bigint::text AS occurred_us`;

export interface NewSale {
  merchantId: number;
  userId: number | null;
  /** Bind this existing unused guest; with `newGuest`, create one. */
  guestUserId: number | null;
  newGuest: boolean;
  amountPaise: number;
  type: TransactionType;
  description: string | null;
  paymentMethod: PaymentMethod | null;
  referenceNumber: string | null;
  clientId: string | null;
  occurredAt: Date | null;
}

export interface HistoryFilter {
  from?: Date;
  to?: Date;
  type?: TransactionType;
  status?: TransactionStatus;
  userId?: number;
  /** Keyset: strictly older than (occurred_at in epoch microseconds, id). */
  before?: { occurredUs: string; id: number };
  sinceSeq?: number;
  limit: number;
  offset?: number;
}

const COLUMNS = `t.id, t.merchant_id, t.user_id, t.guest_user_id, t.amount_paise, t.type, t.status, t.paid_paise,
  t.description, t.payment_method, t.reference_number, t.client_id, t.seq, t.occurred_at, t.created_at, t.settled_at`;

type Runner = DataSource | EntityManager;

function requireId(id: number, what: string): number {
  // An empty scope must never turn into an unscoped query.
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new TypeError(`A ${what} id is required, got ${String(id)}`);
  return id;
}

/**
 * Text a spreadsheet must not run: a cell starting with = + - @, a tab or a carriage return (or the
 * full-width ＝ ＋ － ＠, which some spreadsheets also read as formulas) gets a leading apostrophe,
 * so `=HYPERLINK(...)` in a customer's name stays text in the merchant's statement.
 */
function csvText(column: string): string {
  return `CASE WHEN ${column} ~ '^[=+@\t\r＝＋－＠-]' THEN '''' || ${column} ELSE ${column} END`;
}

/** Builds WHERE clauses with numbered parameters. */
class Where {
  readonly parts: string[] = [];
  constructor(readonly params: unknown[]) {}
  add(sql: (p: string) => string, value: unknown): void {
    this.params.push(value);
    this.parts.push(sql(`$${this.params.length}`));
  }
  get sql(): string {
    return this.parts.length ? `AND ${this.parts.join(' AND ')}` : '';
  }
}

function historyClauses(
  filter: HistoryFilter,
  params: unknown[],
): { where: string; order: string; page: string } {
  const w = new Where(params);
  if (filter.from) w.add((p) => `t.occurred_at >= ${p}`, filter.from);
  if (filter.to) w.add((p) => `t.occurred_at < ${p}`, filter.to);
  if (filter.type) w.add((p) => `t.type = ${p}`, filter.type);
  if (filter.status) w.add((p) => `t.status = ${p}`, filter.status);
  if (filter.userId) w.add((p) => `t.user_id = ${p}`, filter.userId);
  if (filter.sinceSeq !== undefined) w.add((p) => `t.seq > ${p}`, filter.sinceSeq);
  if (filter.before) {
    params.push(filter.before.occurredUs, filter.before.id);
    w.parts.push(
      `(t.occurred_at, t.id) < ('epoch'::timestamptz + $${params.length - 1}::bigint * interval '1 microsecond', $${params.length})`,
    );
  }
  params.push(filter.limit);
  let page = `LIMIT $${params.length}`;
  if (filter.offset) {
    params.push(filter.offset);
    page += ` OFFSET $${params.length}`;
  }
  const order = filter.sinceSeq !== undefined ? 't.seq ASC' : 't.occurred_at DESC, t.id DESC';
  return { where: w.sql, order, page };
}

/**
 * The only code that writes SQL for transactions, settlements, guests bound to sales, idempotency
 * keys and the customer→merchant links. A merchant's queries address their own table by name
 * (from TransactionTableFactory); a customer's read the parent, pruned to the merchants they bought from.
 */
@Injectable()
export class TransactionsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reads: ReadReplicas,
  ) {}

  /**
   * Records a sale in one statement: the guest (new or bound), the transaction row and the
   * customer→merchant link are written together, so no half of it can exist without the rest.
   * Returns undefined when the guest to bind is missing, foreign or already used, or when an
   * offline client's `client_id` was already recorded (the caller tells which).
   */
  async insertSale(runner: Runner, sale: NewSale): Promise<TransactionRow | undefined> {
    const table = TransactionTableFactory.quotedTableName(requireId(sale.merchantId, 'merchant'));
    const paid = sale.type === 'paid';
    const params: unknown[] = [
      sale.merchantId,
      sale.userId,
      sale.amountPaise,
      sale.type,
      paid ? 'paid' : 'due',
      paid ? sale.amountPaise : 0,
      sale.description,
      sale.paymentMethod,
      sale.referenceNumber,
      sale.clientId,
      sale.occurredAt,
      sale.guestUserId,
    ];
    const guest = sale.newGuest
      ? `g AS (INSERT INTO guest_users (merchant_id, transaction_id) SELECT $1, id FROM ids WHERE $12::integer IS NULL RETURNING id),`
      : sale.guestUserId
        ? `g AS (UPDATE guest_users SET transaction_id = ids.id FROM ids
                  WHERE guest_users.id = $12 AND guest_users.merchant_id = $1 AND guest_users.transaction_id IS NULL
                  RETURNING guest_users.id),`
        : `g AS (SELECT NULL::integer AS id WHERE $12::integer IS NULL),`;
    const rows: TransactionRow[] = await runner.query(
      // A customer who blocked this merchant gets no row at all (`ids` is empty): the caller answers
      // exactly as for a customer who does not exist.
      `WITH ids AS (SELECT nextval('transactions_id_seq') AS id
                     WHERE $2::integer IS NULL OR ${notBlockedSql('$2', '$1')}),
       ${guest}
       t AS (
         INSERT INTO ${table} AS t (id, merchant_id, user_id, guest_user_id, amount_paise, type, status, paid_paise,
                                    description, payment_method, reference_number, client_id, occurred_at, settled_at)
         SELECT ids.id, $1, $2, g.id, $3, $4, $5, $6, $7, $8, $9, $10,
                COALESCE($11::timestamptz, now()), CASE WHEN $6::bigint > 0 THEN COALESCE($11::timestamptz, now()) END
           FROM ids, g
         ON CONFLICT (merchant_id, client_id) DO NOTHING
         RETURNING ${COLUMNS}
       ),
       link AS (
         INSERT INTO customer_merchants (user_id, merchant_id, first_transaction_at, last_transaction_at, relation)
         SELECT user_id, merchant_id, occurred_at, occurred_at, 'pending' FROM t WHERE user_id IS NOT NULL
         ON CONFLICT (user_id, merchant_id) DO UPDATE
           SET first_transaction_at = LEAST(customer_merchants.first_transaction_at, EXCLUDED.first_transaction_at),
               last_transaction_at = GREATEST(customer_merchants.last_transaction_at, EXCLUDED.last_transaction_at)
         RETURNING relation
       )
       SELECT t.*, (SELECT business_name FROM merchants WHERE id = $1) AS merchant_name,
              (SELECT relation FROM link) AS customer_relation FROM t`,
      params,
    );
    return rows[0];
  }

  async findByClientId(merchantId: number, clientId: string): Promise<TransactionRow | undefined> {
    const table = TransactionTableFactory.quotedTableName(requireId(merchantId, 'merchant'));
    const rows: TransactionRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS}, m.business_name AS merchant_name
         FROM ${table} t JOIN merchants m ON m.id = t.merchant_id WHERE t.client_id = $1`,
      [clientId],
    );
    return rows[0];
  }

  /** One of the merchant's transactions, optionally locked for a settlement. */
  async findForMerchant(
    runner: Runner,
    merchantId: number,
    id: number,
    lock = false,
  ): Promise<TransactionRow | undefined> {
    const table = TransactionTableFactory.quotedTableName(requireId(merchantId, 'merchant'));
    const rows: TransactionRow[] = await runner.query(
      `SELECT ${COLUMNS}, (SELECT business_name FROM merchants WHERE id = t.merchant_id) AS merchant_name
         FROM ${table} t WHERE t.id = $1 ${lock ? 'FOR UPDATE OF t' : ''}`,
      [id],
    );
    return rows[0];
  }

  /** One of the customer's transactions, looked up only in the tables of merchants they bought from. */
  async findForUser(userId: number, id: number): Promise<TransactionRow | undefined> {
    const merchants = await this.merchantsOfUser(userId);
    if (!merchants.length) return undefined;
    const rows: TransactionRow[] = await this.dataSource.query(
      `WITH visible AS (${visibleShopsSql('$2')})
       SELECT ${COLUMNS}, m.business_name AS merchant_name, v.relation AS shop_relation
         FROM transactions t JOIN visible v ON v.merchant_id = t.merchant_id JOIN merchants m ON m.id = t.merchant_id
        WHERE t.merchant_id = ANY($1::int[]) AND t.user_id = $2 AND t.id = $3`,
      [merchants, userId, id],
    );
    return rows[0];
  }

  /** Applies a payment to a locked bill and records it; returns the updated row. */
  async applySettlement(
    manager: EntityManager,
    bill: TransactionRow,
    amountPaise: number,
    method: PaymentMethod,
    reference: string | null,
  ): Promise<TransactionRow> {
    const table = TransactionTableFactory.quotedTableName(requireId(bill.merchant_id, 'merchant'));
    const rows: TransactionRow[] = await manager.query(
      `WITH s AS (
         INSERT INTO settlements (merchant_id, transaction_id, amount_paise, payment_method, reference_number)
         VALUES ($1, $2, $3, $4, $5)
       ),
       t AS (
         UPDATE ${table} t
            SET paid_paise = t.paid_paise + $3,
                status = CASE WHEN t.paid_paise + $3 >= t.amount_paise THEN 'paid' ELSE 'partially_paid' END,
                settled_at = CASE WHEN t.paid_paise + $3 >= t.amount_paise THEN now() END,
                seq = nextval('transactions_change_seq')
          WHERE t.id = $2
          RETURNING ${COLUMNS}
       )
       SELECT t.*, (SELECT business_name FROM merchants WHERE id = $1) AS merchant_name,
              (SELECT relation FROM customer_merchants c WHERE c.user_id = t.user_id AND c.merchant_id = $1)
                AS customer_relation
         FROM t`,
      [bill.merchant_id, bill.id, amountPaise, method, reference],
    );
    return rows[0];
  }

  /** A page of the merchant's history, from their own table only. */
  historyForMerchant(merchantId: number, filter: HistoryFilter): Promise<HistoryRow[]> {
    const table = TransactionTableFactory.quotedTableName(requireId(merchantId, 'merchant'));
    const params: unknown[] = [merchantId];
    const { where, order, page } = historyClauses(filter, params);
    return this.reads.query(
      `SELECT ${COLUMNS}, ${CURSOR_KEY}, (SELECT business_name FROM merchants WHERE id = $1) AS merchant_name
         FROM ${table} t WHERE t.merchant_id = $1 ${where} ORDER BY ${order} ${page}`,
      params,
    );
  }

  /**
   * A page of the customer's history across the merchants they bought from (never every partition),
   * or at one of them (`merchantId`): the page is taken over the customer's own rows.
   */
  async historyForUser(userId: number, filter: HistoryFilter, merchantId?: number): Promise<HistoryRow[]> {
    const all = await this.merchantsOfUser(userId);
    const merchants = merchantId === undefined ? all : all.filter((m) => m === merchantId);
    if (!merchants.length) return [];
    const params: unknown[] = [merchants, requireId(userId, 'user')];
    const { where, order, page } = historyClauses({ ...filter, userId: undefined }, params);
    return this.reads.query(
      `WITH visible AS (${visibleShopsSql('$2')})
       SELECT ${COLUMNS}, ${CURSOR_KEY}, m.business_name AS merchant_name, v.relation AS shop_relation
         FROM transactions t JOIN visible v ON v.merchant_id = t.merchant_id JOIN merchants m ON m.id = t.merchant_id
        WHERE t.merchant_id = ANY($1::int[]) AND t.user_id = $2 ${where} ORDER BY ${order} ${page}`,
      params,
    );
  }

  /** The merchants a customer has bought from and not blocked: the partitions their views read. */
  async merchantsOfUser(userId: number): Promise<number[]> {
    const rows: { merchant_id: number }[] = await this.dataSource.query(visibleShopsSql('$1'), [
      requireId(userId, 'user'),
    ]);
    return rows.map((r) => r.merchant_id);
  }

  async analytics(merchantId: number, since: Date) {
    const table = TransactionTableFactory.quotedTableName(requireId(merchantId, 'merchant'));
    const rows: { count: number; amount: string; paid: string }[] = await this.reads.query(
      `SELECT count(*)::int AS count, COALESCE(sum(amount_paise), 0)::text AS amount,
              COALESCE(sum(paid_paise), 0)::text AS paid
         FROM ${table} WHERE occurred_at >= $1`,
      [since],
    );
    return { count: rows[0].count, amountPaise: Number(rows[0].amount), paidPaise: Number(rows[0].paid) };
  }

  /** Name and phone of the registered buyers among `userIds`, for a merchant's history. */
  async buyers(userIds: number[]): Promise<Map<number, { name: string; phone: string }>> {
    if (!userIds.length) return new Map();
    const rows: { id: number; name: string; phone: string }[] = await this.dataSource.query(
      `SELECT id, name, phone FROM users WHERE id = ANY($1::int[])`,
      [[...new Set(userIds)]],
    );
    return new Map(rows.map((r) => [r.id, { name: r.name, phone: r.phone }]));
  }

  async userExists(runner: Runner, userId: number): Promise<boolean> {
    const rows: unknown[] = await runner.query(`SELECT 1 FROM users WHERE id = $1`, [userId]);
    return rows.length > 0;
  }

  /** Why a guest could not be bound: missing or another merchant's (undefined), or already used. */
  async guestState(merchantId: number, guestId: number): Promise<'missing' | 'used' | 'free'> {
    const rows: { transaction_id: string | null }[] = await this.dataSource.query(
      `SELECT transaction_id FROM guest_users WHERE id = $1 AND merchant_id = $2`,
      [guestId, requireId(merchantId, 'merchant')],
    );
    if (!rows.length) return 'missing';
    return rows[0].transaction_id === null ? 'free' : 'used';
  }

  /** The SQL text of the merchant's statement, for COPY (values validated and quoted by the caller). */
  exportSql(merchantId: number, fromLiteral: string, toLiteral: string): string {
    const table = TransactionTableFactory.quotedTableName(requireId(merchantId, 'merchant'));
    return `COPY (
      SELECT t.id, to_char(t.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS occurred_at,
             to_char(t.occurred_at AT TIME ZONE m.timezone, 'YYYY-MM-DD HH24:MI:SS') AS local_time,
             t.type, t.status, (t.amount_paise / 100.0)::numeric(14, 2) AS amount,
             (t.paid_paise / 100.0)::numeric(14, 2) AS paid, ((t.amount_paise - t.paid_paise) / 100.0)::numeric(14, 2) AS due,
             CASE WHEN t.user_id IS NOT NULL THEN 'customer' ELSE 'guest' END AS buyer,
             t.user_id, ${csvText('u.name')} AS customer_name, t.guest_user_id, t.payment_method,
             ${csvText('t.reference_number')} AS reference_number, ${csvText('t.description')} AS description
        FROM ${table} t JOIN merchants m ON m.id = t.merchant_id LEFT JOIN users u ON u.id = t.user_id
       WHERE t.occurred_at >= ${fromLiteral}::timestamptz AND t.occurred_at < ${toLiteral}::timestamptz
       ORDER BY t.occurred_at, t.id
    ) TO STDOUT WITH (FORMAT csv, HEADER true)`;
  }
}

/** Stored responses of idempotent POSTs, scoped to the caller and kept 72 hours. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims the key for this database transaction without waiting: false means another request with
   * the same key is in flight right now.
   */
  async tryClaim(manager: EntityManager, scope: string, key: string): Promise<boolean> {
    const rows: { claimed: boolean }[] = await manager.query(
      `SELECT pg_try_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 0)) AS claimed`,
      [scope, key],
    );
    return rows[0].claimed;
  }

  async find(
    manager: EntityManager,
    scope: string,
    key: string,
  ): Promise<{ request_hash: string; response_status: number; response_body: unknown } | undefined> {
    const rows = await manager.query(
      `SELECT request_hash, response_status, response_body FROM idempotency_keys
        WHERE scope = $1 AND key = $2 AND created_at > now() - interval '72 hours'`,
      [scope, key],
    );
    return rows[0];
  }

  async store(
    manager: EntityManager,
    scope: string,
    key: string,
    hash: string,
    status: number,
    body: unknown,
  ) {
    await manager.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, response_status = EXCLUDED.response_status,
             response_body = EXCLUDED.response_body, created_at = now()`,
      [scope, key, hash, status, JSON.stringify(body)],
    );
  }

  async purgeExpired(): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE created_at <= now() - interval '72 hours' RETURNING 1`,
    );
    return rows.length;
  }
}

import { Injectable } from '@nestjs/common';
import { TransactionalConnection } from '../../database/transactional-connection.js';
import type { PaymentMethod } from '../transactions/dto/transaction-response.dto.js';
import { notBlockedSql, visibleShopsSql } from '../users/customer-shops.repository.js';

/** A customer account as PostgreSQL returns it (bigints as strings). */
export interface AccountRow {
  id: string;
  merchant_id: number;
  user_id: number | null;
  guest_user_id: number | null;
  /** The registered customer's name and phone (guests have none). */
  name: string | null;
  phone: string | null;
  due_paise: string;
  advance_paise: string;
  last_sale_at: Date | null;
  last_payment_at: Date | null;
  created_at: Date;
  entry_count: number;
  /** Customer reads only: the shop's name. */
  merchant_name?: string | null;
}

export const ENTRY_KINDS = ['sale_credit', 'sale_paid', 'payment', 'void', 'payment_reversal'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface EntryRow {
  account_id: string;
  entry_no: number;
  kind: EntryKind;
  occurred_at: Date;
  recorded_at: Date;
  transaction_id: string | null;
  payment_id: string | null;
  amount_paise: string;
  balance_paise: string;
  description: string | null;
  recorded_by: number | null;
}

export interface NewEntry {
  kind: EntryKind;
  occurredAt: Date;
  transactionId: number | string | null;
  paymentId: number | string | null;
  amountPaise: number;
  description: string | null;
  recordedBy: number | null;
}

export interface PaymentRow {
  id: string;
  merchant_id: number;
  account_id: string;
  amount_paise: string;
  unallocated_paise: string;
  payment_method: PaymentMethod;
  reference_number: string | null;
  note: string | null;
  recorded_by: number | null;
  created_at: Date;
}

export interface AllocationRow {
  payment_id: string;
  transaction_id: string;
  amount_paise: string;
  created_at: Date;
}

export interface Buyer {
  userId: number | null;
  guestUserId: number | null;
}

/** The list's keyset: after (due, id) in (due DESC, id ASC) order. */
export interface AccountsCursor {
  due: string;
  id: string;
}

const ACCOUNT_COLUMNS = `a.id, a.merchant_id, a.user_id, a.guest_user_id, a.due_paise, a.advance_paise,
  a.last_sale_at, a.last_payment_at, a.created_at, a.entry_count`;
const WITH_BUYER = `${ACCOUNT_COLUMNS}, u.name, u.phone`;

/**
 * The part of a sale's own INSERT statement (TransactionsRepository.insertSale) that puts the sale on
 * its buyer's account: the account created on the buyer's first sale at this shop or locked and moved
 * (a credit sale adds to what is due), and its ledger entry with the running balance. `sale` names the
 * CTE that inserted the sale, `recordedBy` the bind parameter of who recorded it. The account is locked
 * while the statement runs, before the merchant table's AFTER triggers lock the dashboard rollups: the
 * order every khata writer keeps (account first), so a sale and a settle of one customer never
 * deadlock. A credit sale that finds an advance on the account is then paid from it by
 * AccountsService.onSale, in the same transaction.
 */
export function saleOnAccountSql(sale: string, buyer: 'user' | 'guest', recordedBy: string): string {
  const target = buyer === 'user' ? '(merchant_id, user_id)' : '(merchant_id, guest_user_id)';
  return `sale_account AS (
         INSERT INTO customer_accounts AS a (merchant_id, user_id, guest_user_id, last_sale_at, due_paise, entry_count)
         SELECT s.merchant_id, s.user_id, s.guest_user_id, s.occurred_at,
                CASE WHEN s.type = 'pay_later' THEN s.amount_paise ELSE 0 END, 1
           FROM ${sale} s
         ON CONFLICT ${target} DO UPDATE
           SET last_sale_at = GREATEST(a.last_sale_at, EXCLUDED.last_sale_at),
               due_paise = a.due_paise + EXCLUDED.due_paise,
               entry_count = a.entry_count + 1
         RETURNING a.id, a.merchant_id, a.due_paise, a.advance_paise, a.entry_count
       ),
       sale_entry AS (
         INSERT INTO account_entries (account_id, entry_no, merchant_id, kind, occurred_at, transaction_id,
                                      payment_id, amount_paise, balance_paise, description, recorded_by)
         SELECT a.id, a.entry_count, a.merchant_id, CASE WHEN s.type = 'pay_later' THEN 'sale_credit' ELSE 'sale_paid' END,
                s.occurred_at, s.id, NULL, CASE WHEN s.type = 'pay_later' THEN s.amount_paise ELSE 0 END,
                a.due_paise - a.advance_paise, s.description, ${recordedBy}::integer
           FROM sale_account a, ${sale} s
       )`;
}

function requireId(id: number | string, what: string): number | string {
  // An empty scope must never turn into an unscoped query.
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n <= 0) throw new TypeError(`A ${what} id is required, got ${String(id)}`);
  return id;
}

/**
 * The khata's own tables: accounts, their ledger entries, payments on account and the audit trail of
 * corrections (a sale's rows themselves are the transactions module's). Every account change is made
 * under the account's row lock, taken by a sale's own statement ({@link saleOnAccountSql}), {@link lock} or {@link lockByBuyer}.
 */
@Injectable()
export class AccountsRepository {
  constructor(private readonly db: TransactionalConnection) {}

  /** The merchant's account, with the registered buyer's name and phone. */
  async forMerchant(merchantId: number, accountId: number): Promise<AccountRow | undefined> {
    const rows: AccountRow[] = await this.db.query(
      `SELECT ${WITH_BUYER} FROM customer_accounts a LEFT JOIN users u ON u.id = a.user_id
        WHERE a.merchant_id = $1 AND a.id = $2`,
      [requireId(merchantId, 'merchant'), accountId],
    );
    return rows[0];
  }

  /** The customer's own account at a shop they have not blocked. */
  async forCustomer(userId: number, merchantId: number): Promise<AccountRow | undefined> {
    const rows: AccountRow[] = await this.db.query(
      `WITH visible AS (${visibleShopsSql('$1')})
       SELECT ${WITH_BUYER}, m.business_name AS merchant_name
         FROM customer_accounts a JOIN visible v ON v.merchant_id = a.merchant_id
         JOIN users u ON u.id = a.user_id JOIN merchants m ON m.id = a.merchant_id
        WHERE a.user_id = $1 AND a.merchant_id = $2`,
      [requireId(userId, 'user'), requireId(merchantId, 'merchant')],
    );
    return rows[0];
  }

  /** The customer's accounts at every shop they have not blocked, the largest due first. */
  customerAccounts(userId: number): Promise<AccountRow[]> {
    return this.db.read(
      `WITH visible AS (${visibleShopsSql('$1')})
       SELECT ${WITH_BUYER}, m.business_name AS merchant_name
         FROM customer_accounts a JOIN visible v ON v.merchant_id = a.merchant_id
         JOIN users u ON u.id = a.user_id JOIN merchants m ON m.id = a.merchant_id
        WHERE a.user_id = $1
        ORDER BY a.due_paise DESC, a.merchant_id`,
      [requireId(userId, 'user')],
    );
  }

  /**
   * A page of the merchant's accounts by due (largest first), then id; `q` matches the registered
   * buyer's name or phone. A customer who blocked the shop stays in the shop's book (the money is
   * real), as the shop's history keeps their sales.
   */
  list(merchantId: number, q: string | undefined, after: AccountsCursor | undefined, limit: number) {
    const params: unknown[] = [requireId(merchantId, 'merchant'), limit];
    let where = '';
    if (q) {
      params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where += ` AND (u.name ILIKE $${params.length} OR u.phone LIKE $${params.length})`;
    }
    if (after) {
      params.push(after.due, after.id);
      where += ` AND (a.due_paise < $${params.length - 1}::bigint
                  OR (a.due_paise = $${params.length - 1}::bigint AND a.id > $${params.length}::bigint))`;
    }
    return this.db.read<AccountRow[]>(
      `SELECT ${WITH_BUYER} FROM customer_accounts a LEFT JOIN users u ON u.id = a.user_id
        WHERE a.merchant_id = $1 ${where}
        ORDER BY a.due_paise DESC, a.id
        LIMIT $2`,
      params,
    );
  }

  /** Builds the accounts of the merchant's buyers who have none (see khata_backfill_accounts). */
  async backfill(merchantId: number): Promise<void> {
    await this.db.query(`SELECT khata_backfill_accounts($1)`, [requireId(merchantId, 'merchant')]);
  }

  /** The merchant's account, locked for the caller's transaction. */
  async lock(merchantId: number, accountId: number | string): Promise<AccountRow | undefined> {
    const rows: AccountRow[] = await this.db.query(
      `SELECT ${ACCOUNT_COLUMNS}, NULL::text AS name, NULL::text AS phone FROM customer_accounts a
        WHERE a.merchant_id = $1 AND a.id = $2 FOR UPDATE`,
      [requireId(merchantId, 'merchant'), accountId],
    );
    return rows[0];
  }

  /** The buyer's account at this merchant, locked (undefined when they have none). */
  async lockByBuyer(merchantId: number, buyer: Buyer): Promise<AccountRow | undefined> {
    const rows: AccountRow[] = await this.db.query(
      `SELECT ${ACCOUNT_COLUMNS}, NULL::text AS name, NULL::text AS phone FROM customer_accounts a
        WHERE a.merchant_id = $1 AND ${buyer.userId !== null ? 'a.user_id = $2' : 'a.guest_user_id = $2'}
        FOR UPDATE`,
      [requireId(merchantId, 'merchant'), requireId(buyer.userId ?? buyer.guestUserId ?? 0, 'buyer')],
    );
    return rows[0];
  }

  /**
   * Moves a locked account's due and advance and writes its next ledger entry, whose running balance
   * is the account's net balance afterwards, in one statement.
   */
  async change(
    account: AccountRow,
    duePaise: number,
    advancePaise: number,
    entry: NewEntry | null,
    paidAt: Date | null = null,
  ): Promise<{ account: AccountRow; entry: EntryRow | null }> {
    const rows: (AccountRow & { entry: EntryRow | null })[] = await this.db.query(
      `WITH a AS (
         UPDATE customer_accounts a
            SET due_paise = a.due_paise + $3, advance_paise = a.advance_paise + $4,
                entry_count = a.entry_count + CASE WHEN $5::text IS NULL THEN 0 ELSE 1 END,
                last_payment_at = COALESCE(GREATEST(a.last_payment_at, $12::timestamptz), a.last_payment_at)
          WHERE a.merchant_id = $1 AND a.id = $2
          RETURNING ${ACCOUNT_COLUMNS}
       ),
       e AS (
         INSERT INTO account_entries (account_id, entry_no, merchant_id, kind, occurred_at, transaction_id,
                                      payment_id, amount_paise, balance_paise, description, recorded_by)
         SELECT a.id, a.entry_count, a.merchant_id, $5, $6, $7, $8, $9, a.due_paise - a.advance_paise, $10, $11
           FROM a WHERE $5::text IS NOT NULL
         RETURNING *
       )
       SELECT a.*, NULL::text AS name, NULL::text AS phone,
              (SELECT to_jsonb(e) FROM e) AS entry FROM a`,
      [
        account.merchant_id,
        account.id,
        duePaise,
        advancePaise,
        entry?.kind ?? null,
        entry?.occurredAt ?? null,
        entry?.transactionId ?? null,
        entry?.paymentId ?? null,
        entry?.amountPaise ?? 0,
        entry?.description ?? null,
        entry?.recordedBy ?? null,
        paidAt,
      ],
    );
    const { entry: written, ...row } = rows[0];
    return { account: row, entry: written ? reviveEntry(written) : null };
  }

  async insertPayment(
    account: AccountRow,
    p: {
      amountPaise: number;
      method: PaymentMethod;
      reference: string | null;
      note: string | null;
      recordedBy: number | null;
    },
  ): Promise<PaymentRow> {
    const rows: PaymentRow[] = await this.db.query(
      `INSERT INTO account_payments (merchant_id, account_id, amount_paise, unallocated_paise, payment_method,
                                     reference_number, note, recorded_by, created_at)
       VALUES ($1, $2, $3, $3, $4, $5, $6, $7, clock_timestamp())
       RETURNING *`,
      [account.merchant_id, account.id, p.amountPaise, p.method, p.reference, p.note, p.recordedBy],
    );
    return rows[0];
  }

  /** Moves money of a payment between "applied to bills" and "held as advance" (+ more unallocated). */
  async addUnallocated(paymentId: number | string, deltaPaise: number): Promise<void> {
    await this.db.query(
      `UPDATE account_payments SET unallocated_paise = unallocated_paise + $2 WHERE id = $1`,
      [paymentId, deltaPaise],
    );
  }

  /** The payments holding the account's advance, oldest first (under the account's lock). */
  advancePayments(accountId: number | string): Promise<PaymentRow[]> {
    return this.db.query(
      `SELECT * FROM account_payments WHERE account_id = $1 AND unallocated_paise > 0 ORDER BY id`,
      [accountId],
    );
  }

  /** What each payment applied to these bills of the merchant, oldest first. */
  allocationsOf(merchantId: number, transactionIds: (number | string)[]): Promise<AllocationRow[]> {
    if (!transactionIds.length) return Promise.resolve([]);
    return this.db.query(
      `SELECT payment_id, transaction_id, amount_paise, created_at FROM settlements
        WHERE merchant_id = $1 AND transaction_id = ANY($2::bigint[]) AND payment_id IS NOT NULL
        ORDER BY id`,
      [requireId(merchantId, 'merchant'), transactionIds],
    );
  }

  /** The payment's applications to bills, oldest first. */
  allocationsOfPayment(paymentId: number | string): Promise<AllocationRow[]> {
    return this.db.query(
      `SELECT payment_id, transaction_id, amount_paise, created_at FROM settlements
        WHERE payment_id = $1 ORDER BY id`,
      [paymentId],
    );
  }

  /**
   * Takes back what payments had applied to a voided bill: its settlements are deleted (the rollups
   * follow by trigger) and each payment's share returns to its unallocated money. Returns the total.
   */
  async releaseAllocations(merchantId: number, transactionId: number | string): Promise<number> {
    const rows: { total: string | null }[] = await this.db.query(
      `WITH s AS (
         DELETE FROM settlements WHERE merchant_id = $1 AND transaction_id = $2 AND payment_id IS NOT NULL
         RETURNING payment_id, amount_paise
       ),
       p AS (
         UPDATE account_payments p SET unallocated_paise = p.unallocated_paise + x.amount
           FROM (SELECT payment_id, sum(amount_paise) AS amount FROM s GROUP BY payment_id) x
          WHERE p.id = x.payment_id
       )
       SELECT sum(amount_paise)::text AS total FROM s`,
      [requireId(merchantId, 'merchant'), transactionId],
    );
    return Number(rows[0]?.total ?? 0);
  }

  /** The balance after the account's last entry recorded before `at` (0 before the first). */
  async balanceBefore(accountId: number | string, at: Date): Promise<number> {
    const rows: { balance_paise: string }[] = await this.db.read(
      `SELECT balance_paise FROM account_entries WHERE account_id = $1 AND recorded_at < $2
        ORDER BY recorded_at DESC, entry_no DESC LIMIT 1`,
      [accountId, at],
    );
    return Number(rows[0]?.balance_paise ?? 0);
  }

  /** A page of the account's entries in order, after entry `afterNo`, recorded in [from, to). */
  entries(
    accountId: number | string,
    range: { from?: Date; to?: Date; afterNo?: number },
    limit: number,
  ): Promise<EntryRow[]> {
    return this.db.read(
      `SELECT * FROM account_entries
        WHERE account_id = $1 AND entry_no > $2
          AND ($3::timestamptz IS NULL OR recorded_at >= $3) AND ($4::timestamptz IS NULL OR recorded_at < $4)
        ORDER BY entry_no LIMIT $5`,
      [accountId, range.afterNo ?? 0, range.from ?? null, range.to ?? null, limit],
    );
  }

  /** Whether the merchant's buyer (a customer who has not blocked them) exists: ids are not probed. */
  async customerVisibleTo(merchantId: number, userId: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM users WHERE id = $2 AND ${notBlockedSql('$2', '$1')}`,
      [requireId(merchantId, 'merchant'), userId],
    );
    return rows.length > 0;
  }

  async addAudit(a: {
    merchantId: number;
    transactionId: number | string;
    action: 'void' | 'edit' | 'replacement';
    reason: string | null;
    recordedBy: number | null;
    details: Record<string, unknown>;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO khata_audit (merchant_id, transaction_id, action, reason, recorded_by, details)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        requireId(a.merchantId, 'merchant'),
        a.transactionId,
        a.action,
        a.reason,
        a.recordedBy,
        JSON.stringify(a.details),
      ],
    );
  }

  audit(merchantId: number, transactionId: number): Promise<AuditRow[]> {
    return this.db.query(
      `SELECT id, transaction_id, action, reason, recorded_by, details, at FROM khata_audit
        WHERE merchant_id = $1 AND transaction_id = $2 ORDER BY id`,
      [requireId(merchantId, 'merchant'), transactionId],
    );
  }
}

export interface AuditRow {
  id: string;
  transaction_id: string;
  action: 'void' | 'edit' | 'replacement';
  reason: string | null;
  recorded_by: number | null;
  details: Record<string, unknown>;
  at: Date;
}

/** An entry read back through `to_jsonb`: its times are text. */
function reviveEntry(e: EntryRow): EntryRow {
  return {
    ...e,
    occurred_at: new Date(e.occurred_at),
    recorded_at: new Date(e.recorded_at),
    transaction_id: e.transaction_id === null ? null : String(e.transaction_id),
    payment_id: e.payment_id === null ? null : String(e.payment_id),
    amount_paise: String(e.amount_paise),
    balance_paise: String(e.balance_paise),
  };
}

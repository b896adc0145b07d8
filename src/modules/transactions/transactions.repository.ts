import { NotFoundError } from '../../common/errors/domain-error.js';
import { Injectable } from '@nestjs/common';
import { TransactionalConnection } from '../../database/transactional-connection.js';
import type { LineItem } from './calculation.js';
import type { PaymentMethod, TransactionStatus, TransactionType } from './dto/transaction-response.dto.js';
import { notBlockedSql, visibleShopsSql, type ShopRelation } from '../users/customer-shops.repository.js';
import { merchantTable } from './transaction-table.factory.js';
import { saleOnAccountSql } from '../khata/accounts.repository.js';

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
  /** The calculator's lines, as recorded (null for a sale without them). */
  items: LineItem[] | null;
  /** The calculator's arithmetic, as typed (null for a sale without it). */
  calculation: string | null;
  /** The staff member who recorded the sale; null for the shop's owner. */
  recorded_by: number | null;
  voided_at: Date | null;
  voided_by: number | null;
  void_reason: string | null;
  /** The sale this one corrects (an edit). */
  replaces: string | null;
  /** Customer reads only: the customer's relation to the shop (never 'blocked': those rows are hidden). */
  shop_relation?: ShopRelation;
  /** Writes only: the buyer's relation to the shop, for deciding what the customer's feed receives. */
  customer_relation?: ShopRelation | null;
  /** Inserts only: the merchant's previous sale when this one looks like a double tap of it. */
  possible_duplicate_of?: string | null;
  /** Inserts only: the buyer's khata account the sale went on, and the advance it holds after it. */
  account_id?: string;
  account_advance_paise?: string;
}

/** A history row also carries its exact position for the keyset cursor. */
export interface HistoryRow extends TransactionRow {
  occurred_us: string;
}

export interface TopCustomerRow {
  user_id: number | null;
  guest_user_id: number | null;
  name: string | null;
  phone: string | null;
  amount_paise: string;
  purchases: string;
  last_transaction_at: Date;
}

export interface PeriodSpendRow {
  merchant_id: number;
  week_paise: string;
  week_count: string;
  month_paise: string;
  month_count: string;
}

export interface BucketSpendRow {
  bucket: number;
  merchant_id: number;
  amount_paise: string;
  paid_paise: string;
  purchases: string;
  last_transaction_id: string;
  last_transaction_at: Date;
}

/** What a customer paid per local day (`YYYY-MM-DD`), in paise. */
export interface DaySpendRow {
  day: string;
  paid_paise: string;
}

/** A guest with the fields of the sale it is bound to (all null while unused). */
export interface GuestRow {
  id: number;
  merchant_id: number;
  transaction_id: string | null;
  created_at: Date;
  amount_paise: string | null;
  type: string | null;
  status: string | null;
  description: string | null;
  payment_method: string | null;
  occurred_at: Date | null;
}

export interface SystemSalesRow {
  today_transactions: string;
  today_sales_paise: string;
  open_bills: string;
  outstanding_paise: string;
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
  items: LineItem[] | null;
  calculation: string | null;
  /** The staff member recording it (null or absent: the shop's owner). */
  recordedBy?: number | null;
  /** The sale this one corrects (an edit). */
  replaces?: number | null;
}

/**
 * A sale this close after the merchant's previous one, to the same buyer with the same amount and
 * items, is answered as a possible double tap.
 */
export const DOUBLE_TAP_WINDOW_SECONDS = 10;

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

/**
 * The columns of a merchant table (`transaction_template`), in order: the one list every query
 * selects, checked against the database by the repository's medium test.
 */
export const TRANSACTION_COLUMNS = [
  'id',
  'merchant_id',
  'user_id',
  'guest_user_id',
  'amount_paise',
  'type',
  'status',
  'paid_paise',
  'description',
  'payment_method',
  'reference_number',
  'client_id',
  'seq',
  'occurred_at',
  'created_at',
  'settled_at',
  'recorded_by',
  'voided_at',
  'voided_by',
  'void_reason',
  'replaces',
  'items',
  'calculation',
] as const satisfies readonly (keyof TransactionRow)[];

/** Up to this many sales (by the planner's statistics) an unfiltered count across merchants is exact. */
export const EXACT_COUNT_UP_TO = 100_000;

const COLUMNS = TRANSACTION_COLUMNS.map((c) => `t.${c}`).join(', ');

/** The plain column list of a merchant table, for the branches of a UNION ALL over several tables. */
const PLAIN_COLUMNS = TRANSACTION_COLUMNS.join(', ');

/** One row of a page of a customer's sales, as the index gives it: where it lives and how it is seen. */
interface CustomerKey {
  merchant_id: number;
  id: string;
  relation: ShopRelation;
}

/** Transaction ids grouped by merchant, each merchant id checked. */
function byMerchant(rows: { merchantId: number; transactionId: number }[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const r of rows) {
    const ids = out.get(requireId(r.merchantId, 'merchant')) ?? [];
    ids.push(r.transactionId);
    out.set(r.merchantId, ids);
  }
  return out;
}

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
 * The one door to the per-merchant tables `transaction_<merchant_id>`: every query that reads or
 * writes a merchant's table is here (the dashboards, guests, admin and seeds ask this repository),
 * along with settlements, guests bound to sales and the customer→merchant links. Idempotency keys
 * are {@link IdempotencyRepository}'s. A merchant's queries address their own table by name; a
 * customer's read the customer's own rows of `transaction_index` (maintained by the tables' row
 * trigger in the writing transaction), and a page of bills or history then reads that page's rows
 * from its merchants' tables only.
 */
@Injectable()
export class TransactionsRepository {
  constructor(private readonly db: TransactionalConnection) {}

  /**
   * Records a sale in one statement: the guest (new or bound), the transaction row, the
   * customer→merchant link and the sale on the buyer's khata account with its ledger entry
   * (saleOnAccountSql) are written together, so no half of it can exist without the rest.
   * The same statement reads the merchant's previous sale (one probe of the time index; the
   * statement's snapshot never shows it the row it inserts) and returns its id as
   * `possible_duplicate_of` when it is a double tap: within {@link DOUBLE_TAP_WINDOW_SECONDS} seconds
   * before this one, the same buyer (the same customer, or a walk-in guest when this sale is for a
   * new guest), the same amount and the same items. Returns undefined when the guest to bind is missing, foreign or already used, or when an
   * offline client's `client_id` was already recorded (the caller tells which).
   */
  async insertSale(sale: NewSale): Promise<TransactionRow | undefined> {
    const table = merchantTable(requireId(sale.merchantId, 'merchant'));
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
      sale.items === null ? null : JSON.stringify(sale.items),
      sale.calculation,
      sale.recordedBy ?? null,
      sale.replaces ?? null,
    ];
    const sameBuyer = sale.newGuest
      ? 'p.guest_user_id IS NOT NULL'
      : sale.userId !== null
        ? 'p.user_id = t.user_id'
        : 'false';
    const guest = sale.newGuest
      ? `g AS (INSERT INTO guest_users (merchant_id, transaction_id) SELECT $1, id FROM ids WHERE $12::integer IS NULL RETURNING id),`
      : sale.guestUserId
        ? `g AS (UPDATE guest_users SET transaction_id = ids.id FROM ids
                  WHERE guest_users.id = $12 AND guest_users.merchant_id = $1 AND guest_users.transaction_id IS NULL
                  RETURNING guest_users.id),`
        : `g AS (SELECT NULL::integer AS id WHERE $12::integer IS NULL),`;
    const rows: TransactionRow[] = await this.db.query(
      // A customer who blocked this merchant gets no row at all (`ids` is empty): the caller answers
      // exactly as for a customer who does not exist.
      // No foreign keys lead from a merchant table: the merchant's row and the customer's are locked
      // FOR KEY SHARE here instead, so a concurrent delete of either waits for this sale (and then
      // finds it) or wins (and this sale finds nobody and writes nothing).
      `WITH m AS (SELECT id FROM merchants WHERE id = $1 FOR KEY SHARE),
       u AS (SELECT id FROM users WHERE id = $2::integer FOR KEY SHARE),
       ids AS (SELECT nextval('transactions_id_seq') AS id FROM m
                WHERE $2::integer IS NULL OR (EXISTS (SELECT 1 FROM u) AND ${notBlockedSql('$2', '$1')})),
       ${guest}
       t AS (
         INSERT INTO ${table} AS t (id, merchant_id, user_id, guest_user_id, amount_paise, type, status, paid_paise,
                                    description, payment_method, reference_number, client_id, occurred_at, settled_at,
                                    items, calculation, recorded_by, replaces)
         SELECT ids.id, $1, $2, g.id, $3, $4, $5, $6, $7, $8, $9, $10,
                COALESCE($11::timestamptz, now()), CASE WHEN $6::bigint > 0 THEN COALESCE($11::timestamptz, now()) END,
                $13::jsonb, $14, $15::integer, $16::bigint
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
       ),
       ${saleOnAccountSql('t', sale.userId !== null ? 'user' : 'guest', '$15')},
       p AS (
         SELECT p.id, p.user_id, p.guest_user_id, p.amount_paise, p.items FROM ${table} p
          WHERE p.merchant_id = $1 AND p.voided_at IS NULL
            AND p.occurred_at <= COALESCE($11::timestamptz, now())
            AND p.occurred_at >= COALESCE($11::timestamptz, now()) - interval '${DOUBLE_TAP_WINDOW_SECONDS} seconds'
          ORDER BY p.occurred_at DESC, p.id DESC LIMIT 1
       )
       SELECT t.*, (SELECT business_name FROM merchants WHERE id = $1) AS merchant_name,
              (SELECT relation FROM link) AS customer_relation,
              (SELECT p.id FROM p WHERE p.amount_paise = t.amount_paise AND p.items IS NOT DISTINCT FROM t.items
                  AND ${sameBuyer}) AS possible_duplicate_of,
              a.id AS account_id, a.advance_paise AS account_advance_paise
         FROM t, sale_account a`,
      params,
    );
    return rows[0];
  }

  /** Holds the merchant's offline `client_id` for the rest of the caller's transaction. */
  async lockClientId(merchantId: number, clientId: string): Promise<void> {
    await this.db.query(`SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 1))`, [
      `transaction:${requireId(merchantId, 'merchant')}`,
      clientId,
    ]);
  }

  async findByClientId(merchantId: number, clientId: string): Promise<TransactionRow | undefined> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    const rows: TransactionRow[] = await this.db.query(
      `SELECT ${COLUMNS}, m.business_name AS merchant_name
         FROM ${table} t JOIN merchants m ON m.id = t.merchant_id WHERE t.client_id = $1`,
      [clientId],
    );
    return rows[0];
  }

  /** One of the merchant's transactions, optionally locked for a settlement. */
  /** The start of the local day that holds `at`, in the merchant's own time zone. */
  async localDayStart(merchantId: number, at: Date): Promise<Date> {
    const rows: { start: Date }[] = await this.db.query(
      `SELECT (date_trunc('day', $2::timestamptz AT TIME ZONE m.timezone) AT TIME ZONE m.timezone) AS start
         FROM merchants m WHERE m.id = $1`,
      [requireId(merchantId, 'merchant'), at],
    );
    if (!rows[0]) throw new NotFoundError('Merchant');
    return rows[0].start;
  }

  async findForMerchant(merchantId: number, id: number, lock = false): Promise<TransactionRow | undefined> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    const rows: TransactionRow[] = await this.db.query(
      `SELECT ${COLUMNS}, (SELECT business_name FROM merchants WHERE id = t.merchant_id) AS merchant_name
         FROM ${table} t WHERE t.id = $1 ${lock ? 'FOR UPDATE OF t' : ''}`,
      [id],
    );
    return rows[0];
  }

  /**
   * A buyer's open bills at this merchant, oldest first (the khata's allocation order), locked for
   * the caller's transaction; voided sales are never open. Pages by (occurred_at, id) after `after`.
   */
  async openBillsOf(
    merchantId: number,
    buyer: { userId: number | null; guestUserId: number | null },
    limit: number,
    after?: { occurredAt: Date; id: string },
  ): Promise<TransactionRow[]> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    const column = buyer.userId !== null ? 'user_id' : 'guest_user_id';
    const id = requireId(buyer.userId ?? buyer.guestUserId ?? 0, 'buyer');
    return this.db.query(
      `SELECT ${COLUMNS}, NULL::text AS merchant_name FROM ${table} t
        WHERE t.${column} = $1 AND t.status <> 'paid' AND t.type = 'pay_later' AND t.voided_at IS NULL
          ${column === 'user_id' ? 'AND t.merchant_id = $4' : 'AND $4::integer IS NOT NULL'}
          AND ($2::timestamptz IS NULL OR (t.occurred_at, t.id) > ($2::timestamptz, $3::bigint))
        ORDER BY t.occurred_at, t.id
        LIMIT $5
        FOR UPDATE OF t`,
      [id, after?.occurredAt ?? null, after?.id ?? null, merchantId, limit],
    );
  }

  /** One of the customer's transactions: the index says which merchant's table holds it. */
  async findForUser(userId: number, id: number): Promise<TransactionRow | undefined> {
    const keys: { merchant_id: number }[] = await this.db.query(
      `SELECT merchant_id FROM transaction_index WHERE id = $1 AND user_id = $2`,
      [id, requireId(userId, 'user')],
    );
    if (!keys.length) return undefined;
    const table = merchantTable(keys[0].merchant_id);
    const rows: TransactionRow[] = await this.db.query(
      `WITH visible AS (${visibleShopsSql('$1')})
       SELECT ${COLUMNS}, m.business_name AS merchant_name, v.relation AS shop_relation
         FROM ${table} t JOIN visible v ON v.merchant_id = t.merchant_id JOIN merchants m ON m.id = t.merchant_id
        WHERE t.user_id = $1 AND t.id = $2`,
      [userId, id],
    );
    return rows[0];
  }

  /**
   * Applies (part of) a payment to a locked bill and records it as a settlement of that payment;
   * returns the updated row.
   */
  async applySettlement(
    bill: TransactionRow,
    amountPaise: number,
    method: PaymentMethod,
    reference: string | null,
    paymentId: number | string | null = null,
  ): Promise<TransactionRow> {
    const table = merchantTable(requireId(bill.merchant_id, 'merchant'));
    const rows: TransactionRow[] = await this.db.query(
      `WITH s AS (
         INSERT INTO settlements (merchant_id, transaction_id, amount_paise, payment_method, reference_number, payment_id)
         VALUES ($1, $2, $3, $4, $5, $6)
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
      [bill.merchant_id, bill.id, amountPaise, method, reference, paymentId],
    );
    return rows[0];
  }

  /** The calculator's lines of these sales of the merchant, by sale id (sales without lines absent). */
  async itemsOf(merchantId: number, ids: number[]): Promise<Map<number, LineItem[]>> {
    if (!ids.length) return new Map();
    const rows: { id: string; items: LineItem[] }[] = await this.db.read(
      `SELECT id::text AS id, items FROM ${merchantTable(requireId(merchantId, 'merchant'))}
        WHERE id = ANY($1::bigint[]) AND items IS NOT NULL`,
      [ids],
    );
    return new Map(rows.map((r) => [Number(r.id), r.items]));
  }

  /**
   * Marks a locked sale voided (who, when, why). A pay-later bill keeps nothing paid (its payments'
   * money was released by the caller); the sale then leaves the dashboards' rollups, exactly as its
   * row now stands.
   */
  async voidSale(sale: TransactionRow, voidedBy: number | null, reason: string): Promise<TransactionRow> {
    const table = merchantTable(requireId(sale.merchant_id, 'merchant'));
    const rows: TransactionRow[] = await this.db.query(
      `WITH t AS (
         UPDATE ${table} t
            SET voided_at = clock_timestamp(), voided_by = $2, void_reason = $3,
                paid_paise = CASE WHEN t.type = 'pay_later' THEN 0 ELSE t.paid_paise END,
                status = CASE WHEN t.type = 'pay_later' THEN 'due' ELSE t.status END,
                settled_at = CASE WHEN t.type = 'pay_later' THEN NULL ELSE t.settled_at END,
                seq = nextval('transactions_change_seq')
          WHERE t.id = $1 AND t.voided_at IS NULL
          RETURNING ${COLUMNS}
       )
       SELECT t.*, (SELECT business_name FROM merchants WHERE id = t.merchant_id) AS merchant_name,
              (SELECT relation FROM customer_merchants c WHERE c.user_id = t.user_id AND c.merchant_id = t.merchant_id)
                AS customer_relation
         FROM t`,
      [sale.id, voidedBy, reason],
    );
    const row = rows[0];
    // The customer's views read transaction_index: a voided sale leaves them too.
    await this.db.query(`UPDATE transaction_index SET voided_at = $2 WHERE id = $1`, [row.id, row.voided_at]);
    await this.db.query(
      `SELECT dashboard_apply_sale($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, -1)
        WHERE current_setting('graminstore.rollups', true) IS DISTINCT FROM 'off'`,
      [
        row.merchant_id,
        row.id,
        row.user_id,
        row.guest_user_id,
        row.amount_paise,
        row.type,
        row.status,
        row.paid_paise,
        row.payment_method,
        row.occurred_at,
      ],
    );
    return row;
  }

  /** A page of the merchant's history, from their own table only. */
  historyForMerchant(merchantId: number, filter: HistoryFilter): Promise<HistoryRow[]> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    const params: unknown[] = [merchantId];
    const { where, order, page } = historyClauses(filter, params);
    return this.db.read(
      `SELECT ${COLUMNS}, ${CURSOR_KEY}, (SELECT business_name FROM merchants WHERE id = $1) AS merchant_name
         FROM ${table} t WHERE t.merchant_id = $1 ${where} ORDER BY ${order} ${page}`,
      params,
    );
  }

  /**
   * A page of the customer's history across the shops they bought from and have not blocked, or at
   * one of them (`merchantId`). The page's keys come from the customer's own rows of
   * `transaction_index` (filtered, sorted and cut there), then the rows from those keys' tables only.
   */
  async historyForUser(userId: number, filter: HistoryFilter, merchantId?: number): Promise<HistoryRow[]> {
    const params: unknown[] = [requireId(userId, 'user')];
    const shop = merchantId === undefined ? '' : `AND t.merchant_id = $${params.push(merchantId)}`;
    const { where, order, page } = historyClauses({ ...filter, userId: undefined }, params);
    const keys: CustomerKey[] = await this.db.read(
      `WITH visible AS (${visibleShopsSql('$1')})
       SELECT t.merchant_id, t.id::text AS id, v.relation
         FROM transaction_index t JOIN visible v ON v.merchant_id = t.merchant_id
        WHERE t.user_id = $1 AND t.voided_at IS NULL ${shop} ${where} ORDER BY ${order} ${page}`,
      params,
    );
    return this.customerRowsByKeys<HistoryRow>(userId, keys, true);
  }

  /**
   * The customer's sales named by `keys`, in the keys' order, each from its merchant's table (one
   * UNION ALL branch per merchant of the page, never more), with the shop's name and the customer's
   * relation to it. A key whose row is gone is left out.
   */
  private async customerRowsByKeys<T extends TransactionRow>(
    userId: number,
    keys: readonly CustomerKey[],
    cursor: boolean,
  ): Promise<T[]> {
    if (!keys.length) return [];
    const ids = new Map<number, string[]>();
    for (const k of keys) {
      const list = ids.get(k.merchant_id) ?? [];
      list.push(k.id);
      ids.set(k.merchant_id, list);
    }
    const params: unknown[] = [requireId(userId, 'user')];
    const branches = [...ids].map(
      ([merchantId, list]) =>
        `SELECT ${PLAIN_COLUMNS} FROM ${merchantTable(requireId(merchantId, 'merchant'))}
          WHERE id = ANY($${params.push(list)}::bigint[]) AND user_id = $1`,
    );
    const rows: T[] = await this.db.read(
      `SELECT ${COLUMNS}${cursor ? `, ${CURSOR_KEY}` : ''}, m.business_name AS merchant_name
         FROM (${branches.join(' UNION ALL ')}) t JOIN merchants m ON m.id = t.merchant_id`,
      params,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return keys.flatMap((k) => {
      const row = byId.get(k.id);
      return row ? [{ ...row, shop_relation: k.relation }] : [];
    });
  }

  async analytics(merchantId: number, since: Date) {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    const rows: { count: number; amount: string; paid: string }[] = await this.db.read(
      `SELECT count(*)::int AS count, COALESCE(sum(amount_paise), 0)::text AS amount,
              COALESCE(sum(paid_paise), 0)::text AS paid
         FROM ${table} WHERE occurred_at >= $1 AND voided_at IS NULL`,
      [since],
    );
    return { count: rows[0].count, amountPaise: Number(rows[0].amount), paidPaise: Number(rows[0].paid) };
  }

  /** Name and phone of the registered buyers among `userIds`, for a merchant's history. */
  async buyers(userIds: number[]): Promise<Map<number, { name: string; phone: string }>> {
    if (!userIds.length) return new Map();
    const rows: { id: number; name: string; phone: string }[] = await this.db.query(
      `SELECT id, name, phone FROM users WHERE id = ANY($1::int[])`,
      [[...new Set(userIds)]],
    );
    return new Map(rows.map((r) => [r.id, { name: r.name, phone: r.phone }]));
  }

  /** Whether a customer account with this id exists (a sale for anyone else is refused). */
  async customerExists(userId: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM users WHERE id = $1`, [
      requireId(userId, 'user'),
    ]);
    return rows.length > 0;
  }

  /** Why a guest could not be bound: missing or another merchant's (undefined), or already used. */
  async guestState(merchantId: number, guestId: number): Promise<'missing' | 'used' | 'free'> {
    const rows: { transaction_id: string | null }[] = await this.db.query(
      `SELECT transaction_id FROM guest_users WHERE id = $1 AND merchant_id = $2`,
      [guestId, requireId(merchantId, 'merchant')],
    );
    if (!rows.length) return 'missing';
    return rows[0].transaction_id === null ? 'free' : 'used';
  }

  /** The merchant's newest transactions in [from, to), through the (merchant, occurred_at) index. */
  recentForMerchant(merchantId: number, from: Date, to: Date, limit: number): Promise<TransactionRow[]> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    return this.db.read(
      `SELECT ${COLUMNS}, (SELECT business_name FROM merchants WHERE id = $1) AS merchant_name
         FROM ${table} t
        WHERE t.merchant_id = $1 AND t.occurred_at >= $2 AND t.occurred_at < $3
        ORDER BY t.occurred_at DESC, t.id DESC LIMIT $4`,
      [merchantId, from, to, limit],
    );
  }

  /**
   * The merchant's best buyers of all time: registered customers from their maintained totals, guests
   * (one sale each) from the guest-amount index. Both sides are top-N index reads.
   */
  topCustomersAllTime(merchantId: number, limit: number): Promise<TopCustomerRow[]> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    return this.db.read(
      `SELECT * FROM (
         (SELECT c.user_id, NULL::integer AS guest_user_id, u.name, u.phone, c.amount_paise::text AS amount_paise,
                 c.purchases::text AS purchases, c.last_transaction_at
            FROM customer_merchant_totals c JOIN users u ON u.id = c.user_id
           WHERE c.merchant_id = $1
           ORDER BY c.amount_paise DESC, c.user_id LIMIT $2)
         UNION ALL
         (SELECT NULL::integer, t.guest_user_id, NULL::text, NULL::text, t.amount_paise::text, '1', t.occurred_at
            FROM ${table} t
           WHERE t.merchant_id = $1 AND t.guest_user_id IS NOT NULL AND t.voided_at IS NULL
           ORDER BY t.amount_paise DESC, t.id DESC LIMIT $2)
       ) x ORDER BY amount_paise::bigint DESC, user_id NULLS LAST, guest_user_id LIMIT $2`,
      [merchantId, limit],
    );
  }

  /** The merchant's best buyers in [from, to), computed exactly from the rows of that window. */
  topCustomersBetween(merchantId: number, from: Date, to: Date, limit: number): Promise<TopCustomerRow[]> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    return this.db.read(
      `WITH w AS (
         SELECT t.user_id, t.guest_user_id, t.amount_paise, t.occurred_at
           FROM ${table} t WHERE t.merchant_id = $1 AND t.occurred_at >= $2 AND t.occurred_at < $3
            AND t.voided_at IS NULL
       ),
       r AS (
         SELECT user_id, sum(amount_paise) AS amount_paise, count(*) AS purchases, max(occurred_at) AS last_at
           FROM w WHERE user_id IS NOT NULL GROUP BY user_id ORDER BY 2 DESC, user_id LIMIT $4
       ),
       g AS (
         SELECT guest_user_id, amount_paise, occurred_at FROM w WHERE guest_user_id IS NOT NULL
          ORDER BY amount_paise DESC, guest_user_id LIMIT $4
       )
       SELECT * FROM (
         SELECT r.user_id, NULL::integer AS guest_user_id, u.name, u.phone, r.amount_paise::text AS amount_paise,
                r.purchases::text AS purchases, r.last_at AS last_transaction_at
           FROM r JOIN users u ON u.id = r.user_id
         UNION ALL
         SELECT NULL, g.guest_user_id, NULL, NULL, g.amount_paise::text, '1', g.occurred_at FROM g
       ) x ORDER BY amount_paise::bigint DESC, user_id NULLS LAST, guest_user_id LIMIT $4`,
      [merchantId, from, to, limit],
    );
  }

  /**
   * How many registered customers bought from the merchant in [from, to): one index probe per
   * customer who has bought there since `from` (their maintained totals say who), not a scan of sales.
   */
  async registeredBuyersBetween(merchantId: number, from: Date, to: Date): Promise<number> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    const rows: { buyers: number }[] = await this.db.read(
      `SELECT count(*)::int AS buyers FROM customer_merchant_totals c
        WHERE c.merchant_id = $1 AND c.last_transaction_at >= $2
          AND EXISTS (SELECT 1 FROM ${table} t
                       WHERE t.merchant_id = $1 AND t.user_id = c.user_id
                         AND t.occurred_at >= $2 AND t.occurred_at < $3 AND t.voided_at IS NULL)`,
      [merchantId, from, to],
    );
    return rows[0].buyers;
  }

  /**
   * This week's and this month's purchases per merchant, among `merchantIds` only: the customer's own
   * rows of `transaction_index` in the longer of the two periods, never a merchant's table.
   */
  customerWeekMonth(
    userId: number,
    merchantIds: number[],
    week: { from: Date; to: Date },
    month: { from: Date; to: Date },
  ): Promise<PeriodSpendRow[]> {
    if (!merchantIds.length) return Promise.resolve([]);
    return this.db.read(
      `SELECT t.merchant_id,
              coalesce(sum(t.amount_paise) FILTER (WHERE t.occurred_at >= $3 AND t.occurred_at < $4), 0)::text AS week_paise,
              count(*) FILTER (WHERE t.occurred_at >= $3 AND t.occurred_at < $4)::text AS week_count,
              coalesce(sum(t.amount_paise) FILTER (WHERE t.occurred_at >= $5 AND t.occurred_at < $6), 0)::text AS month_paise,
              count(*) FILTER (WHERE t.occurred_at >= $5 AND t.occurred_at < $6)::text AS month_count
         FROM transaction_index t
        WHERE t.user_id = $2 AND t.merchant_id = ANY($1::integer[]) AND t.voided_at IS NULL
          AND t.occurred_at >= LEAST($3::timestamptz, $5::timestamptz)
          AND t.occurred_at < GREATEST($4::timestamptz, $6::timestamptz)
        GROUP BY t.merchant_id`,
      [merchantIds, requireId(userId, 'user'), week.from, week.to, month.from, month.to],
    );
  }

  /**
   * Purchases per period and merchant (among `merchantIds`), from the customer's rows of
   * `transaction_index`; `bounds` are the periods' starts plus the last period's end.
   */
  customerBuckets(userId: number, merchantIds: number[], bounds: Date[]): Promise<BucketSpendRow[]> {
    if (!merchantIds.length) return Promise.resolve([]);
    return this.db.read(
      `SELECT width_bucket(t.occurred_at, $3::timestamptz[]) AS bucket, t.merchant_id,
              sum(t.amount_paise)::text AS amount_paise, sum(t.paid_paise)::text AS paid_paise,
              count(*)::text AS purchases,
              (array_agg(t.id ORDER BY t.occurred_at DESC, t.id DESC))[1]::text AS last_transaction_id,
              max(t.occurred_at) AS last_transaction_at
         FROM transaction_index t
        WHERE t.user_id = $2 AND t.merchant_id = ANY($1::integer[]) AND t.voided_at IS NULL
          AND t.occurred_at >= ($3::timestamptz[])[1]
          AND t.occurred_at < ($3::timestamptz[])[array_length($3::timestamptz[], 1)]
        GROUP BY 1, 2`,
      [merchantIds, requireId(userId, 'user'), bounds],
    );
  }

  /**
   * A customer's bills at `merchantIds` (shops not blocked), newest first: still owed, or paid off. The
   * page's keys come from the customer's rows of `transaction_index` (the status test is a literal so
   * the planner can use the matching partial index: open bills, or all pay-later bills), the rows from
   * the page's merchants' tables only.
   */
  async customerBills(
    userId: number,
    merchantIds: number[],
    status: 'due' | 'paid',
    limit: number,
  ): Promise<TransactionRow[]> {
    if (!merchantIds.length) return [];
    const keys: CustomerKey[] = await this.db.read(
      `WITH visible AS (${visibleShopsSql('$2')})
       SELECT t.merchant_id, t.id::text AS id, v.relation
         FROM transaction_index t JOIN visible v ON v.merchant_id = t.merchant_id
        WHERE t.user_id = $2 AND t.merchant_id = ANY($1::integer[]) AND t.voided_at IS NULL AND t.type = 'pay_later'
          AND ${status === 'due' ? "t.status <> 'paid'" : "t.status = 'paid'"}
        ORDER BY t.occurred_at DESC, t.id DESC
        LIMIT $3`,
      [merchantIds, requireId(userId, 'user'), limit],
    );
    return this.customerRowsByKeys(userId, keys, false);
  }

  /**
   * What the customer has paid on purchases made since `since` at `merchantIds`, per local day in
   * `tz`, from the customer's rows of `transaction_index`.
   */
  customerPaidByDay(userId: number, merchantIds: number[], tz: string, since: Date): Promise<DaySpendRow[]> {
    if (!merchantIds.length) return Promise.resolve([]);
    return this.db.read(
      `SELECT (t.occurred_at AT TIME ZONE $3::text)::date::text AS day, sum(t.paid_paise)::text AS paid_paise
         FROM transaction_index t
        WHERE t.user_id = $2 AND t.merchant_id = ANY($1::integer[]) AND t.voided_at IS NULL AND t.occurred_at >= $4
        GROUP BY 1 ORDER BY 1`,
      [merchantIds, requireId(userId, 'user'), tz, since],
    );
  }

  /**
   * The merchant's guests, newest first, each with its transaction's fields (read from their own
   * table). `withSaleOnly` leaves out guests not yet bound to a sale; a null `limit` means all.
   */
  guestsForMerchant(
    merchantId: number,
    limit: number | null,
    offset: number,
    withSaleOnly: boolean,
  ): Promise<GuestRow[]> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    return this.db.query(
      `SELECT g.id, g.merchant_id, g.transaction_id, g.created_at, t.amount_paise, t.type, t.status,
              t.description, t.payment_method, t.occurred_at
         FROM guest_users g ${withSaleOnly ? 'JOIN' : 'LEFT JOIN'} ${table} t ON t.id = g.transaction_id
        WHERE g.merchant_id = $1
        ORDER BY g.created_at DESC, g.id DESC LIMIT $2 OFFSET $3`,
      [merchantId, limit, offset],
    );
  }

  /** Whether the merchant has recorded any sale (their own table only). */
  async merchantHasSales(merchantId: number): Promise<boolean> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM ${table} LIMIT 1`);
    return rows.length > 0;
  }

  /** Whether the customer has bought anywhere (one probe of the cross-merchant index). */
  async userHasSales(userId: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM transaction_index WHERE user_id = $1 LIMIT 1`,
      [requireId(userId, 'user')],
    );
    return rows.length > 0;
  }

  /** Whether a sale names this guest. */
  async guestHasSales(guestId: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM transaction_index WHERE guest_user_id = $1 LIMIT 1`,
      [requireId(guestId, 'guest')],
    );
    return rows.length > 0;
  }

  /**
   * Sales recorded in [from, to) across every merchant (from the index), and everything still owed
   * (from the rollups): the admin's totals, without opening any merchant's table.
   */
  async systemSales(from: Date, to: Date): Promise<SystemSalesRow> {
    const rows: SystemSalesRow[] = await this.db.query(
      `SELECT s.n AS today_transactions, s.paise AS today_sales_paise, o.n AS open_bills, o.paise AS outstanding_paise
         FROM (SELECT count(*) AS n, coalesce(sum(amount_paise), 0) AS paise FROM transaction_index
                WHERE occurred_at >= $1 AND occurred_at < $2) s
        CROSS JOIN (SELECT coalesce(sum(open_bills), 0) AS n, coalesce(sum(due_paise), 0) AS paise
                      FROM merchant_outstanding) o`,
      [from, to],
    );
    return rows[0];
  }

  /** How many sales exist across every merchant. */
  async countAll(): Promise<number> {
    const rows: { n: string }[] = await this.db.query(`SELECT count(*) AS n FROM transaction_index`);
    return Number(rows[0].n);
  }

  /** How many sales the merchant has. */
  async countForMerchant(merchantId: number): Promise<number> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    const rows: { n: string }[] = await this.db.query(`SELECT count(*) AS n FROM ${table}`);
    return Number(rows[0].n);
  }

  /** Which of these offline client ids the merchant has already recorded. */
  async clientIdsOf(merchantId: number, clientIds: string[]): Promise<Set<string>> {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    const rows: { client_id: string }[] = await this.db.query(
      `SELECT client_id::text FROM ${table} WHERE client_id = ANY($1::uuid[])`,
      [clientIds],
    );
    return new Set(rows.map((r) => r.client_id));
  }

  /** Generated history: the guests of these sales were created when the sale happened. */
  async backdateGuestsToSales(sales: { merchantId: number; transactionId: number }[]): Promise<void> {
    for (const [merchantId, ids] of byMerchant(sales)) {
      await this.db.query(
        `UPDATE guest_users g SET created_at = t.occurred_at FROM ${merchantTable(merchantId)} t
          WHERE t.id = ANY($1::bigint[]) AND g.id = t.guest_user_id`,
        [ids],
      );
    }
  }

  /** Generated history: a settled bill was settled at its last payment. */
  async backdateSettledAt(bills: { merchantId: number; transactionId: number }[]): Promise<void> {
    for (const [merchantId, ids] of byMerchant(bills)) {
      await this.db.query(
        `UPDATE ${merchantTable(merchantId)} t SET settled_at = s.last
           FROM (SELECT transaction_id, max(created_at) AS last FROM settlements
                  WHERE merchant_id = $1 AND transaction_id = ANY($2::bigint[]) GROUP BY 1) s
          WHERE t.id = s.transaction_id AND t.status = 'paid'`,
        [merchantId, ids],
      );
    }
  }

  /**
   * A page of sales across merchants for the admin, from `transaction_index` alone (`select`, `where`
   * and `order` are written against its columns): one statement whatever the number of merchants on
   * the page, and no merchant table opened.
   */
  pageAcrossMerchants(
    select: string,
    where: string,
    order: string,
    params: unknown[],
    limit: number,
    offset: number,
  ): Promise<Record<string, unknown>[]> {
    return this.db.query(
      `SELECT ${select} FROM transaction_index ${where} ORDER BY ${order}
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
  }

  /** A page of one merchant's sales for the admin (`where`/`order` written against its columns). */
  async pageOfMerchant(
    merchantId: number,
    select: string,
    where: string,
    order: string,
    params: unknown[],
    limit: number,
    offset: number,
  ): Promise<Record<string, unknown>[]> {
    if (!(await this.tablesExist([merchantId])).length) return [];
    return this.db.query(
      `SELECT ${select} FROM ${merchantTable(requireId(merchantId, 'merchant'))} ${where} ORDER BY ${order}
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
  }

  /** How many of one merchant's sales match `where`. */
  async countOfMerchant(merchantId: number, where: string, params: unknown[]): Promise<number> {
    if (!(await this.tablesExist([merchantId])).length) return 0;
    const rows: { n: string }[] = await this.db.query(
      `SELECT count(*) AS n FROM ${merchantTable(requireId(merchantId, 'merchant'))} ${where}`,
      params,
    );
    return Number(rows[0].n);
  }

  /** Which of these merchants have a table (ids from input may name nobody). */
  private async tablesExist(merchantIds: number[]): Promise<number[]> {
    const rows: { merchant_id: number }[] = await this.db.query(
      `SELECT merchant_id FROM merchant_tables WHERE merchant_id = ANY($1::int[]) AND merchant_id > 0`,
      [merchantIds.filter((id) => Number.isSafeInteger(id) && id > 0)],
    );
    return rows.map((r) => r.merchant_id);
  }

  /**
   * How many sales match `where` (against `transaction_index` columns), across merchants. With no
   * filter, and more than {@link EXACT_COUNT_UP_TO} sales by the planner's statistics, the
   * statistics' figure is the answer (the admin panel's page count): counting every sale of every
   * shop would cost a scan of the whole index table on each page.
   */
  async countAcrossMerchants(where: string, params: unknown[]): Promise<number> {
    if (!where) {
      const [estimate]: { n: string }[] = await this.db.query(
        `SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'transaction_index'::regclass`,
      );
      if (Number(estimate?.n ?? -1) > EXACT_COUNT_UP_TO) return Number(estimate.n);
    }
    const rows: { n: string }[] = await this.db.query(
      `SELECT count(*) AS n FROM transaction_index ${where}`,
      params,
    );
    return Number(rows[0].n);
  }

  /** These sales (merchant, id), each with the `select` list, in the order given. */
  async rowsByKeys(
    select: string,
    keys: readonly { merchant_id: number | string; id: number | string }[],
  ): Promise<Record<string, unknown>[]> {
    if (!keys.length) return [];
    const ids = new Map<number, string[]>();
    for (const k of keys) {
      const list = ids.get(Number(k.merchant_id)) ?? [];
      list.push(String(k.id));
      ids.set(Number(k.merchant_id), list);
    }
    const present = new Set(await this.tablesExist([...ids.keys()]));
    const params: unknown[] = [];
    const branches = [...ids]
      .filter(([merchantId]) => present.has(merchantId))
      .map(([merchantId, list]) => {
        params.push(list);
        return `SELECT ${select}, id AS "__id" FROM ${merchantTable(requireId(merchantId, 'merchant'))}
               WHERE id = ANY($${params.length}::bigint[])`;
      });
    if (!branches.length) return [];
    const rows: Record<string, unknown>[] = await this.db.query(branches.join(' UNION ALL '), params);
    const byId = new Map(rows.map((r) => [String(r.__id), r]));
    return keys.flatMap((k) => {
      const row = byId.get(String(k.id));
      if (!row) return [];
      delete row.__id;
      return [row];
    });
  }

  /** The SQL text of the merchant's statement, for COPY (values validated and quoted by the caller). */
  exportSql(merchantId: number, fromLiteral: string, toLiteral: string): string {
    const table = merchantTable(requireId(merchantId, 'merchant'));
    return `COPY (
      SELECT t.id, to_char(t.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS occurred_at,
             to_char(t.occurred_at AT TIME ZONE m.timezone, 'YYYY-MM-DD HH24:MI:SS') AS local_time,
             t.type, t.status, (t.amount_paise / 100.0)::numeric(14, 2) AS amount,
             (t.paid_paise / 100.0)::numeric(14, 2) AS paid, ((t.amount_paise - t.paid_paise) / 100.0)::numeric(14, 2) AS due,
             CASE WHEN t.user_id IS NOT NULL THEN 'customer' ELSE 'guest' END AS buyer,
             t.user_id, ${csvText('u.name')} AS customer_name, t.guest_user_id, t.payment_method,
             ${csvText('t.reference_number')} AS reference_number, ${csvText('t.description')} AS description,
             ${csvText('t.items::text')} AS items, ${csvText('t.calculation')} AS calculation
        FROM ${table} t JOIN merchants m ON m.id = t.merchant_id LEFT JOIN users u ON u.id = t.user_id
       WHERE t.occurred_at >= ${fromLiteral}::timestamptz AND t.occurred_at < ${toLiteral}::timestamptz
       ORDER BY t.occurred_at, t.id
    ) TO STDOUT WITH (FORMAT csv, HEADER true)`;
  }
}

/** Stored responses of idempotent POSTs, scoped to the caller and kept 72 hours. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly db: TransactionalConnection) {}

  /**
   * Claims the key for this database transaction without waiting: false means another request with
   * the same key is in flight right now.
   */
  async tryClaim(scope: string, key: string): Promise<boolean> {
    const rows: { claimed: boolean }[] = await this.db.query(
      `SELECT pg_try_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 0)) AS claimed`,
      [scope, key],
    );
    return rows[0].claimed;
  }

  async find(
    scope: string,
    key: string,
  ): Promise<{ request_hash: string; response_status: number; response_body: unknown } | undefined> {
    const rows = await this.db.query(
      `SELECT request_hash, response_status, response_body FROM idempotency_keys
        WHERE scope = $1 AND key = $2 AND created_at > now() - interval '72 hours'`,
      [scope, key],
    );
    return rows[0];
  }

  async store(scope: string, key: string, hash: string, status: number, body: unknown) {
    await this.db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, response_status = EXCLUDED.response_status,
             response_body = EXCLUDED.response_body, created_at = now()`,
      [scope, key, hash, status, JSON.stringify(body)],
    );
  }

  async purgeExpired(): Promise<number> {
    const rows: unknown[] = await this.db.query(
      `DELETE FROM idempotency_keys WHERE created_at <= now() - interval '72 hours' RETURNING 1`,
    );
    return rows.length;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReadReplicas } from '../../database/read-replicas.js';
import { TransactionTableFactory } from '../transactions/transaction-table.factory.js';
import type { TransactionRow } from '../transactions/transactions.repository.js';
import { visibleShopsSql, type VisibleShop } from '../users/customer-shops.repository.js';

/** Local calendar of one instant in one zone: dates are `YYYY-MM-DD`, instants are the zone's midnights. */
export interface CalendarRow {
  tz: string;
  today: string;
  week_start: string;
  month_start: string;
  window_start: string;
  today_from: Date;
  today_to: Date;
  week_from: Date;
  week_to: Date;
  month_from: Date;
  month_to: Date;
  window_from: Date;
}

/** One local day of a merchant's rollups, summed over stripes (bigints as strings). */
export interface DayRow {
  day: string;
  sales_count: string;
  sales_paise: string;
  due_paise: string;
  collected_paise: string;
  guest_count: string;
  guest_paise: string;
  [methodColumn: `${string}_count` | `${string}_paise`]: string;
}

export interface OutstandingRow {
  due_paise: string;
  open_bills: string;
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

/** What one customer has bought from one merchant, all time (maintained by the rollup triggers). */
export interface CustomerMerchantRow {
  merchant_id: number;
  merchant_name: string;
  /** The owner's own name (the original API's `merchant_name`). */
  owner_name: string;
  business_type: string | null;
  city: string | null;
  state: string | null;
  purchases: number;
  amount_paise: string;
  paid_paise: string;
  bills: number;
  open_bills: number;
  last_transaction_id: string | null;
  last_transaction_at: Date | null;
  /** Never 'blocked': a blocked shop is not among the customer's merchants. */
  relation: VisibleShop['relation'];
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

export interface PeriodRow {
  start_date: string;
  from: Date;
  to: Date;
}

export const PAYMENT_METHOD_COLUMNS = [
  'cash',
  'upi',
  'card',
  'online',
  'bank_transfer',
  'other',
  'unspecified',
] as const;
export type MethodColumn = (typeof PAYMENT_METHOD_COLUMNS)[number];

const TRANSACTION_COLUMNS = `t.id, t.merchant_id, t.user_id, t.guest_user_id, t.amount_paise, t.type, t.status,
  t.paid_paise, t.description, t.payment_method, t.reference_number, t.client_id, t.seq, t.occurred_at,
  t.created_at, t.settled_at`;

/**
 * The calendar of `$3` (an instant) in the zone `$1`, or in the zone of merchant `$2` when `$1` is null:
 * today, the Monday of this week and the 1st of this month (ISO weeks, as PostgreSQL's date_trunc), the
 * first day of a `$4`-day window ending today, and each of those local midnights as an instant. The
 * zone's rules (DST included) are PostgreSQL's, the same ones the rollup triggers use to file a sale.
 */
export const CALENDAR_SQL = `
  WITH z AS (SELECT coalesce($1::text, (SELECT timezone FROM merchants WHERE id = $2::integer)) AS tz),
  c AS (SELECT tz, ($3::timestamptz AT TIME ZONE tz)::date AS today FROM z WHERE tz IS NOT NULL),
  b AS (SELECT tz, today, date_trunc('week', today::timestamp)::date AS week_start,
               date_trunc('month', today::timestamp)::date AS month_start,
               today - ($4::integer - 1) AS window_start
          FROM c)
  SELECT tz, today::text AS today, week_start::text AS week_start, month_start::text AS month_start,
         window_start::text AS window_start,
         (today::timestamp AT TIME ZONE tz) AS today_from,
         ((today + 1)::timestamp AT TIME ZONE tz) AS today_to,
         (week_start::timestamp AT TIME ZONE tz) AS week_from,
         ((week_start + 7)::timestamp AT TIME ZONE tz) AS week_to,
         (month_start::timestamp AT TIME ZONE tz) AS month_from,
         ((month_start + interval '1 month')::timestamp AT TIME ZONE tz) AS month_to,
         (window_start::timestamp AT TIME ZONE tz) AS window_from
    FROM b`;

/** The last `$3` weeks or months (`$2`) up to the one holding `$4`, in zone `$1`, oldest first. */
export const PERIODS_SQL = `
  WITH c AS (SELECT date_trunc($2::text, ($4::timestamptz AT TIME ZONE $1::text)) AS current_start),
  s AS (SELECT generate_series(current_start - ($3::integer - 1) * ('1 ' || $2::text)::interval,
                               current_start, ('1 ' || $2::text)::interval) AS start FROM c)
  SELECT start::date::text AS start_date,
         (start AT TIME ZONE $1::text) AS "from",
         ((start + ('1 ' || $2::text)::interval) AT TIME ZONE $1::text) AS "to"
    FROM s ORDER BY start`;

/**
 * What a customer bought this week and this month, per merchant. `$1` lists only merchants the
 * customer bought from (and, of those, only ones with a sale since the earlier start), so the planner
 * reads those merchants' partitions and no other.
 */
export const CUSTOMER_WEEK_MONTH_SQL = `
  SELECT t.merchant_id,
         coalesce(sum(t.amount_paise) FILTER (WHERE t.occurred_at >= $3 AND t.occurred_at < $4), 0)::text AS week_paise,
         count(*) FILTER (WHERE t.occurred_at >= $3 AND t.occurred_at < $4)::text AS week_count,
         coalesce(sum(t.amount_paise) FILTER (WHERE t.occurred_at >= $5 AND t.occurred_at < $6), 0)::text AS month_paise,
         count(*) FILTER (WHERE t.occurred_at >= $5 AND t.occurred_at < $6)::text AS month_count
    FROM transactions t
   WHERE t.merchant_id = ANY($1::integer[]) AND t.user_id = $2
     AND t.occurred_at >= LEAST($3::timestamptz, $5::timestamptz)
     AND t.occurred_at < GREATEST($4::timestamptz, $6::timestamptz)
   GROUP BY t.merchant_id`;

/** A customer's purchases per period (`$3` = the periods' boundaries, ascending) and merchant. */
export const CUSTOMER_BUCKETS_SQL = `
  SELECT width_bucket(t.occurred_at, $3::timestamptz[]) AS bucket, t.merchant_id,
         sum(t.amount_paise)::text AS amount_paise, sum(t.paid_paise)::text AS paid_paise,
         count(*)::text AS purchases,
         (array_agg(t.id ORDER BY t.occurred_at DESC, t.id DESC))[1]::text AS last_transaction_id,
         max(t.occurred_at) AS last_transaction_at
    FROM transactions t
   WHERE t.merchant_id = ANY($1::integer[]) AND t.user_id = $2
     AND t.occurred_at >= ($3::timestamptz[])[1]
     AND t.occurred_at < ($3::timestamptz[])[array_length($3::timestamptz[], 1)]
   GROUP BY 1, 2`;

/**
 * A customer's bills, newest first: still owed, or paid off. The status test is a literal so the
 * planner can use the matching partial index (open bills, or all pay-later bills).
 */
export const customerBillsSql = (status: 'due' | 'paid') => `
  WITH visible AS (${visibleShopsSql('$2')})
  SELECT ${TRANSACTION_COLUMNS}, m.business_name AS merchant_name, v.relation AS shop_relation
    FROM transactions t JOIN visible v ON v.merchant_id = t.merchant_id JOIN merchants m ON m.id = t.merchant_id
   WHERE t.merchant_id = ANY($1::integer[]) AND t.user_id = $2 AND t.type = 'pay_later'
     AND ${status === 'due' ? "t.status <> 'paid'" : "t.status = 'paid'"}
   ORDER BY t.occurred_at DESC, t.id DESC
   LIMIT $3`;

/**
 * The only code that writes SQL for the dashboards. Merchant reads address the merchant's own table
 * (named by TransactionTableFactory) or rollup rows keyed by the merchant; customer reads address the
 * `transactions` parent with `merchant_id = ANY(<the customer's merchants>)`, so only those partitions
 * are planned and read.
 */
/** The summed columns of a day of `merchant_daily_totals`, as the rows of {@link DayRow}. */
export const DAY_SUM_COLUMNS: readonly string[] = [
  'sales_count',
  'sales_paise',
  'due_paise',
  'collected_paise',
  'guest_count',
  'guest_paise',
  ...PAYMENT_METHOD_COLUMNS.flatMap((m) => [`${m}_count`, `${m}_paise`]),
];

const DAILY_TOTALS_SQL = `
  SELECT day::text AS day, ${DAY_SUM_COLUMNS.map((c) => `sum(${c})::text AS ${c}`).join(', ')}
    FROM merchant_daily_totals
   WHERE merchant_id = $1 AND day >= $2::date AND day <= $3::date
   GROUP BY day ORDER BY day`;

@Injectable()
export class DashboardRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reads: ReadReplicas,
  ) {}

  /** The calendar of `now` in `tz`, or in the merchant's own zone; undefined for an unknown merchant. */
  async calendar(scope: { tz: string } | { merchantId: number }, now: Date, days: number) {
    const tz = 'tz' in scope ? scope.tz : null;
    const merchantId = 'merchantId' in scope ? requireId(scope.merchantId) : null;
    const rows: CalendarRow[] = await this.reads.query(CALENDAR_SQL, [tz, merchantId, now, days]);
    return rows[0];
  }

  /** The last `count` weeks or months of `now` in `tz`, oldest first. */
  periods(tz: string, unit: 'week' | 'month', count: number, now: Date): Promise<PeriodRow[]> {
    return this.reads.query(PERIODS_SQL, [tz, unit, count, now]);
  }

  /** The merchant's rollups per local day from `fromDay` to `toDay` (inclusive), days without sales absent. */
  dailyTotals(merchantId: number, fromDay: string, toDay: string): Promise<DayRow[]> {
    return this.reads.query(DAILY_TOTALS_SQL, [requireId(merchantId), fromDay, toDay]);
  }

  /** Everything still owed to the merchant, all time. */
  async outstanding(merchantId: number): Promise<OutstandingRow> {
    const rows: OutstandingRow[] = await this.reads.query(
      `SELECT coalesce(sum(due_paise), 0)::text AS due_paise, coalesce(sum(open_bills), 0)::text AS open_bills
         FROM merchant_outstanding WHERE merchant_id = $1`,
      [requireId(merchantId)],
    );
    return rows[0];
  }

  /** The merchant's newest transactions in [from, to), through the (merchant, occurred_at) index. */
  recentForMerchant(merchantId: number, from: Date, to: Date, limit: number): Promise<TransactionRow[]> {
    const table = TransactionTableFactory.quotedTableName(requireId(merchantId));
    return this.reads.query(
      `SELECT ${TRANSACTION_COLUMNS}, (SELECT business_name FROM merchants WHERE id = $1) AS merchant_name
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
    const table = TransactionTableFactory.quotedTableName(requireId(merchantId));
    return this.reads.query(
      `SELECT * FROM (
         (SELECT c.user_id, NULL::integer AS guest_user_id, u.name, u.phone, c.amount_paise::text AS amount_paise,
                 c.purchases::text AS purchases, c.last_transaction_at
            FROM customer_merchant_totals c JOIN users u ON u.id = c.user_id
           WHERE c.merchant_id = $1
           ORDER BY c.amount_paise DESC, c.user_id LIMIT $2)
         UNION ALL
         (SELECT NULL::integer, t.guest_user_id, NULL::text, NULL::text, t.amount_paise::text, '1', t.occurred_at
            FROM ${table} t
           WHERE t.merchant_id = $1 AND t.guest_user_id IS NOT NULL
           ORDER BY t.amount_paise DESC, t.id DESC LIMIT $2)
       ) x ORDER BY amount_paise::bigint DESC, user_id NULLS LAST, guest_user_id LIMIT $2`,
      [merchantId, limit],
    );
  }

  /** The merchant's best buyers in [from, to), computed exactly from the rows of that window. */
  topCustomersBetween(merchantId: number, from: Date, to: Date, limit: number): Promise<TopCustomerRow[]> {
    const table = TransactionTableFactory.quotedTableName(requireId(merchantId));
    return this.reads.query(
      `WITH w AS (
         SELECT t.user_id, t.guest_user_id, t.amount_paise, t.occurred_at
           FROM ${table} t WHERE t.merchant_id = $1 AND t.occurred_at >= $2 AND t.occurred_at < $3
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
   * Every merchant the customer has bought from, with all-time totals, most recent first. This is the
   * one place that decides which shops a customer's views cover: every customer-side read starts here
   * and reads only the partitions of the merchants it returns.
   */
  customerMerchants(userId: number): Promise<CustomerMerchantRow[]> {
    return this.reads.query(
      `WITH visible AS (${visibleShopsSql('$1')})
       SELECT c.merchant_id, m.business_name AS merchant_name, m.name AS owner_name, m.business_type, m.city,
              m.state, c.purchases,
              c.amount_paise::text AS amount_paise, c.paid_paise::text AS paid_paise, c.bills, c.open_bills,
              c.last_transaction_id::text AS last_transaction_id, c.last_transaction_at, v.relation
         FROM customer_merchant_totals c JOIN visible v ON v.merchant_id = c.merchant_id
         JOIN merchants m ON m.id = c.merchant_id
        WHERE c.user_id = $1
        ORDER BY c.last_transaction_at DESC NULLS LAST, c.merchant_id`,
      [requireId(userId)],
    );
  }

  /** This week's and this month's purchases per merchant, reading only `merchantIds`' partitions. */
  customerWeekMonth(
    userId: number,
    merchantIds: number[],
    week: { from: Date; to: Date },
    month: { from: Date; to: Date },
  ): Promise<PeriodSpendRow[]> {
    if (!merchantIds.length) return Promise.resolve([]);
    return this.reads.query(CUSTOMER_WEEK_MONTH_SQL, [
      merchantIds,
      requireId(userId),
      week.from,
      week.to,
      month.from,
      month.to,
    ]);
  }

  /** Purchases per period and merchant; `bounds` are the periods' starts plus the last period's end. */
  customerBuckets(userId: number, merchantIds: number[], bounds: Date[]): Promise<BucketSpendRow[]> {
    if (!merchantIds.length) return Promise.resolve([]);
    return this.reads.query(CUSTOMER_BUCKETS_SQL, [merchantIds, requireId(userId), bounds]);
  }

  /** The customer's bills (due or paid), newest first, from `merchantIds`' partitions only. */
  customerBills(
    userId: number,
    merchantIds: number[],
    status: 'due' | 'paid',
    limit: number,
  ): Promise<TransactionRow[]> {
    if (!merchantIds.length) return Promise.resolve([]);
    return this.reads.query(customerBillsSql(status), [merchantIds, requireId(userId), limit]);
  }

  /** What the customer has paid on purchases made since `since`, per local day in `tz`. */
  customerPaidByDay(userId: number, merchantIds: number[], tz: string, since: Date): Promise<DaySpendRow[]> {
    if (!merchantIds.length) return Promise.resolve([]);
    return this.reads.query(
      `SELECT (t.occurred_at AT TIME ZONE $3::text)::date::text AS day, sum(t.paid_paise)::text AS paid_paise
         FROM transactions t
        WHERE t.merchant_id = ANY($1::integer[]) AND t.user_id = $2 AND t.occurred_at >= $4
        GROUP BY 1 ORDER BY 1`,
      [merchantIds, requireId(userId), tz, since],
    );
  }

  /**
   * How many registered customers bought from the merchant in [from, to): one index probe per
   * customer who has bought there since `from` (their maintained totals say who), not a scan of sales.
   */
  async registeredBuyersBetween(merchantId: number, from: Date, to: Date): Promise<number> {
    const table = TransactionTableFactory.quotedTableName(requireId(merchantId));
    const rows: { buyers: number }[] = await this.reads.query(
      `SELECT count(*)::int AS buyers FROM customer_merchant_totals c
        WHERE c.merchant_id = $1 AND c.last_transaction_at >= $2
          AND EXISTS (SELECT 1 FROM ${table} t
                       WHERE t.merchant_id = $1 AND t.user_id = c.user_id
                         AND t.occurred_at >= $2 AND t.occurred_at < $3)`,
      [merchantId, from, to],
    );
    return rows[0].buyers;
  }

  /** The merchant's shop name and owner's name; undefined for an unknown merchant. */
  async merchantNames(merchantId: number): Promise<{ business_name: string; name: string } | undefined> {
    const rows: { business_name: string; name: string }[] = await this.reads.query(
      `SELECT business_name, name FROM merchants WHERE id = $1`,
      [requireId(merchantId)],
    );
    return rows[0];
  }

  /**
   * Recomputes the rollups of one merchant, or of everyone, from the rows (after a bulk load with
   * `SET graminstore.rollups = 'off'`, or to repair). Writers of a merchant being rebuilt wait in their
   * triggers until its transaction commits. Everyone is done in chunks of merchants, one transaction
   * each: a single transaction over thousands of partitions would exhaust the lock table.
   */
  async rebuildRollups(merchantId?: number, chunk = 100): Promise<void> {
    const ids =
      merchantId === undefined
        ? ((await this.dataSource.query(`SELECT id FROM merchants ORDER BY id`)) as { id: number }[]).map(
            (r) => r.id,
          )
        : [requireId(merchantId)];
    for (let i = 0; i < ids.length; i += chunk) {
      await this.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT dashboard_rebuild_rollups(id) FROM unnest($1::integer[]) AS id`, [
          ids.slice(i, i + chunk),
        ]);
      });
    }
  }
}

/** Every query is scoped by the caller's id; a missing or malformed id must never widen it. */
function requireId(id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0) throw new TypeError(`Refusing a dashboard query for id ${id}`);
  return id;
}

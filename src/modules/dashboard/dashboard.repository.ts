import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TransactionalConnection } from '../../database/transactional-connection.js';
import {
  TransactionsRepository,
  type BucketSpendRow,
  type DaySpendRow,
  type PeriodSpendRow,
  type TopCustomerRow,
  type TransactionRow,
} from '../transactions/transactions.repository.js';
import { visibleShopsSql, type VisibleShop } from '../users/customer-shops.repository.js';

export type { BucketSpendRow, DaySpendRow, PeriodSpendRow, TopCustomerRow };

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

/**
 * The dashboards' SQL over the rollups and the calendar. Reads of raw sales (a merchant's own table,
 * or a customer's rows across merchants) are asked of TransactionsRepository, the one owner of the
 * per-merchant tables and of the cross-merchant index.
 */
@Injectable()
export class DashboardRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly db: TransactionalConnection,
    private readonly transactions: TransactionsRepository,
  ) {}

  /** The calendar of `now` in `tz`, or in the merchant's own zone; undefined for an unknown merchant. */
  async calendar(scope: { tz: string } | { merchantId: number }, now: Date, days: number) {
    const tz = 'tz' in scope ? scope.tz : null;
    const merchantId = 'merchantId' in scope ? requireId(scope.merchantId) : null;
    const rows: CalendarRow[] = await this.db.read(CALENDAR_SQL, [tz, merchantId, now, days]);
    return rows[0];
  }

  /** The last `count` weeks or months of `now` in `tz`, oldest first. */
  periods(tz: string, unit: 'week' | 'month', count: number, now: Date): Promise<PeriodRow[]> {
    return this.db.read(PERIODS_SQL, [tz, unit, count, now]);
  }

  /** The merchant's rollups per local day from `fromDay` to `toDay` (inclusive), days without sales absent. */
  dailyTotals(merchantId: number, fromDay: string, toDay: string): Promise<DayRow[]> {
    return this.db.read(DAILY_TOTALS_SQL, [requireId(merchantId), fromDay, toDay]);
  }

  /** Everything still owed to the merchant, all time. */
  async outstanding(merchantId: number): Promise<OutstandingRow> {
    const rows: OutstandingRow[] = await this.db.read(
      `SELECT coalesce(sum(due_paise), 0)::text AS due_paise, coalesce(sum(open_bills), 0)::text AS open_bills
         FROM merchant_outstanding WHERE merchant_id = $1`,
      [requireId(merchantId)],
    );
    return rows[0];
  }

  /** The merchant's newest transactions in [from, to), through the (merchant, occurred_at) index. */
  recentForMerchant(merchantId: number, from: Date, to: Date, limit: number): Promise<TransactionRow[]> {
    return this.transactions.recentForMerchant(merchantId, from, to, limit);
  }

  /**
   * The merchant's best buyers of all time: registered customers from their maintained totals, guests
   * (one sale each) from the guest-amount index. Both sides are top-N index reads.
   */
  topCustomersAllTime(merchantId: number, limit: number): Promise<TopCustomerRow[]> {
    return this.transactions.topCustomersAllTime(merchantId, limit);
  }

  /** The merchant's best buyers in [from, to), computed exactly from the rows of that window. */
  topCustomersBetween(merchantId: number, from: Date, to: Date, limit: number): Promise<TopCustomerRow[]> {
    return this.transactions.topCustomersBetween(merchantId, from, to, limit);
  }

  /**
   * Every merchant the customer has bought from, with all-time totals, most recent first. This is the
   * one place that decides which shops a customer's views cover: every customer-side read starts here
   * and reads only the rows of the merchants it returns.
   */
  customerMerchants(userId: number): Promise<CustomerMerchantRow[]> {
    return this.db.read(
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

  /** This week's and this month's purchases per merchant, at `merchantIds` only. */
  customerWeekMonth(
    userId: number,
    merchantIds: number[],
    week: { from: Date; to: Date },
    month: { from: Date; to: Date },
  ): Promise<PeriodSpendRow[]> {
    return this.transactions.customerWeekMonth(userId, merchantIds, week, month);
  }

  /** Purchases per period and merchant; `bounds` are the periods' starts plus the last period's end. */
  customerBuckets(userId: number, merchantIds: number[], bounds: Date[]): Promise<BucketSpendRow[]> {
    return this.transactions.customerBuckets(userId, merchantIds, bounds);
  }

  /** The customer's bills (due or paid) at `merchantIds`, newest first. */
  customerBills(
    userId: number,
    merchantIds: number[],
    status: 'due' | 'paid',
    limit: number,
  ): Promise<TransactionRow[]> {
    return this.transactions.customerBills(userId, merchantIds, status, limit);
  }

  /** What the customer has paid on purchases made since `since`, per local day in `tz`. */
  customerPaidByDay(userId: number, merchantIds: number[], tz: string, since: Date): Promise<DaySpendRow[]> {
    return this.transactions.customerPaidByDay(userId, merchantIds, tz, since);
  }

  /**
   * How many registered customers bought from the merchant in [from, to): one index probe per
   * customer who has bought there since `from` (their maintained totals say who), not a scan of sales.
   */
  registeredBuyersBetween(merchantId: number, from: Date, to: Date): Promise<number> {
    return this.transactions.registeredBuyersBetween(merchantId, from, to);
  }

  /** The merchant's shop name and owner's name; undefined for an unknown merchant. */
  async merchantNames(merchantId: number): Promise<{ business_name: string; name: string } | undefined> {
    const rows: { business_name: string; name: string }[] = await this.db.read(
      `SELECT business_name, name FROM merchants WHERE id = $1`,
      [requireId(merchantId)],
    );
    return rows[0];
  }

  /**
   * Recomputes the rollups of one merchant, or of everyone, from the rows (after a bulk load with
   * `SET graminstore.rollups = 'off'`, or to repair). Writers of a merchant being rebuilt wait in their
   * triggers until its transaction commits. Everyone is done in chunks of merchants, one transaction
   * each: a single transaction over thousands of merchant tables would exhaust the lock table.
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

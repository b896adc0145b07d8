import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/domain-error.js';
import { lastDigits } from '../../common/http/phone.js';
import { paiseToRupees } from '../../common/money/money.js';
import { Clock } from '../../common/time/clock.js';
import { toTransactionDto } from '../transactions/transaction.mapper.js';
import {
  DashboardRepository,
  PAYMENT_METHOD_COLUMNS,
  type CalendarRow,
  type CustomerMerchantRow,
  type DayRow,
  type MethodColumn,
  type TopCustomerRow,
} from './dashboard.repository.js';
import type {
  BillsQueryDto,
  ExpensesQueryDto,
  MerchantDashboardQueryDto,
  TimeZoneQueryDto,
  TopCustomersQueryDto,
} from './dto/dashboard-query.dto.js';
import type {
  MerchantDashboardDto,
  PaymentMethodStatsDto,
  PeriodStatsDto,
  TopCustomerDto,
  TopCustomersResponseDto,
} from './dto/merchant-dashboard.dto.js';
import type {
  BillsResponseDto,
  ExpensePeriodDto,
  ExpensesResponseDto,
  MerchantExpenseDto,
  MoneySplitDto,
  UserDashboardDto,
  UserMerchantsResponseDto,
} from './dto/user-dashboard.dto.js';

/** The periods of the detailed report; anything else is the last 31 local days. */
export const REPORT_PERIODS = ['daily', 'weekly', 'monthly', 'yearly'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number] | 'last_31_days';
const REPORT_TOP_CUSTOMERS = 5;

/** Totals of sales in a range of local days, in integer paise. */
export interface SalesTotals {
  transactions: number;
  amountPaise: number;
  /** Paid so far on these sales (at the counter, or settled since). */
  paidPaise: number;
  /** Still owed on them. */
  duePaise: number;
  guestSales: number;
}

/** The merchant's sales in one period of local days, compared with the period just before it. */
export interface PeriodReport {
  timezone: string;
  /** First and last local day of the period (inclusive). */
  start: string;
  end: string;
  current: SalesTotals;
  previous: SalesTotals;
  /** Registered customers who bought in the period. */
  registeredBuyers: number;
  /** Money received in the period by method (`unspecified`: paid without a recorded method). */
  methods: { method: MethodColumn; count: number; paise: number }[];
  /** Paid so far on each local day's sales, days with nothing paid absent, oldest first. */
  paidByDay: { date: string; paise: number }[];
  /** The period's best buyers, registered customers and guests. */
  topCustomers: TopCustomerDto[];
}

/** What a customer paid, in paise, per local day, week (keyed by its Monday) and month (`YYYY-MM`). */
export interface SpendingReport {
  timezone: string;
  daily: Map<string, number>;
  weekly: Map<string, number>;
  monthly: Map<string, number>;
}

/** The length of `daily_sales`, in local days. */
export const DAILY_SERIES_DAYS = 30;
const RECENT_TRANSACTIONS = 10;
const BENTO_TOP_CUSTOMERS = 5;

/** One or more local days of a merchant's rollups, in integer paise. */
interface DayTotals {
  salesCount: number;
  salesPaise: number;
  duePaise: number;
  collectedPaise: number;
  guestCount: number;
  guestPaise: number;
  methods: Record<MethodColumn, { count: number; paise: number }>;
}

/**
 * The dashboards. Every period is a range of LOCAL days (the merchant's zone, or the customer's `tz`),
 * every sum is an integer of paise, and every response says which zone and boundaries it used.
 * Merchant figures come from per-day rollups (so their cost does not grow with history); customer
 * figures from per-merchant totals plus the customer's own rows of the cross-merchant index (their cost
 * grows with the customer's purchases in the period, not with the number of shops or merchants).
 */
@Injectable()
export class DashboardService {
  constructor(
    private readonly repo: DashboardRepository,
    private readonly clock: Clock,
  ) {}

  /** The merchant's bento grid over the last `days` local days, with today / this week / this month. */
  async merchant(merchantId: number, query: MerchantDashboardQueryDto): Promise<MerchantDashboardDto> {
    const now = this.clock.now();
    const cal = await this.merchantCalendar(merchantId, now, query.days);
    const seriesStart = addDays(cal.today, -(DAILY_SERIES_DAYS - 1));
    const first = [seriesStart, cal.month_start, cal.window_start].sort()[0];
    const rows = await this.repo.dailyTotals(merchantId, first, cal.today);
    const outstanding = await this.repo.outstanding(merchantId);
    const recent = await this.repo.recentForMerchant(
      merchantId,
      cal.window_from,
      cal.today_to,
      RECENT_TRANSACTIONS,
    );
    const top = await this.repo.topCustomersAllTime(merchantId, BENTO_TOP_CUSTOMERS);

    const days = new Map(rows.map((r) => [r.day, parseDay(r)]));
    const window = sumDays(days, cal.window_start, cal.today);
    const registered = {
      count: window.salesCount - window.guestCount,
      paise: window.salesPaise - window.guestPaise,
    };
    const avgPaise = window.salesCount ? Math.round(window.salesPaise / window.salesCount) : 0;
    const outstandingPaise = int(outstanding.due_paise);
    return {
      merchant_id: merchantId,
      timezone: cal.tz,
      generated_at: now.toISOString(),
      window: {
        from: iso(cal.window_from),
        to: iso(cal.today_to),
        start_date: cal.window_start,
        days: query.days,
      },
      total_sales: paiseToRupees(window.salesPaise - window.duePaise),
      total_sales_paise: window.salesPaise - window.duePaise,
      total_pending: paiseToRupees(window.duePaise),
      total_pending_paise: window.duePaise,
      total_transactions: window.salesCount,
      avg_transaction: paiseToRupees(avgPaise),
      avg_transaction_paise: avgPaise,
      guest_users_count: window.guestCount,
      recent_transactions: recent.map(toTransactionDto),
      today: periodStats(days, cal.today, cal.today, cal.today_from, cal.today_to),
      this_week: periodStats(days, cal.week_start, cal.today, cal.week_from, cal.week_to),
      this_month: periodStats(days, cal.month_start, cal.today, cal.month_from, cal.month_to),
      outstanding: {
        amount: paiseToRupees(outstandingPaise),
        amount_paise: outstandingPaise,
        bills: int(outstanding.open_bills),
      },
      payment_methods: paymentMethods(window),
      customer_mix: {
        registered: {
          count: registered.count,
          amount: paiseToRupees(registered.paise),
          amount_paise: registered.paise,
        },
        guest: {
          count: window.guestCount,
          amount: paiseToRupees(window.guestPaise),
          amount_paise: window.guestPaise,
        },
      },
      daily_sales: dateRange(seriesStart, cal.today).map((date) => {
        const day = days.get(date);
        return {
          date,
          sales: paiseToRupees(day?.salesPaise ?? 0),
          sales_paise: day?.salesPaise ?? 0,
          transactions: day?.salesCount ?? 0,
        };
      }),
      top_customers: top.map(toTopCustomer),
    };
  }

  /**
   * The merchant's best buyers, registered and guests together: over the last `days` local days
   * (exact, from that window's rows), or of all time (from the maintained per-customer totals).
   */
  async topCustomers(merchantId: number, query: TopCustomersQueryDto): Promise<TopCustomersResponseDto> {
    const cal = await this.merchantCalendar(merchantId, this.clock.now(), query.days ?? 1);
    const rows =
      query.days === undefined
        ? await this.repo.topCustomersAllTime(merchantId, query.limit)
        : await this.repo.topCustomersBetween(merchantId, cal.window_from, cal.today_to, query.limit);
    return {
      timezone: cal.tz,
      days: query.days ?? null,
      window:
        query.days === undefined
          ? null
          : { from: iso(cal.window_from), to: iso(cal.today_to), start_date: cal.window_start },
      limit: query.limit,
      customers: rows.map(toTopCustomer),
    };
  }

  /** The customer's totals across merchants and this local week's and month's spending per merchant. */
  async user(userId: number, query: TimeZoneQueryDto): Promise<UserDashboardDto> {
    const now = this.clock.now();
    const cal = await this.zoneCalendar(query.tz, now);
    const merchants = await this.repo.customerMerchants(userId);
    const since = cal.week_from < cal.month_from ? cal.week_from : cal.month_from;
    const spend = await this.repo.customerWeekMonth(
      userId,
      activeSince(merchants, since),
      { from: cal.week_from, to: cal.week_to },
      { from: cal.month_from, to: cal.month_to },
    );
    const names = new Map(merchants.map((m) => [m.merchant_id, m.merchant_name]));
    const pending = pendingShops(merchants);
    const expenses = (pick: 'week' | 'month'): MerchantExpenseDto[] =>
      spend
        .map((r) => ({
          merchant_id: r.merchant_id,
          merchant_name: names.get(r.merchant_id) ?? '',
          unconfirmed: pending.has(r.merchant_id),
          amount_paise: int(pick === 'week' ? r.week_paise : r.month_paise),
          transactions: int(pick === 'week' ? r.week_count : r.month_count),
        }))
        .filter((e) => e.transactions > 0)
        .sort((a, b) => b.amount_paise - a.amount_paise || a.merchant_id - b.merchant_id)
        .map((e) => ({ ...e, amount: paiseToRupees(e.amount_paise) }));
    const [confirmed, unconfirmed] = byConfirmation(merchants);
    const totals = moneySplit(confirmed);
    const apart = moneySplit(unconfirmed);
    return {
      user_id: userId,
      timezone: cal.tz,
      week_start: iso(cal.week_from),
      week_end: iso(cal.week_to),
      month_start: iso(cal.month_from),
      month_end: iso(cal.month_to),
      generated_at: now.toISOString(),
      total_spent: totals.paid,
      total_spent_paise: totals.paid_paise,
      total_pending: totals.pending,
      total_pending_paise: totals.pending_paise,
      merchants_count: confirmed.length,
      unconfirmed: {
        merchants_count: unconfirmed.length,
        total_spent: apart.paid,
        total_spent_paise: apart.paid_paise,
        total_pending: apart.pending,
        total_pending_paise: apart.pending_paise,
      },
      weekly_expenses: expenses('week'),
      monthly_expenses: expenses('month'),
    };
  }

  /** The last `count` local weeks or months, each with its total and its split per merchant. */
  async expenses(userId: number, query: ExpensesQueryDto): Promise<ExpensesResponseDto> {
    const now = this.clock.now();
    const periods = await this.repo.periods(query.tz, query.period, query.count, now);
    const bounds = [...periods.map((p) => p.from), periods[periods.length - 1].to];
    const merchants = await this.repo.customerMerchants(userId);
    const rows = await this.repo.customerBuckets(userId, activeSince(merchants, bounds[0]), bounds);
    const names = new Map(merchants.map((m) => [m.merchant_id, m.merchant_name]));
    const pending = pendingShops(merchants);
    const out: ExpensePeriodDto[] = periods.map((p) => ({
      start_date: p.start_date,
      from: iso(p.from),
      to: iso(p.to),
      ...split(0, 0, 0),
      merchants: [],
    }));
    for (const r of rows) {
      const period = out[r.bucket - 1];
      if (!period) continue; // outside the bounds: cannot happen given the WHERE clause
      period.merchants.push({
        merchant_id: r.merchant_id,
        merchant_name: names.get(r.merchant_id) ?? '',
        unconfirmed: pending.has(r.merchant_id),
        ...split(int(r.amount_paise), int(r.paid_paise), int(r.purchases)),
        last_transaction_id: int(r.last_transaction_id),
        last_transaction_at: iso(r.last_transaction_at),
      });
    }
    for (const period of out) {
      period.merchants.sort((a, b) => b.total_paise - a.total_paise || a.merchant_id - b.merchant_id);
      // The period's totals count confirmed shops only; unconfirmed ones are listed, flagged.
      const counted = period.merchants.filter((m) => !m.unconfirmed);
      Object.assign(
        period,
        split(
          sum(counted.map((m) => m.total_paise)),
          sum(counted.map((m) => m.paid_paise)),
          sum(counted.map((m) => m.transactions)),
        ),
      );
    }
    return {
      timezone: query.tz,
      period: query.period,
      count: query.count,
      from: iso(bounds[0]),
      to: iso(bounds[bounds.length - 1]),
      periods: out,
    };
  }

  /** Every merchant the customer has bought from, with what was bought, paid and is still owed. */
  async merchants(userId: number): Promise<UserMerchantsResponseDto> {
    const merchants = await this.repo.customerMerchants(userId);
    const [confirmed, unconfirmed] = byConfirmation(merchants);
    return {
      merchants_count: merchants.length,
      totals: moneySplit(confirmed),
      unconfirmed_totals: moneySplit(unconfirmed),
      merchants: merchants.map((m) => ({
        merchant_id: m.merchant_id,
        merchant_name: m.merchant_name,
        unconfirmed: m.relation === 'pending',
        business_type: m.business_type,
        city: m.city,
        ...split(int(m.amount_paise), int(m.paid_paise), m.purchases),
        open_bills: m.open_bills,
        last_transaction_id: m.last_transaction_id === null ? null : int(m.last_transaction_id),
        last_transaction_at: m.last_transaction_at ? iso(m.last_transaction_at) : null,
      })),
    };
  }

  /** The customer's bills of one status across merchants, and what is still owed per merchant and in all. */
  async bills(userId: number, query: BillsQueryDto): Promise<BillsResponseDto> {
    const merchants = await this.repo.customerMerchants(userId);
    const withBills = merchants.filter((m) =>
      query.status === 'due' ? m.open_bills > 0 : m.bills - m.open_bills > 0,
    );
    const bills = await this.repo.customerBills(
      userId,
      withBills.map((m) => m.merchant_id),
      query.status,
      query.limit,
    );
    const owed = (m: CustomerMerchantRow) => int(m.amount_paise) - int(m.paid_paise);
    const [confirmed, unconfirmed] = byConfirmation(merchants);
    const totalOwed = sum(confirmed.map(owed));
    const unconfirmedOwed = sum(unconfirmed.map(owed));
    return {
      status: query.status,
      total_owed: paiseToRupees(totalOwed),
      total_owed_paise: totalOwed,
      unconfirmed_owed: paiseToRupees(unconfirmedOwed),
      unconfirmed_owed_paise: unconfirmedOwed,
      due_bills: sum(merchants.map((m) => m.open_bills)),
      paid_bills: sum(merchants.map((m) => m.bills - m.open_bills)),
      merchants: withBills
        .map((m) => ({
          merchant_id: m.merchant_id,
          merchant_name: m.merchant_name,
          unconfirmed: m.relation === 'pending',
          owed: paiseToRupees(owed(m)),
          owed_paise: owed(m),
          due_bills: m.open_bills,
          paid_bills: m.bills - m.open_bills,
        }))
        .sort((a, b) => b.owed_paise - a.owed_paise || a.merchant_id - b.merchant_id),
      limit: query.limit,
      bills: bills.map(toTransactionDto),
    };
  }

  /**
   * The merchant's sales in one period of local days ending today (today; this week from Monday; this
   * month; this year; or the last 31 days), the period of equal length before it, the money received
   * by method, what was paid per day, and the best buyers. Day figures come from the rollups.
   */
  async periodReport(merchantId: number, period: ReportPeriod): Promise<PeriodReport> {
    const now = this.clock.now();
    const today = (await this.merchantCalendar(merchantId, now, 1)).today;
    const start = periodStart(period, today);
    const length = dateRange(start, today).length;
    const cal = await this.merchantCalendar(merchantId, now, length);
    const previousStart = addDays(start, -length);
    const rows = await this.repo.dailyTotals(merchantId, previousStart, today);
    const days = new Map(rows.map((r) => [r.day, parseDay(r)]));
    const current = sumDays(days, start, today);
    const registeredBuyers = await this.repo.registeredBuyersBetween(
      merchantId,
      cal.window_from,
      cal.today_to,
    );
    const top = await this.repo.topCustomersBetween(
      merchantId,
      cal.window_from,
      cal.today_to,
      REPORT_TOP_CUSTOMERS,
    );
    return {
      timezone: cal.tz,
      start,
      end: today,
      current: salesTotals(current),
      previous: salesTotals(sumDays(days, previousStart, addDays(start, -1))),
      registeredBuyers,
      methods: PAYMENT_METHOD_COLUMNS.map((method) => ({ method, ...current.methods[method] })).filter(
        (m) => m.count !== 0,
      ),
      paidByDay: dateRange(start, today)
        .map((date) => {
          const day = days.get(date);
          return { date, paise: day ? day.salesPaise - day.duePaise : 0 };
        })
        .filter((d) => d.paise !== 0),
      topCustomers: top.map(toTopCustomer),
    };
  }

  /**
   * What the customer paid on purchases of the last 7 local days (per day), of the weeks since 21 days
   * ago (per week, keyed by its Monday) and of the months since a year before this month's 1st (per
   * month), in `tz`. Days, weeks and months without payments are absent.
   */
  async spending(userId: number, tz: string): Promise<SpendingReport> {
    const now = this.clock.now();
    const { today, month_start } = await this.zoneCalendar(tz, now);
    const dailyFrom = addDays(today, -6);
    const weeklyFrom = addDays(today, -21);
    const monthlyFrom = addDays(month_start, -365);
    const cal = await this.repo.calendar({ tz }, now, dateRange(monthlyFrom, today).length);
    const merchants = await this.repo.customerMerchants(userId);
    const rows = cal
      ? await this.repo.customerPaidByDay(
          userId,
          activeSince(merchants, cal.window_from),
          tz,
          cal.window_from,
        )
      : [];
    const report: SpendingReport = { timezone: tz, daily: new Map(), weekly: new Map(), monthly: new Map() };
    const add = (map: Map<string, number>, key: string, paise: number) =>
      map.set(key, (map.get(key) ?? 0) + paise);
    for (const r of rows) {
      const paise = int(r.paid_paise);
      if (paise === 0 || r.day > today) continue;
      if (r.day >= dailyFrom) add(report.daily, r.day, paise);
      if (r.day >= weeklyFrom) add(report.weekly, mondayOf(r.day), paise);
      if (r.day >= monthlyFrom) add(report.monthly, r.day.slice(0, 7), paise);
    }
    return report;
  }

  /** The customer's shops, with what was bought from each, all time. */
  async shops(userId: number): Promise<CustomerMerchantRow[]> {
    return this.repo.customerMerchants(userId);
  }

  /**
   * The name of one of the customer's shops (its owner's when it has none), or undefined when it is not
   * among them; 404 when no such merchant exists.
   */
  async shopName(userId: number, merchantId: number): Promise<string | undefined> {
    const notFound = () => new NotFoundError('Merchant');
    if (!Number.isSafeInteger(merchantId) || merchantId <= 0 || merchantId > MAX_DB_INTEGER) throw notFound();
    const shop = (await this.repo.customerMerchants(userId)).find((m) => m.merchant_id === merchantId);
    if (shop) return shop.merchant_name || shop.owner_name;
    if (!(await this.repo.merchantNames(merchantId))) throw notFound();
    return undefined;
  }

  private async merchantCalendar(merchantId: number, now: Date, days: number): Promise<CalendarRow> {
    const cal = await this.repo.calendar({ merchantId }, now, days);
    if (!cal) throw new NotFoundError('Merchant');
    return cal;
  }

  private async zoneCalendar(tz: string, now: Date): Promise<CalendarRow> {
    const cal = await this.repo.calendar({ tz }, now, 1);
    if (!cal) throw new NotFoundError('Time zone'); // unreachable: the zone was validated
    return cal;
  }
}

/** The largest value of a PostgreSQL `integer` (merchant and customer ids). */
const MAX_DB_INTEGER = 2 ** 31 - 1;

/** The first local day of a report period ending on `today`. */
function periodStart(period: ReportPeriod, today: string): string {
  switch (period) {
    case 'daily':
      return today;
    case 'weekly':
      return mondayOf(today);
    case 'monthly':
      return `${today.slice(0, 7)}-01`;
    case 'yearly':
      return `${today.slice(0, 4)}-01-01`;
    default:
      return addDays(today, -30);
  }
}

/** The Monday of the ISO week holding `date` (calendar arithmetic only). */
export function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7));
}

function salesTotals(t: DayTotals): SalesTotals {
  return {
    transactions: t.salesCount,
    amountPaise: t.salesPaise,
    paidPaise: t.salesPaise - t.duePaise,
    duePaise: t.duePaise,
    guestSales: t.guestCount,
  };
}

/** A bigint column as a number; paise sums stay far below 2^53, and this says so loudly if not. */
function int(value: string | number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`Not a safe integer: ${value}`);
  return n;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const iso = (d: Date) => d.toISOString();

/** `YYYY-MM-DD` plus `n` calendar days (calendar arithmetic only: no zone is involved). */
export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Every date from `from` to `to`, both included. */
export function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

function emptyTotals(): DayTotals {
  return {
    salesCount: 0,
    salesPaise: 0,
    duePaise: 0,
    collectedPaise: 0,
    guestCount: 0,
    guestPaise: 0,
    methods: Object.fromEntries(PAYMENT_METHOD_COLUMNS.map((m) => [m, { count: 0, paise: 0 }])) as Record<
      MethodColumn,
      { count: number; paise: number }
    >,
  };
}

function parseDay(r: DayRow): DayTotals {
  const t = emptyTotals();
  t.salesCount = int(r.sales_count);
  t.salesPaise = int(r.sales_paise);
  t.duePaise = int(r.due_paise);
  t.collectedPaise = int(r.collected_paise);
  t.guestCount = int(r.guest_count);
  t.guestPaise = int(r.guest_paise);
  for (const m of PAYMENT_METHOD_COLUMNS)
    t.methods[m] = { count: int(r[`${m}_count`]), paise: int(r[`${m}_paise`]) };
  return t;
}

/** The totals of the local days from `from` to `to` (inclusive). */
function sumDays(days: Map<string, DayTotals>, from: string, to: string): DayTotals {
  const t = emptyTotals();
  for (const [day, d] of days) {
    if (day < from || day > to) continue;
    t.salesCount += d.salesCount;
    t.salesPaise += d.salesPaise;
    t.duePaise += d.duePaise;
    t.collectedPaise += d.collectedPaise;
    t.guestCount += d.guestCount;
    t.guestPaise += d.guestPaise;
    for (const m of PAYMENT_METHOD_COLUMNS) {
      t.methods[m].count += d.methods[m].count;
      t.methods[m].paise += d.methods[m].paise;
    }
  }
  return t;
}

function periodStats(
  days: Map<string, DayTotals>,
  fromDay: string,
  toDay: string,
  from: Date,
  to: Date,
): PeriodStatsDto {
  const t = sumDays(days, fromDay, toDay);
  return {
    from: iso(from),
    to: iso(to),
    start_date: fromDay,
    sales: paiseToRupees(t.salesPaise),
    sales_paise: t.salesPaise,
    collected: paiseToRupees(t.collectedPaise),
    collected_paise: t.collectedPaise,
    due: paiseToRupees(t.duePaise),
    due_paise: t.duePaise,
    transactions: t.salesCount,
  };
}

/** Money received by method: the six known methods always, `unspecified` only when it happened. */
function paymentMethods(t: DayTotals): PaymentMethodStatsDto[] {
  return PAYMENT_METHOD_COLUMNS.filter((m) => m !== 'unspecified' || t.methods[m].count !== 0)
    .map((method, order) => ({ method, order, ...t.methods[method] }))
    .sort((a, b) => b.paise - a.paise || a.order - b.order)
    .map(({ method, count, paise }) => ({
      method,
      count,
      amount: paiseToRupees(paise),
      amount_paise: paise,
    }));
}

function toTopCustomer(r: TopCustomerRow, index: number): TopCustomerDto {
  const amount = int(r.amount_paise);
  return {
    rank: index + 1,
    is_guest: r.guest_user_id !== null,
    user_id: r.user_id,
    guest_user_id: r.guest_user_id,
    name: r.name,
    phone_last_4: r.phone ? lastDigits(r.phone) : null,
    amount: paiseToRupees(amount),
    amount_paise: amount,
    transactions: int(r.purchases),
    last_transaction_at: iso(r.last_transaction_at),
  };
}

function split(totalPaise: number, paidPaise: number, transactions: number): MoneySplitDto {
  return {
    total: paiseToRupees(totalPaise),
    total_paise: totalPaise,
    paid: paiseToRupees(paidPaise),
    paid_paise: paidPaise,
    pending: paiseToRupees(totalPaise - paidPaise),
    pending_paise: totalPaise - paidPaise,
    transactions,
  };
}

function moneySplit(merchants: CustomerMerchantRow[]): MoneySplitDto {
  return split(
    sum(merchants.map((m) => int(m.amount_paise))),
    sum(merchants.map((m) => int(m.paid_paise))),
    sum(merchants.map((m) => m.purchases)),
  );
}

/** The customer's shops split into confirmed (accepted) and unconfirmed (pending) ones. */
function byConfirmation(merchants: CustomerMerchantRow[]): [CustomerMerchantRow[], CustomerMerchantRow[]] {
  return [
    merchants.filter((m) => m.relation !== 'pending'),
    merchants.filter((m) => m.relation === 'pending'),
  ];
}

function pendingShops(merchants: CustomerMerchantRow[]): Set<number> {
  return new Set(merchants.filter((m) => m.relation === 'pending').map((m) => m.merchant_id));
}

/** Merchants with a purchase at or after `since`: the only shops a period query needs. */
function activeSince(merchants: CustomerMerchantRow[], since: Date): number[] {
  return merchants
    .filter((m) => m.last_transaction_at !== null && m.last_transaction_at >= since)
    .map((m) => m.merchant_id);
}

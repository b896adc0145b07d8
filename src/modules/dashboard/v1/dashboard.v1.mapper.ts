import { Injectable } from '@nestjs/common';
import { v1Amount } from '../../../common/v1/v1.js';
import type { TransactionResponseDto } from '../../transactions/dto/transaction-response.dto.js';
import { toV1UserDetails, v1Type } from '../../transactions/dto/v1-transaction-response.dto.js';
import { TransactionsService } from '../../transactions/transactions.service.js';
import type { CustomerMerchantRow } from '../dashboard.repository.js';
import {
  DashboardService,
  REPORT_PERIODS,
  type ReportPeriod,
  type SalesTotals,
} from '../dashboard.service.js';
import type { TopCustomerDto } from '../dto/merchant-dashboard.dto.js';
import type { MerchantExpenseDto } from '../dto/user-dashboard.dto.js';
import type {
  DetailedAnalyticsV1Dto,
  ExpenseV1Dto,
  MerchantAmountV1Dto,
  MerchantDashboardV1Dto,
  PeriodV1QueryDto,
  RecentTransactionV1Dto,
  ShopTransactionsV1QueryDto,
  ShopTransactionV1Dto,
  SpendingAnalyticsV1Dto,
  SpendingV1QueryDto,
  TopCustomersV1QueryDto,
  TopCustomerV1Dto,
  UserDashboardV1Dto,
  UserMerchantV1Dto,
} from './dashboard.v1.dto.js';
import type { MerchantDashboardQueryDto, TimeZoneQueryDto } from '../dto/dashboard-query.dto.js';

/** The original's default page of a customer's purchases from one shop. */
const SHOP_PAGE_DEFAULT = 50;

/**
 * The dashboards in the original API's shapes (`/api/v1`), mapped from the answers of the one
 * {@link DashboardService}: no figure is computed here, only renamed, reshaped and turned into rupees.
 */
@Injectable()
export class DashboardV1Mapper {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly transactions: TransactionsService,
  ) {}

  async merchant(merchantId: number, query: MerchantDashboardQueryDto): Promise<MerchantDashboardV1Dto> {
    const d = await this.dashboard.merchant(merchantId, { days: query.days });
    const buyers = await this.transactions.buyersOf(
      d.recent_transactions.flatMap((t) => (t.user_id === null ? [] : [t.user_id])),
    );
    return {
      total_sales: d.total_sales,
      total_transactions: d.total_transactions,
      total_pending: d.total_pending,
      avg_transaction: d.avg_transaction,
      guest_users_count: d.guest_users_count,
      recent_transactions: d.recent_transactions.map((t) => toRecentTransaction(t, buyers)),
    };
  }

  async topCustomers(merchantId: number, query: TopCustomersV1QueryDto): Promise<TopCustomerV1Dto[]> {
    const { customers } = await this.dashboard.topCustomers(merchantId, { limit: query.limit });
    return customers.map((c) => {
      const figures = { total_amount: c.amount, transaction_count: c.transactions };
      return c.is_guest
        ? { guest_user_id: c.guest_user_id!, ...figures, type: 'guest' as const }
        : { user_id: c.user_id!, ...figures, type: 'registered' as const };
    });
  }

  async detailedAnalytics(merchantId: number, query: PeriodV1QueryDto): Promise<DetailedAnalyticsV1Dto> {
    const period: ReportPeriod = (REPORT_PERIODS as readonly string[]).includes(query.period)
      ? (query.period as ReportPeriod)
      : 'last_31_days';
    const r = await this.dashboard.periodReport(merchantId, period);
    return {
      period: query.period,
      date_range: { start: r.start, end: r.end },
      summary: {
        total_sales: v1Amount(r.current.paidPaise),
        total_pending: v1Amount(r.current.duePaise),
        total_transactions: r.current.transactions,
        avg_transaction: meanSale(r.current),
        unique_customers: r.registeredBuyers,
        guest_customers: r.current.guestSales,
      },
      growth: {
        sales_growth_percent: growth(r.current.paidPaise, r.previous.paidPaise),
        transaction_growth_percent: growth(r.current.transactions, r.previous.transactions),
      },
      payment_methods: Object.fromEntries(
        r.methods.map((m) => [
          m.method === 'unspecified' ? 'UNKNOWN' : m.method,
          { count: m.count, amount: v1Amount(m.paise) },
        ]),
      ),
      daily_sales: Object.fromEntries(r.paidByDay.map((d) => [d.date, v1Amount(d.paise)])),
      top_customers: r.topCustomers.map((c: TopCustomerDto) => ({
        customer_id: (c.is_guest ? c.guest_user_id : c.user_id)!,
        total_amount: c.amount,
        transaction_count: c.transactions,
        type: c.is_guest ? ('guest' as const) : ('registered' as const),
      })),
    };
  }

  async user(userId: number, query: TimeZoneQueryDto): Promise<UserDashboardV1Dto> {
    const d = await this.dashboard.user(userId, query);
    const owners = ownerNames(await this.dashboard.shops(userId));
    const expenses = (list: MerchantExpenseDto[]): MerchantAmountV1Dto[] =>
      list
        .filter((e) => e.amount_paise > 0)
        .map((e) => ({
          merchant_id: e.merchant_id,
          merchant_name: owners.get(e.merchant_id) ?? e.merchant_name,
          amount: e.amount,
        }));
    // v2 keeps a pending (unconfirmed) shop's bills apart; v1 counts accepted and pending shops alike
    // (blocked ones are never there).
    return {
      total_spent: v1Amount(d.total_spent_paise + d.unconfirmed.total_spent_paise),
      total_pending: v1Amount(d.total_pending_paise + d.unconfirmed.total_pending_paise),
      merchants_count: d.merchants_count + d.unconfirmed.merchants_count,
      weekly_expenses: expenses(d.weekly_expenses),
      monthly_expenses: expenses(d.monthly_expenses),
    };
  }

  async expenses(userId: number): Promise<ExpenseV1Dto[]> {
    const shops = await this.dashboard.shops(userId);
    return shops
      .filter((s) => s.purchases > 0)
      .map((s) => {
        const { amount, paid, pending } = shopMoney(s);
        return {
          merchant_id: s.merchant_id,
          merchant_name: s.owner_name,
          total_amount: v1Amount(amount),
          paid_amount: v1Amount(paid),
          pending_amount: v1Amount(pending),
          transaction_count: s.purchases,
          last_transaction: s.last_transaction_at!.toISOString(),
          order: amount,
        };
      })
      .sort((a, b) => b.order - a.order || a.merchant_id - b.merchant_id)
      .map(({ order: _order, ...e }) => e);
  }

  async merchants(userId: number): Promise<UserMerchantV1Dto[]> {
    const shops = await this.dashboard.shops(userId);
    return shops
      .filter((s) => s.purchases > 0)
      .map((s) => {
        const { paid, pending } = shopMoney(s);
        return {
          merchant_id: s.merchant_id,
          merchant_name: s.owner_name,
          business_name: s.merchant_name || s.owner_name,
          city: s.city,
          state: s.state,
          total_spent: v1Amount(paid),
          total_pending: v1Amount(pending),
          transaction_count: s.purchases,
          last_transaction: s.last_transaction_at ? s.last_transaction_at.toISOString() : null,
          order: pending,
        };
      })
      .sort((a, b) => b.order - a.order || a.merchant_id - b.merchant_id)
      .map(({ order: _order, ...m }) => m);
  }

  async spendingAnalytics(userId: number, query: SpendingV1QueryDto): Promise<SpendingAnalyticsV1Dto> {
    const r = await this.dashboard.spending(userId, query.tz);
    const daily = rupeeMap(r.daily);
    const weekly = rupeeMap(r.weekly);
    const monthly = rupeeMap(r.monthly);
    return {
      period: query.period,
      daily_spending: daily.map,
      weekly_spending: weekly.map,
      monthly_spending: monthly.map,
      total_daily: daily.total,
      total_weekly: weekly.total,
      total_monthly: monthly.total,
    };
  }

  /** The customer's own purchases from one of their shops: the history's page, scoped to that shop. */
  async shopTransactions(
    userId: number,
    merchantId: number,
    query: ShopTransactionsV1QueryDto,
  ): Promise<ShopTransactionV1Dto[]> {
    const shopName = await this.dashboard.shopName(userId, merchantId);
    if (shopName === undefined) return [];
    const page = await this.transactions.history(
      { id: userId, role: 'user' },
      { limit: query.limit ?? SHOP_PAGE_DEFAULT, offset: query.offset ?? 0 },
      merchantId,
    );
    return page.items.map((t) => ({
      transaction_id: t.id,
      amount: t.amount,
      status: v1Type(t.status),
      payment_method: t.payment_method,
      description: t.description,
      datetime: t.occurred_at,
      merchant_name: shopName,
    }));
  }
}

function toRecentTransaction(
  t: TransactionResponseDto,
  buyers: Map<number, { name: string; phone: string }>,
): RecentTransactionV1Dto {
  return {
    transaction_id: t.id,
    user_id: t.user_id,
    timestamp: t.occurred_at,
    amount: t.amount,
    type: v1Type(t.status),
    description: t.description,
    payment_method: t.payment_method,
    guest_user: t.guest_user_id,
    // Guests have no details here: the original showed whichever customer shared the guest's id.
    user_details: toV1UserDetails(t.user_id === null ? undefined : buyers.get(t.user_id)),
  };
}

/** The mean sale of a period, to the paisa. */
function meanSale(t: SalesTotals): number {
  return t.transactions ? v1Amount(Math.round(t.amountPaise / t.transactions)) : 0;
}

/** Change over the previous period, in percent to 2 decimals; 0 when the previous period had none. */
function growth(current: number, previous: number): number {
  return previous ? Math.round(((current - previous) / previous) * 10_000) / 100 : 0;
}

function ownerNames(shops: CustomerMerchantRow[]): Map<number, string> {
  return new Map(shops.map((s) => [s.merchant_id, s.owner_name]));
}

function shopMoney(s: CustomerMerchantRow): { amount: number; paid: number; pending: number } {
  const amount = Number(s.amount_paise);
  const paid = Number(s.paid_paise);
  return { amount, paid, pending: amount - paid };
}

/** A map of paise as an object of rupees sorted by key, and its total summed in paise. */
function rupeeMap(map: Map<string, number>): { map: Record<string, number>; total: number } {
  const keys = [...map.keys()].sort();
  let total = 0;
  for (const k of keys) total += map.get(k)!;
  return {
    map: Object.fromEntries(keys.map((k) => [k, v1Amount(map.get(k)!)])),
    total: v1Amount(total),
  };
}

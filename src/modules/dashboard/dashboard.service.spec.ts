import { Clock } from '../../common/time/clock.js';
import type {
  CalendarRow,
  CustomerMerchantRow,
  DashboardRepository,
  DayRow,
  PeriodRow,
} from './dashboard.repository.js';
import { DAY_SUM_COLUMNS } from './dashboard.repository.js';
import { addDays, dateRange, DashboardService, mondayOf } from './dashboard.service.js';

const NOW = new Date('2025-06-11T06:30:00Z');

function calendar(overrides: Partial<CalendarRow> = {}): CalendarRow {
  return {
    tz: 'Asia/Kolkata',
    today: '2025-06-11',
    week_start: '2025-06-09',
    month_start: '2025-06-01',
    window_start: '2025-05-13',
    today_from: new Date('2025-06-10T18:30:00Z'),
    today_to: new Date('2025-06-11T18:30:00Z'),
    week_from: new Date('2025-06-08T18:30:00Z'),
    week_to: new Date('2025-06-15T18:30:00Z'),
    month_from: new Date('2025-05-31T18:30:00Z'),
    month_to: new Date('2025-06-30T18:30:00Z'),
    window_from: new Date('2025-05-12T18:30:00Z'),
    ...overrides,
  };
}

function day(date: string, values: Partial<Record<string, number>>): DayRow {
  const row: Record<string, string> = { day: date };
  for (const c of DAY_SUM_COLUMNS) row[c] = String(values[c] ?? 0);
  return row as unknown as DayRow;
}

/** A hand-written fake: only what each test sets up answers. */
function fakeRepository(setup: Partial<Record<keyof DashboardRepository, unknown>>) {
  const calls: { method: string; args: unknown[] }[] = [];
  const repo = new Proxy(
    {},
    {
      get:
        (_target, method: string) =>
        (...args: unknown[]) => {
          calls.push({ method, args });
          const answer = setup[method as keyof DashboardRepository];
          if (answer === undefined) throw new Error(`unexpected call ${method}`);
          return Promise.resolve(typeof answer === 'function' ? answer(...args) : answer);
        },
    },
  ) as DashboardRepository;
  return { repo, calls };
}

const clock: Clock = { now: () => NOW };

describe('DashboardService', () => {
  describe('calendar helpers', () => {
    it('adds days across months, leap days and years', () => {
      expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
      expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
      expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
      expect(addDays('2025-03-10', -29)).toBe('2025-02-09');
    });

    it('lists every date of a range, both ends included', () => {
      expect(dateRange('2024-12-30', '2025-01-02')).toEqual([
        '2024-12-30',
        '2024-12-31',
        '2025-01-01',
        '2025-01-02',
      ]);
      expect(dateRange('2025-01-02', '2025-01-01')).toEqual([]);
    });

    it('finds the Monday that opens a date’s week, across months and years', () => {
      expect(mondayOf('2025-06-09')).toBe('2025-06-09'); // a Monday
      expect(mondayOf('2025-06-08')).toBe('2025-06-02'); // a Sunday belongs to the week before
      expect(mondayOf('2025-06-11')).toBe('2025-06-09');
      expect(mondayOf('2025-03-01')).toBe('2025-02-24');
      expect(mondayOf('2026-01-01')).toBe('2025-12-29');
    });
  });

  describe('merchant', () => {
    it('sums local days into the window, today, this week and this month, exactly in paise', async () => {
      const { repo, calls } = fakeRepository({
        calendar: calendar(),
        dailyTotals: [
          day('2025-05-12', { sales_count: 1, sales_paise: 99999 }), // before the window: ignored
          day('2025-05-31', {
            sales_count: 2,
            sales_paise: 30,
            collected_paise: 30,
            unspecified_count: 2,
            unspecified_paise: 30,
          }),
          day('2025-06-08', {
            sales_count: 1,
            sales_paise: 700,
            due_paise: 700,
            guest_count: 1,
            guest_paise: 700,
          }),
          day('2025-06-09', {
            sales_count: 1,
            sales_paise: 10000,
            collected_paise: 10000,
            upi_count: 1,
            upi_paise: 10000,
          }),
          day('2025-06-11', {
            sales_count: 0,
            sales_paise: 0,
            collected_paise: 500,
            cash_count: 1,
            cash_paise: 500,
          }),
        ],
        outstanding: { due_paise: '700', open_bills: '1' },
        recentForMerchant: [],
        topCustomersAllTime: [],
      });
      const d = await new DashboardService(repo, clock).merchant(3, { days: 30 });

      expect(calls.find((c) => c.method === 'dailyTotals')?.args).toEqual([3, '2025-05-13', '2025-06-11']);
      expect(d).toMatchObject({
        merchant_id: 3,
        timezone: 'Asia/Kolkata',
        total_transactions: 4,
        total_sales: 100.3,
        total_sales_paise: 10030,
        total_pending: 7,
        guest_users_count: 1,
        avg_transaction_paise: Math.round(10730 / 4),
        outstanding: { amount: 7, amount_paise: 700, bills: 1 },
        customer_mix: {
          registered: { count: 3, amount: 100.3, amount_paise: 10030 },
          guest: { count: 1, amount: 7, amount_paise: 700 },
        },
      });
      expect(d.today).toMatchObject({ sales_paise: 0, collected_paise: 500, transactions: 0 });
      expect(d.this_week).toMatchObject({
        start_date: '2025-06-09',
        sales_paise: 10000,
        collected_paise: 10500,
      });
      expect(d.this_month).toMatchObject({ start_date: '2025-06-01', sales_paise: 10700, due_paise: 700 });
      expect(d.daily_sales).toHaveLength(30);
      expect(d.daily_sales[0]).toEqual({ date: '2025-05-13', sales: 0, sales_paise: 0, transactions: 0 });
      expect(d.daily_sales[29].date).toBe('2025-06-11');
      expect(d.payment_methods.map((p) => [p.method, p.amount_paise])).toEqual([
        ['upi', 10000],
        ['cash', 500],
        ['unspecified', 30],
        ['card', 0],
        ['online', 0],
        ['bank_transfer', 0],
        ['other', 0],
      ]);
    });

    it('is a 404 for a merchant that no longer exists', async () => {
      const { repo } = fakeRepository({ calendar: () => undefined });
      await expect(new DashboardService(repo, clock).merchant(9, { days: 30 })).rejects.toMatchObject({
        status: 404,
      });
    });
  });

  describe('customer', () => {
    const merchants: CustomerMerchantRow[] = [
      {
        merchant_id: 1,
        merchant_name: 'A',
        owner_name: 'Owner A',
        business_type: null,
        city: null,
        state: null,
        purchases: 3,
        amount_paise: '30',
        paid_paise: '10',
        bills: 1,
        open_bills: 1,
        last_transaction_id: '7',
        last_transaction_at: new Date('2025-06-10T00:00:00Z'),
        relation: 'accepted',
      },
      {
        merchant_id: 2,
        merchant_name: 'B',
        owner_name: 'Owner B',
        business_type: null,
        city: null,
        state: null,
        purchases: 1,
        amount_paise: '5',
        paid_paise: '5',
        bills: 0,
        open_bills: 0,
        last_transaction_id: '3',
        last_transaction_at: new Date('2025-01-01T00:00:00Z'), // long ago: its rows are not read
        relation: 'accepted',
      },
    ];

    it('reads this week and month only from merchants with a purchase since they began', async () => {
      const { repo, calls } = fakeRepository({
        calendar: calendar(),
        customerMerchants: merchants,
        customerWeekMonth: [
          { merchant_id: 1, week_paise: '20', week_count: '2', month_paise: '30', month_count: '3' },
        ],
      });
      const d = await new DashboardService(repo, clock).user(5, { tz: 'Asia/Kolkata' });
      expect(calls.find((c) => c.method === 'customerWeekMonth')?.args[1]).toEqual([1]);
      expect(d).toMatchObject({
        total_spent: 0.15,
        total_spent_paise: 15,
        total_pending: 0.2,
        merchants_count: 2,
        week_start: '2025-06-08T18:30:00.000Z',
        month_start: '2025-05-31T18:30:00.000Z',
      });
      expect(d.weekly_expenses).toEqual([
        {
          merchant_id: 1,
          merchant_name: 'A',
          unconfirmed: false,
          amount: 0.2,
          amount_paise: 20,
          transactions: 2,
        },
      ]);
    });

    it('files purchases into zero-filled periods by bucket', async () => {
      const periods: PeriodRow[] = [
        {
          start_date: '2025-05-01',
          from: new Date('2025-04-30T18:30:00Z'),
          to: new Date('2025-05-31T18:30:00Z'),
        },
        {
          start_date: '2025-06-01',
          from: new Date('2025-05-31T18:30:00Z'),
          to: new Date('2025-06-30T18:30:00Z'),
        },
      ];
      const { repo, calls } = fakeRepository({
        periods,
        customerMerchants: merchants,
        customerBuckets: [
          {
            bucket: 2,
            merchant_id: 1,
            amount_paise: '30',
            paid_paise: '10',
            purchases: '3',
            last_transaction_id: '7',
            last_transaction_at: new Date('2025-06-10T00:00:00Z'),
          },
        ],
      });
      const e = await new DashboardService(repo, clock).expenses(5, {
        tz: 'Asia/Kolkata',
        period: 'month',
        count: 2,
      });
      expect(calls.find((c) => c.method === 'customerBuckets')?.args[2]).toEqual([
        periods[0].from,
        periods[1].from,
        periods[1].to,
      ]);
      expect(e.periods[0]).toMatchObject({ start_date: '2025-05-01', total_paise: 0, merchants: [] });
      expect(e.periods[1]).toMatchObject({ total: 0.3, paid: 0.1, pending: 0.2, transactions: 3 });
      expect(e.periods[1].merchants[0]).toMatchObject({ merchant_id: 1, last_transaction_id: 7 });
    });
  });
});

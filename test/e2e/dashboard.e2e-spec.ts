import { jest } from '@jest/globals';
import { Clock } from '../../src/common/time/clock.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestClock, type DatedSale } from '../support/clock.js';
import { acceptShop, registerMerchant, registerUser, type Account } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';
import { badTokens } from '../support/tokens.js';

// Many requests per test, on shared CI machines.
jest.setTimeout(30_000);

const clock = createTestClock();

type Sale = DatedSale;

describe('dashboards (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ override: (b) => b.overrideProvider(Clock).useValue(clock) });
  });
  afterAll(() => t.close());
  afterEach(() => {
    clock.at = null;
  });

  async function sell(m: Account, sale: Sale): Promise<{ id: number }> {
    const res = await t.http
      .post('/api/v2/transactions/create')
      .set(m.auth)
      .send({ type: 'paid', ...sale });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    // The customers of these tests know their shops: confirmed, so their sales count in the totals.
    if (sale.user_id) await acceptShop(t, sale.user_id, m.id);
    return res.body;
  }

  async function settle(m: Account, id: number, body: Record<string, unknown>) {
    const res = await t.http.post(`/api/v2/transactions/${id}/settle`).set(m.auth).send(body);
    if (res.status !== 200) throw new Error(`settle failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  const merchantDashboard = async (m: Account, query = '') =>
    (await t.http.get(`/api/v2/dashboard/merchant${query}`).set(m.auth).expect(200)).body;
  const userDashboard = async (u: Account, query = '') =>
    (await t.http.get(`/api/v2/dashboard/user${query}`).set(u.auth).expect(200)).body;

  describe('local weeks (Asia/Kolkata): Monday 00:00 IST, not UTC', () => {
    // Wednesday 11 June 2025, 12:00 IST. Monday 00:00 IST is Sunday 18:30 UTC.
    const NOW = new Date('2025-06-11T06:30:00Z');
    const MONDAY_0030_IST = '2025-06-08T19:00:00Z'; // Sunday in UTC: a UTC week would leave it out
    const SUNDAY_2330_IST = '2025-06-08T18:00:00Z'; // last week in India

    it('counts a sale at 00:30 IST on Monday in this week and one at 23:30 IST on Sunday in the last', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      await sell(m, { amount: 100, user_id: u.id, occurred_at: MONDAY_0030_IST });
      await sell(m, { amount: 7, user_id: u.id, occurred_at: SUNDAY_2330_IST });
      clock.at = NOW;

      const d = await merchantDashboard(m);
      expect(d.timezone).toBe('Asia/Kolkata');
      expect(d.generated_at).toBe('2025-06-11T06:30:00.000Z');
      expect(d.this_week).toEqual({
        from: '2025-06-08T18:30:00.000Z',
        to: '2025-06-15T18:30:00.000Z',
        start_date: '2025-06-09',
        sales: 100,
        sales_paise: 10000,
        collected: 100,
        collected_paise: 10000,
        due: 0,
        due_paise: 0,
        transactions: 1,
      });
      expect(d.today).toMatchObject({
        from: '2025-06-10T18:30:00.000Z',
        to: '2025-06-11T18:30:00.000Z',
        start_date: '2025-06-11',
        sales_paise: 0,
        transactions: 0,
      });
      const day = (date: string) => d.daily_sales.find((x: { date: string }) => x.date === date);
      expect(day('2025-06-09')).toEqual({
        date: '2025-06-09',
        sales: 100,
        sales_paise: 10000,
        transactions: 1,
      });
      expect(day('2025-06-08')).toEqual({ date: '2025-06-08', sales: 7, sales_paise: 700, transactions: 1 });

      const ud = await userDashboard(u, '?tz=Asia/Kolkata');
      expect(ud).toMatchObject({
        timezone: 'Asia/Kolkata',
        week_start: '2025-06-08T18:30:00.000Z',
        week_end: '2025-06-15T18:30:00.000Z',
        month_start: '2025-05-31T18:30:00.000Z',
        month_end: '2025-06-30T18:30:00.000Z',
      });
      expect(ud.weekly_expenses).toEqual([
        {
          merchant_id: m.id,
          merchant_name: expect.any(String),
          unconfirmed: false,
          amount: 100,
          amount_paise: 10000,
          transactions: 1,
        },
      ]);
      expect(ud.monthly_expenses).toEqual([expect.objectContaining({ amount: 107, amount_paise: 10700 })]);
    });

    it('shifts the week with the `tz` asked for: UTC drops both sales, Tokyo keeps both', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      await sell(m, { amount: 100, user_id: u.id, occurred_at: MONDAY_0030_IST });
      await sell(m, { amount: 7, user_id: u.id, occurred_at: SUNDAY_2330_IST });
      clock.at = NOW;

      const utc = await userDashboard(u, '?tz=UTC');
      expect(utc.timezone).toBe('UTC');
      expect(utc.week_start).toBe('2025-06-09T00:00:00.000Z');
      expect(utc.weekly_expenses).toEqual([]);

      const tokyo = await userDashboard(u, '?tz=Asia/Tokyo');
      expect(tokyo.week_start).toBe('2025-06-08T15:00:00.000Z');
      expect(tokyo.weekly_expenses).toEqual([expect.objectContaining({ amount: 107, transactions: 2 })]);

      // Without tz: India.
      expect((await userDashboard(u)).week_start).toBe('2025-06-08T18:30:00.000Z');
    });

    it("uses the merchant's own zone: in New York, 23:30 Sunday is last week though UTC says Monday", async () => {
      const m = await registerMerchant(t, { timezone: 'America/New_York' });
      await sell(m, { amount: 11, occurred_at: '2025-06-09T03:30:00Z', is_guest_transaction: true }); // Sun 23:30 EDT
      await sell(m, { amount: 22, occurred_at: '2025-06-09T04:30:00Z', is_guest_transaction: true }); // Mon 00:30 EDT
      clock.at = NOW;
      const d = await merchantDashboard(m);
      expect(d.timezone).toBe('America/New_York');
      expect(d.this_week).toMatchObject({
        from: '2025-06-09T04:00:00.000Z',
        start_date: '2025-06-09',
        sales_paise: 2200,
        transactions: 1,
      });
      expect(d.daily_sales.find((x: { date: string }) => x.date === '2025-06-08').sales_paise).toBe(1100);
    });
  });

  describe('local months', () => {
    // Wednesday 2 July 2025, 10:00 IST.
    const NOW = new Date('2025-07-02T04:30:00Z');
    const JULY_1_0030_IST = '2025-06-30T19:00:00Z';
    const JUNE_30_2330_IST = '2025-06-30T18:00:00Z';

    it('counts 00:30 IST on the 1st in this month and 23:30 IST on the 30th in the last', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      await sell(m, { amount: 40, user_id: u.id, occurred_at: JULY_1_0030_IST });
      await sell(m, { amount: 3, user_id: u.id, occurred_at: JUNE_30_2330_IST, type: 'pay_later' });
      clock.at = NOW;

      const d = await merchantDashboard(m);
      expect(d.this_month).toMatchObject({
        from: '2025-06-30T18:30:00.000Z',
        to: '2025-07-31T18:30:00.000Z',
        start_date: '2025-07-01',
        sales_paise: 4000,
        due_paise: 0,
        transactions: 1,
      });
      // 30 June is last month but still this week (Monday 30 June).
      expect(d.this_week).toMatchObject({ start_date: '2025-06-30', sales_paise: 4300, due_paise: 300 });

      const ud = await userDashboard(u);
      expect(ud.month_start).toBe('2025-06-30T18:30:00.000Z');
      expect(ud.monthly_expenses).toEqual([expect.objectContaining({ amount: 40, transactions: 1 })]);
      expect(ud.weekly_expenses).toEqual([expect.objectContaining({ amount: 43, transactions: 2 })]);

      const ex = (
        await t.http.get('/api/v2/dashboard/user/expenses?period=month&count=2').set(u.auth).expect(200)
      ).body;
      expect(ex).toMatchObject({
        timezone: 'Asia/Kolkata',
        period: 'month',
        count: 2,
        from: '2025-05-31T18:30:00.000Z',
        to: '2025-07-31T18:30:00.000Z',
      });
      expect(ex.periods.map((p: { start_date: string }) => p.start_date)).toEqual([
        '2025-06-01',
        '2025-07-01',
      ]);
      expect(ex.periods[0]).toMatchObject({ total: 3, paid: 0, pending: 3, transactions: 1 });
      expect(ex.periods[0].merchants).toEqual([
        expect.objectContaining({
          merchant_id: m.id,
          total: 3,
          pending: 3,
          pending_paise: 300,
          transactions: 1,
        }),
      ]);
      expect(ex.periods[1]).toMatchObject({ total: 40, paid: 40, pending: 0, transactions: 1 });
      expect(ex.periods[1].merchants[0]).toMatchObject({
        merchant_id: m.id,
        last_transaction_at: '2025-06-30T19:00:00.000Z',
        last_transaction_id: expect.any(Number),
      });

      // In UTC both sales are in June.
      const utc = (
        await t.http
          .get('/api/v2/dashboard/user/expenses?period=month&count=1&tz=UTC')
          .set(u.auth)
          .expect(200)
      ).body;
      expect(utc.periods).toHaveLength(1);
      expect(utc.periods[0]).toMatchObject({
        start_date: '2025-07-01',
        total: 0,
        transactions: 0,
        merchants: [],
      });
    });

    it('gives weekly expenses per period, oldest first, zero-filled', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      await sell(m, { amount: 5, user_id: u.id, occurred_at: '2025-06-16T06:00:00Z' }); // week of 16 June
      clock.at = NOW;
      const ex = (
        await t.http.get('/api/v2/dashboard/user/expenses?period=week&count=3').set(u.auth).expect(200)
      ).body;
      expect(ex.periods.map((p: { start_date: string }) => p.start_date)).toEqual([
        '2025-06-16',
        '2025-06-23',
        '2025-06-30',
      ]);
      expect(ex.periods.map((p: { total_paise: number }) => p.total_paise)).toEqual([500, 0, 0]);
      expect(ex.periods[0].from).toBe('2025-06-15T18:30:00.000Z');
    });
  });

  describe('sums, series and mix', () => {
    it('sums exactly in paise: 0.1 + 0.2 is 0.3', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      await sell(m, { amount: 0.1, user_id: u.id });
      await sell(m, { amount: 0.2, user_id: u.id });
      for (let i = 0; i < 7; i++) await sell(m, { amount: 3184.93, user_id: u.id, payment_method: 'upi' });
      const d = await merchantDashboard(m);
      expect(d.total_sales).toBe(22294.81);
      expect(d.total_sales_paise).toBe(2229481);
      expect(d.today.sales).toBe(22294.81);
      expect(d.total_transactions).toBe(9);
      expect(d.avg_transaction_paise).toBe(Math.round(2229481 / 9));
      expect(d.payment_methods.find((p: { method: string }) => p.method === 'upi')).toEqual({
        method: 'upi',
        count: 7,
        amount: 22294.51,
        amount_paise: 2229451,
      });
      expect(d.payment_methods.find((p: { method: string }) => p.method === 'unspecified')).toEqual({
        method: 'unspecified',
        count: 2,
        amount: 0.3,
        amount_paise: 30,
      });

      const m2 = await registerMerchant(t);
      await sell(m2, { amount: 0.1, user_id: u.id });
      await sell(m2, { amount: 0.2, user_id: u.id });
      const ud = await userDashboard(u);
      expect(ud.total_spent).toBe(22295.11);
      expect(ud.merchants_count).toBe(2);
      expect(ud.weekly_expenses.find((e: { merchant_id: number }) => e.merchant_id === m2.id).amount).toBe(
        0.3,
      );
    });

    it('zero-fills 30 local days of daily_sales, oldest first, ending today', async () => {
      const m = await registerMerchant(t);
      clock.at = new Date('2025-03-10T10:00:00Z'); // 15:30 IST
      await sell(m, { amount: 12.5, is_guest_transaction: true, occurred_at: '2025-03-01T10:00:00Z' });
      // 30 days back: just outside.
      await sell(m, { amount: 1, is_guest_transaction: true, occurred_at: '2025-02-08T10:00:00Z' });
      const d = await merchantDashboard(m);
      expect(d.daily_sales).toHaveLength(30);
      expect(d.daily_sales[0].date).toBe('2025-02-09');
      expect(d.daily_sales[29].date).toBe('2025-03-10');
      for (let i = 1; i < 30; i++) expect(d.daily_sales[i].date > d.daily_sales[i - 1].date).toBe(true);
      const nonZero = d.daily_sales.filter((x: { transactions: number }) => x.transactions > 0);
      expect(nonZero).toEqual([{ date: '2025-03-01', sales: 12.5, sales_paise: 1250, transactions: 1 }]);
      expect(d.daily_sales.filter((x: { sales_paise: number }) => x.sales_paise === 0)).toHaveLength(29);
      // The 30-day window of the seed fields agrees; a 31-day one reaches the older sale.
      expect(d.window).toEqual({
        from: '2025-02-08T18:30:00.000Z',
        to: '2025-03-10T18:30:00.000Z',
        start_date: '2025-02-09',
        days: 30,
      });
      expect(d.total_transactions).toBe(1);
      expect((await merchantDashboard(m, '?days=31')).total_transactions).toBe(2);
      expect((await merchantDashboard(m, '?days=1')).total_transactions).toBe(0);
    });

    it('splits guests from registered customers and ranks both as top customers', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t, { name: 'Asha Verma' });
      const v = await registerUser(t);
      await sell(m, { amount: 20, user_id: u.id });
      await sell(m, { amount: 15, user_id: u.id, type: 'pay_later' });
      await sell(m, { amount: 10, user_id: v.id });
      await sell(m, { amount: 50, is_guest_transaction: true });
      await sell(m, { amount: 1, is_guest_transaction: true, type: 'pay_later' });
      const d = await merchantDashboard(m);
      expect(d.customer_mix).toEqual({
        registered: { count: 3, amount: 45, amount_paise: 4500 },
        guest: { count: 2, amount: 51, amount_paise: 5100 },
      });
      expect(d.guest_users_count).toBe(2);
      expect(d.total_pending).toBe(16);
      expect(d.total_sales).toBe(80);
      expect(d.recent_transactions).toHaveLength(5);
      expect(d.recent_transactions[0]).toMatchObject({
        amount: 1,
        is_guest_transaction: true,
        merchant_id: m.id,
      });
      expect(
        d.top_customers.map((c: { amount: number; is_guest: boolean }) => [c.amount, c.is_guest]),
      ).toEqual([
        [50, true],
        [35, false],
        [10, false],
        [1, true],
      ]);
      expect(d.top_customers[1]).toMatchObject({
        rank: 2,
        user_id: u.id,
        guest_user_id: null,
        name: 'Asha Verma',
        phone_last_4: u.phone.slice(-4),
        transactions: 2,
        amount_paise: 3500,
      });
      expect(d.top_customers[0]).toMatchObject({
        name: null,
        phone_last_4: null,
        guest_user_id: expect.any(Number),
      });
      expect(JSON.stringify(d.top_customers)).not.toContain(u.phone);
    });

    it('ranks top customers over an exact window, or all time without days', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      const v = await registerUser(t);
      clock.at = new Date('2025-05-20T06:30:00Z');
      await sell(m, { amount: 500, user_id: u.id, occurred_at: '2025-04-01T06:00:00Z' }); // old
      await sell(m, { amount: 30, user_id: u.id, occurred_at: '2025-05-19T06:00:00Z' });
      await sell(m, { amount: 40, user_id: v.id, occurred_at: '2025-05-18T06:00:00Z' });
      await sell(m, { amount: 35, is_guest_transaction: true, occurred_at: '2025-05-20T05:00:00Z' });

      const week = (
        await t.http.get('/api/v2/dashboard/merchant/top-customers?days=7&limit=2').set(m.auth).expect(200)
      ).body;
      expect(week).toMatchObject({
        timezone: 'Asia/Kolkata',
        days: 7,
        limit: 2,
        window: {
          from: '2025-05-13T18:30:00.000Z',
          to: '2025-05-20T18:30:00.000Z',
          start_date: '2025-05-14',
        },
      });
      expect(
        week.customers.map((c: { amount: number; user_id: number | null }) => [c.amount, c.user_id]),
      ).toEqual([
        [40, v.id],
        [35, null],
      ]);
      const all = (await t.http.get('/api/v2/dashboard/merchant/top-customers').set(m.auth).expect(200)).body;
      expect(all).toMatchObject({ days: null, window: null, limit: 10 });
      expect(all.customers.map((c: { amount: number }) => c.amount)).toEqual([530, 40, 35]);
      expect(all.customers[0]).toMatchObject({ rank: 1, user_id: u.id, transactions: 2 });
    });
  });

  describe('bills: a settled bill moves from due to collected', () => {
    it('tracks a pay-later bill through a part payment and a full one', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      const bill = await sell(m, { amount: 500, user_id: u.id, type: 'pay_later' });
      await sell(m, { amount: 100, user_id: u.id, payment_method: 'cash' });

      let d = await merchantDashboard(m);
      expect(d.today).toMatchObject({ sales_paise: 60000, collected_paise: 10000, due_paise: 50000 });
      expect(d.outstanding).toEqual({ amount: 500, amount_paise: 50000, bills: 1 });
      expect(d.total_pending).toBe(500);
      let bills = (await t.http.get('/api/v2/dashboard/user/bills').set(u.auth).expect(200)).body;
      expect(bills).toMatchObject({ status: 'due', total_owed: 500, total_owed_paise: 50000, due_bills: 1 });
      expect(bills.merchants).toEqual([
        expect.objectContaining({ merchant_id: m.id, owed: 500, due_bills: 1, paid_bills: 0 }),
      ]);
      expect(bills.bills.map((b: { id: number }) => b.id)).toEqual([bill.id]);

      await settle(m, bill.id, { amount: 200, payment_method: 'upi' });
      d = await merchantDashboard(m);
      expect(d.today).toMatchObject({ collected_paise: 30000, due_paise: 30000 });
      expect(d.outstanding).toEqual({ amount: 300, amount_paise: 30000, bills: 1 });
      bills = (await t.http.get('/api/v2/dashboard/user/bills?status=due').set(u.auth).expect(200)).body;
      expect(bills.total_owed).toBe(300);
      expect(bills.bills[0]).toMatchObject({ id: bill.id, status: 'partially_paid', due_amount: 300 });

      await settle(m, bill.id, { payment_method: 'cash' });
      d = await merchantDashboard(m);
      expect(d.today).toMatchObject({ sales_paise: 60000, collected_paise: 60000, due_paise: 0 });
      expect(d.outstanding).toEqual({ amount: 0, amount_paise: 0, bills: 0 });
      expect(d.total_sales).toBe(600);
      expect(d.total_pending).toBe(0);
      const methods = Object.fromEntries(
        d.payment_methods.map((p: { method: string; amount: number; count: number }) => [
          p.method,
          [p.amount, p.count],
        ]),
      );
      expect(methods).toMatchObject({ cash: [400, 2], upi: [200, 1], card: [0, 0] });

      bills = (await t.http.get('/api/v2/dashboard/user/bills').set(u.auth).expect(200)).body;
      expect(bills).toMatchObject({ total_owed: 0, due_bills: 0, paid_bills: 1, merchants: [], bills: [] });
      bills = (await t.http.get('/api/v2/dashboard/user/bills?status=paid').set(u.auth).expect(200)).body;
      expect(bills.bills).toEqual([expect.objectContaining({ id: bill.id, status: 'paid', due_paise: 0 })]);
      expect(bills.merchants).toEqual([
        expect.objectContaining({ merchant_id: m.id, owed: 0, paid_bills: 1 }),
      ]);

      const ms = (await t.http.get('/api/v2/dashboard/user/merchants').set(u.auth).expect(200)).body;
      expect(ms.merchants_count).toBe(1);
      expect(ms.merchants[0]).toMatchObject({
        merchant_id: m.id,
        total: 600,
        paid: 600,
        pending: 0,
        transactions: 2,
        open_bills: 0,
      });
      expect(ms.totals).toMatchObject({ total_paise: 60000, paid_paise: 60000, pending_paise: 0 });
    });

    it('collects a settlement on the day it is paid, not on the day of the sale', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
      const bill = await sell(m, { amount: 80, user_id: u.id, type: 'pay_later', occurred_at: old });
      await settle(m, bill.id, { payment_method: 'card' });
      const d = await merchantDashboard(m);
      expect(d.today).toMatchObject({ sales_paise: 0, collected_paise: 8000, due_paise: 0 });
      expect(d.window).toMatchObject({ days: 30 });
      expect(d.total_sales_paise).toBe(8000);
    });
  });

  describe('roles and ownership', () => {
    const merchantRoutes = ['/api/v2/dashboard/merchant', '/api/v2/dashboard/merchant/top-customers'];
    const userRoutes = [
      '/api/v2/dashboard/user',
      '/api/v2/dashboard/user/expenses',
      '/api/v2/dashboard/user/merchants',
      '/api/v2/dashboard/user/bills',
    ];

    it('refuses other roles with 403 and missing or bad tokens with 401', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      const admin = { Authorization: `Bearer ${badTokens.signed(1, 'admin')}` };
      for (const path of merchantRoutes) {
        expectProblem(await t.http.get(path).set(u.auth), 403);
        expectProblem(await t.http.get(path).set(admin), 403);
        expectProblem(await t.http.get(path), 401);
        expectProblem(
          await t.http.get(path).set({ Authorization: `Bearer ${badTokens.expired(m.id)}` }),
          401,
        );
      }
      for (const path of userRoutes) {
        expectProblem(await t.http.get(path).set(m.auth), 403);
        expectProblem(await t.http.get(path).set(admin), 403);
        expectProblem(await t.http.get(path), 401);
      }
    });

    it("shows nobody another merchant's or customer's figures", async () => {
      const a = await registerMerchant(t);
      const b = await registerMerchant(t);
      const u = await registerUser(t);
      const v = await registerUser(t);
      await sell(a, { amount: 999, user_id: u.id, type: 'pay_later' });
      await sell(a, { amount: 5, is_guest_transaction: true });

      const db = await merchantDashboard(b);
      expect(db).toMatchObject({
        merchant_id: b.id,
        total_transactions: 0,
        total_pending: 0,
        outstanding: { amount: 0, bills: 0 },
        recent_transactions: [],
        top_customers: [],
      });
      expect(db.daily_sales.every((x: { sales_paise: number }) => x.sales_paise === 0)).toBe(true);
      expect(
        (await t.http.get('/api/v2/dashboard/merchant/top-customers').set(b.auth).expect(200)).body.customers,
      ).toEqual([]);

      const dv = await userDashboard(v);
      expect(dv).toMatchObject({ user_id: v.id, total_spent: 0, total_pending: 0, merchants_count: 0 });
      expect(dv.weekly_expenses).toEqual([]);
      expect((await t.http.get('/api/v2/dashboard/user/bills').set(v.auth).expect(200)).body).toMatchObject({
        total_owed: 0,
        bills: [],
        merchants: [],
      });
      expect(
        (await t.http.get('/api/v2/dashboard/user/merchants').set(v.auth).expect(200)).body.merchants,
      ).toEqual([]);
      // The rightful owners do see them.
      expect((await merchantDashboard(a)).total_transactions).toBe(2);
      expect((await userDashboard(u)).total_pending).toBe(999);
    });
  });

  describe('validation', () => {
    it.each([
      ['/api/v2/dashboard/merchant?days=0', 'days'],
      ['/api/v2/dashboard/merchant?days=367', 'days'],
      ['/api/v2/dashboard/merchant?days=abc', 'days'],
      ['/api/v2/dashboard/merchant?days=1.5', 'days'],
      ['/api/v2/dashboard/merchant?days=', 'days'],
      ['/api/v2/dashboard/merchant?foo=1', 'foo'],
      ['/api/v2/dashboard/merchant/top-customers?limit=0', 'limit'],
      ['/api/v2/dashboard/merchant/top-customers?limit=51', 'limit'],
      ['/api/v2/dashboard/merchant/top-customers?days=-3', 'days'],
    ])('answers the merchant route %s with 422 on %s', async (path, field) => {
      const m = await registerMerchant(t);
      const res = await t.http.get(path).set(m.auth);
      expectProblem(res, 422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it.each([
      ['/api/v2/dashboard/user?tz=Mars/Olympus', 'tz'],
      ['/api/v2/dashboard/user?tz=', 'tz'],
      ['/api/v2/dashboard/user?tz=%2B05:30', 'tz'],
      ['/api/v2/dashboard/user/expenses?period=day', 'period'],
      ['/api/v2/dashboard/user/expenses?period=week&count=0', 'count'],
      ['/api/v2/dashboard/user/expenses?count=53', 'count'],
      ['/api/v2/dashboard/user/expenses?tz=Nowhere', 'tz'],
      ['/api/v2/dashboard/user/bills?status=open', 'status'],
      ['/api/v2/dashboard/user/bills?limit=201', 'limit'],
    ])('answers the user route %s with 422 on %s', async (path, field) => {
      const u = await registerUser(t);
      const res = await t.http.get(path).set(u.auth);
      expectProblem(res, 422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  it('documents every dashboard route with its errors in the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    for (const path of [
      '/api/v2/dashboard/merchant',
      '/api/v2/dashboard/merchant/top-customers',
      '/api/v2/dashboard/user',
      '/api/v2/dashboard/user/expenses',
      '/api/v2/dashboard/user/merchants',
      '/api/v2/dashboard/user/bills',
    ]) {
      const op = doc.paths[path]?.get;
      expect(op).toBeDefined();
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
      expect(op.security).toBeDefined();
    }
    expect(doc.components.schemas.MerchantDashboardDto.properties).toHaveProperty('daily_sales');
  });
});

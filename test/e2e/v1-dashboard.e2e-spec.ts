import { jest } from '@jest/globals';
import { Clock } from '../../src/common/time/clock.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestClock, type DatedSale } from '../support/clock.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import {
  amount,
  arrayOf,
  date,
  expectShape,
  expectV1,
  expectV1Problem,
  expectV1Validation,
  instant,
  int,
  mapOf,
  nullable,
  num,
  obj,
  oneOf,
  str,
} from '../support/v1-contract.js';

jest.setTimeout(60_000);

const clock = createTestClock();

/* JSON Schemas written from the original API's contract (section 3): names, types, enums, arrays. */
const userDetails = obj({ name: str, phone_last_4: str, email: { type: 'null' } });
const merchantAmount = obj({ merchant_id: int, merchant_name: str, amount });
const dayKey = { pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const SCHEMAS = {
  merchant: obj({
    total_sales: amount,
    total_transactions: int,
    total_pending: amount,
    avg_transaction: amount,
    guest_users_count: int,
    recent_transactions: {
      ...arrayOf(
        obj({
          transaction_id: int,
          user_id: nullable(int),
          timestamp: instant,
          amount,
          type: oneOf('payed', 'pending'),
          description: nullable(str),
          payment_method: nullable(str),
          guest_user: nullable(int),
          user_details: nullable(userDetails),
        }),
      ),
      maxItems: 10,
    },
  }),
  topCustomers: arrayOf({
    oneOf: [
      obj({ user_id: int, total_amount: amount, transaction_count: int, type: oneOf('registered') }),
      obj({ guest_user_id: int, total_amount: amount, transaction_count: int, type: oneOf('guest') }),
    ],
  }),
  detailed: obj({
    period: str,
    date_range: obj({ start: date, end: date }),
    summary: obj({
      total_sales: amount,
      total_pending: amount,
      total_transactions: int,
      avg_transaction: amount,
      unique_customers: int,
      guest_customers: int,
    }),
    growth: obj({ sales_growth_percent: num, transaction_growth_percent: num }),
    payment_methods: mapOf({ minLength: 1 }, obj({ count: int, amount })),
    daily_sales: mapOf(dayKey, amount),
    top_customers: {
      ...arrayOf(
        obj({
          customer_id: int,
          total_amount: amount,
          transaction_count: int,
          type: oneOf('registered', 'guest'),
        }),
      ),
      maxItems: 5,
    },
  }),
  user: obj({
    total_spent: amount,
    total_pending: amount,
    merchants_count: int,
    weekly_expenses: arrayOf(merchantAmount),
    monthly_expenses: arrayOf(merchantAmount),
  }),
  expenses: arrayOf(
    obj({
      merchant_id: int,
      merchant_name: str,
      total_amount: amount,
      paid_amount: amount,
      pending_amount: amount,
      transaction_count: int,
      last_transaction: instant,
    }),
  ),
  merchants: arrayOf(
    obj({
      merchant_id: int,
      merchant_name: str,
      business_name: str,
      city: nullable(str),
      state: nullable(str),
      total_spent: amount,
      total_pending: amount,
      transaction_count: int,
      last_transaction: nullable(instant),
    }),
  ),
  spending: obj({
    period: str,
    daily_spending: mapOf(dayKey, amount),
    weekly_spending: mapOf(dayKey, amount),
    monthly_spending: mapOf({ pattern: '^\\d{4}-\\d{2}$' }, amount),
    total_daily: amount,
    total_weekly: amount,
    total_monthly: amount,
  }),
  shopTransactions: arrayOf(
    obj({
      transaction_id: int,
      amount,
      status: oneOf('payed', 'pending'),
      payment_method: nullable(str),
      description: nullable(str),
      datetime: instant,
      merchant_name: str,
    }),
  ),
};

type Sale = DatedSale;

describe('/api/v1 dashboards: the original contract (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ override: (b) => b.overrideProvider(Clock).useValue(clock) });
  });
  afterAll(() => t.close());
  afterEach(() => {
    clock.at = null;
  });

  async function sell(m: Account, sale: Sale): Promise<{ id: number; guest_user_id: number | null }> {
    const res = await t.http
      .post('/api/v2/transactions/create')
      .set(m.auth)
      .send({ type: 'paid', ...sale });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async function settle(m: Account, id: number, amount?: number) {
    const res = await t.http
      .post(`/api/v2/transactions/${id}/settle`)
      .set(m.auth)
      .send({ payment_method: 'cash', ...(amount === undefined ? {} : { amount }) });
    if (res.status !== 200) throw new Error(`settle failed: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** A v1 dashboard read: JSON on success, the v1 problem+json otherwise. */
  const get = async (who: Account, path: string, status = 200) => {
    const res = await t.http.get(`/api/v1/dashboard/${path}`).set(who.auth);
    expect({ path, status: res.status }).toEqual({ path, status });
    if (status === 200) expect(res.headers['content-type']).toMatch(/^application\/json/);
    else if (status !== 422) expectV1Problem(res, status);
    return res.body;
  };

  describe('on demo-like data: guests, customers of several merchants, settled and due bills', () => {
    let shop: Account;
    let otherShop: Account;
    let priya: Account;
    let arjun: Account;

    beforeAll(async () => {
      [shop, otherShop, priya, arjun] = await Promise.all([
        registerMerchant(t),
        registerMerchant(t, { business_name: 'Gupta Medical' }),
        registerUser(t),
        registerUser(t),
      ]);
      await sell(shop, { amount: 120.5, user_id: priya.id, payment_method: 'upi', description: 'Atta 5kg' });
      const bill = await sell(shop, { amount: 300, type: 'pay_later', user_id: priya.id });
      await settle(shop, bill.id, 100);
      const settled = await sell(shop, { amount: 45.25, type: 'pay_later', user_id: arjun.id });
      await settle(shop, settled.id);
      await sell(shop, { amount: 15.75, is_guest_transaction: true, payment_method: 'cash' });
      await sell(shop, { amount: 60, type: 'pay_later', is_guest_transaction: true });
      await sell(shop, { amount: 10, payment_method: 'cash', user_id: arjun.id });
      await sell(otherShop, { amount: 99.99, user_id: priya.id, payment_method: 'card' });
      await sell(otherShop, { amount: 20, type: 'pay_later', user_id: priya.id });
    });

    it('GET /merchant answers the documented object, with the figures the client reads', async () => {
      const body = await get(shop, 'merchant?days=30');
      expectShape(body, SCHEMAS.merchant);
      expect(body).toMatchObject({
        total_transactions: 6,
        // Paid so far: 120.50 + 100 (part of the 300 bill) + 45.25 (settled) + 15.75 + 10.
        total_sales: 291.5,
        total_pending: 260,
        avg_transaction: 91.92, // 551.50 / 6, to the paisa
        guest_users_count: 2,
      });
      const guestRows = body.recent_transactions.filter((r: { guest_user: number | null }) => r.guest_user);
      expect(guestRows).toHaveLength(2);
      for (const row of guestRows) expect(row).toMatchObject({ user_id: null, user_details: null });
      const atta = body.recent_transactions.find(
        (r: { description: string }) => r.description === 'Atta 5kg',
      );
      expect(atta).toMatchObject({
        type: 'payed',
        user_id: priya.id,
        guest_user: null,
        user_details: { name: expect.any(String), phone_last_4: priya.phone.slice(-4), email: null },
      });
      const amounts = (type: string) =>
        body.recent_transactions
          .filter((r: { type: string }) => r.type === type)
          .map((r: { amount: number }) => r.amount);
      expect(amounts('pending').sort()).toEqual([300, 60].sort());
      expect(amounts('payed')).toContain(45.25); // a bill settled in full is paid
    });

    it('GET /merchant/top-customers is an array of registered and guest entries', async () => {
      const body = await get(shop, 'merchant/top-customers?limit=5');
      expectShape(body, SCHEMAS.topCustomers);
      expect(body).toHaveLength(4);
      expect(body[0]).toEqual({
        user_id: priya.id,
        total_amount: 420.5,
        transaction_count: 2,
        type: 'registered',
      });
      expect(
        body
          .filter((c: { type: string }) => c.type === 'guest')
          .map((c: { total_amount: number }) => c.total_amount),
      ).toEqual([60, 15.75]);
      expect(await get(shop, 'merchant/top-customers?limit=1')).toHaveLength(1);
    });

    it('GET /merchant/analytics/detailed answers every period the client asks for', async () => {
      for (const period of ['daily', 'weekly', 'monthly', 'total', 'yearly']) {
        const body = await get(shop, `merchant/analytics/detailed?period=${period}`);
        expectShape(body, SCHEMAS.detailed);
        expect(body.period).toBe(period);
        expect(body.summary).toMatchObject({
          total_transactions: 6,
          total_sales: 291.5,
          total_pending: 260,
          unique_customers: 2,
          guest_customers: 2,
        });
        expect(Object.values(body.daily_sales).reduce((a: number, b) => a + (b as number), 0)).toBeCloseTo(
          291.5,
          9,
        );
        expect(body.top_customers[0]).toEqual({
          customer_id: priya.id,
          total_amount: 420.5,
          transaction_count: 2,
          type: 'registered',
        });
      }
      const monthly = await get(shop, 'merchant/analytics/detailed');
      expect(monthly.period).toBe('monthly');
      expect(monthly.payment_methods).toMatchObject({
        upi: { count: 1, amount: 120.5 },
        cash: { count: 4, amount: 171 }, // 15.75 + 10 paid at the counter, 100 + 45.25 settled in cash
      });
      expect(monthly.growth).toEqual({ sales_growth_percent: 0, transaction_growth_percent: 0 });
    });

    it('GET /user answers totals and this week’s and month’s spending per merchant (owner names)', async () => {
      const body = await get(priya, 'user');
      expectShape(body, SCHEMAS.user);
      expect(body).toMatchObject({ total_spent: 320.49, total_pending: 220, merchants_count: 2 });
      expect(body.weekly_expenses.map((e: { amount: number }) => e.amount).sort()).toEqual([119.99, 420.5]);
      for (const e of body.monthly_expenses) expect(e.merchant_name).toMatch(/^Merchant /);
    });

    it('GET /user/expenses is an array per merchant, largest total first', async () => {
      const body = await get(priya, 'user/expenses');
      expectShape(body, SCHEMAS.expenses);
      expect(body.map((e: { merchant_id: number }) => e.merchant_id)).toEqual([shop.id, otherShop.id]);
      expect(body[0]).toMatchObject({
        total_amount: 420.5,
        paid_amount: 220.5,
        pending_amount: 200,
        transaction_count: 2,
      });
    });

    it('GET /user/merchants is the array the consumer dashboard reduces over', async () => {
      const body = await get(priya, 'user/merchants');
      expectShape(body, SCHEMAS.merchants);
      expect(Array.isArray(body)).toBe(true);
      expect(body.map((m: { merchant_id: number }) => m.merchant_id)).toEqual([shop.id, otherShop.id]);
      expect(body[1]).toMatchObject({
        business_name: 'Gupta Medical',
        city: 'Pune',
        state: 'Maharashtra',
        total_spent: 99.99,
        total_pending: 20,
        transaction_count: 2,
      });
      // What the client sums across the list.
      const sum = (k: string) => body.reduce((a: number, m: Record<string, number>) => a + m[k], 0);
      expect(sum('transaction_count')).toBe(4);
      expect(await get(arjun, 'user/merchants')).toEqual([
        expect.objectContaining({ merchant_id: shop.id, total_spent: 55.25, total_pending: 0 }),
      ]);
    });

    it('GET /user/spending-analytics answers the three maps and their totals', async () => {
      const body = await get(priya, 'user/spending-analytics?period=monthly');
      expectShape(body, SCHEMAS.spending);
      expect(body.period).toBe('monthly');
      expect(body.total_daily).toBe(320.49);
      expect(body.total_weekly).toBe(320.49);
      expect(body.total_monthly).toBe(320.49);
      expect(Object.keys(body.daily_spending)).toHaveLength(1);
    });

    it('GET /user/transactions/{merchant_id} lists only the caller’s rows, with `status` and `datetime`', async () => {
      const body = await get(priya, `user/transactions/${shop.id}?limit=50&offset=0`);
      expectShape(body, SCHEMAS.shopTransactions);
      expect(body.map((r: { amount: number; status: string }) => [r.amount, r.status])).toEqual([
        [300, 'pending'],
        [120.5, 'payed'],
      ]);
      expect(body[0].merchant_name).toBe(body[1].merchant_name);
      expect(await get(arjun, `user/transactions/${otherShop.id}`)).toEqual([]);
    });

    it('refuses what it should: roles, bad parameters, unknown merchants are 4xx in the v1 shape, never 500', async () => {
      expect((await get(shop, 'user', 403)).detail).toBe('Access forbidden: Consumer access required');
      expect((await get(priya, 'merchant', 403)).detail).toBe('Access forbidden: Merchant access required');
      for (const id of ['2147483648', '0', '-3', '99999'])
        expect((await get(priya, `user/transactions/${id}`, 404)).detail).toBe('Merchant not found');
      for (const id of ['1e3', '0x10', '12.5'])
        expectV1Validation(await t.http.get(`/api/v1/dashboard/user/transactions/${id}`).set(priya.auth));
      const bad = await t.http.get('/api/v1/dashboard/user/transactions/abc').set(priya.auth);
      expect(expectV1Validation(bad)).toBe(
        'Validation error: path.merchant_id: Input should be a valid integer, unable to parse string as an integer',
      );
      for (const path of [
        `user/transactions/${shop.id}?limit=201`,
        `user/transactions/${shop.id}?offset=-1`,
        'merchant?days=0',
        'merchant?days=367',
        'merchant/top-customers?limit=51',
        'user?tz=Mars/Olympus',
      ]) {
        const res = await t.http.get(`/api/v1/dashboard/${path}`).set(shop.auth);
        if (res.status === 403) continue; // a merchant on a customer route: tried as the customer below
        expectV1Validation(res);
      }
      for (const path of [
        `user/transactions/${shop.id}?limit=201`,
        `user/transactions/${shop.id}?offset=-1`,
        'user?tz=Mars/Olympus',
      ])
        expectV1Validation(await t.http.get(`/api/v1/dashboard/${path}`).set(priya.auth));
      // Unknown query fields are ignored, as the original did; a long period is echoed, as the original.
      expectV1(
        await t.http.get('/api/v1/dashboard/merchant?days=7&foo=bar').set(shop.auth),
        200,
        SCHEMAS.merchant,
      );
      expectV1(
        await t.http
          .get(`/api/v1/dashboard/merchant/analytics/detailed?period=${'x'.repeat(50)}&x=1`)
          .set(shop.auth),
        200,
        SCHEMAS.detailed,
      );
      expectV1Problem(await t.http.get('/api/v1/dashboard/user/merchants'), 401, 'Not authenticated');
    });
  });

  describe('regressions: what the original got wrong', () => {
    it('sums exactly to the paisa (0.10 + 0.20 is 0.30)', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      await sell(m, { amount: 0.1, user_id: u.id });
      await sell(m, { amount: 0.2, user_id: u.id });
      expect((await get(m, 'merchant')).total_sales).toBe(0.3);
      expect((await get(m, 'merchant/analytics/detailed?period=daily')).summary.total_sales).toBe(0.3);
      expect((await get(m, 'merchant/top-customers'))[0].total_amount).toBe(0.3);
      expect((await get(u, 'user')).total_spent).toBe(0.3);
      expect((await get(u, 'user/merchants'))[0].total_spent).toBe(0.3);
      expect((await get(u, 'user/expenses'))[0].total_amount).toBe(0.3);
      const spending = await get(u, 'user/spending-analytics');
      expect([spending.total_daily, spending.total_weekly, spending.total_monthly]).toEqual([0.3, 0.3, 0.3]);
    });

    describe("zone boundaries: a sale at 00:30 IST belongs to that Indian day, week and month, not UTC's", () => {
      // Sunday 1 June 2025, 00:30 IST = Saturday 31 May, 19:00 UTC.
      const JUNE_1_0030_IST = '2025-05-31T19:00:00Z';
      // Monday 9 June 2025, 00:30 IST = Sunday 8 June, 19:00 UTC.
      const MONDAY_0030_IST = '2025-06-08T19:00:00Z';
      // Wednesday 11 June 2025, 00:30 IST = Tuesday 10 June, 19:00 UTC.
      const TODAY_0030_IST = '2025-06-10T19:00:00Z';
      const NOW = new Date('2025-06-11T06:30:00Z'); // Wednesday, 12:00 IST

      let m: Account;
      let u: Account;
      beforeAll(async () => {
        m = await registerMerchant(t);
        u = await registerUser(t);
        await sell(m, { amount: 1, user_id: u.id, occurred_at: JUNE_1_0030_IST });
        await sell(m, { amount: 10, user_id: u.id, occurred_at: MONDAY_0030_IST });
        await sell(m, { amount: 100, user_id: u.id, occurred_at: TODAY_0030_IST });
      });
      beforeEach(() => {
        clock.at = NOW;
      });

      it('detailed analytics: today, this week from Monday and this month from the 1st, in IST', async () => {
        const daily = await get(m, 'merchant/analytics/detailed?period=daily');
        expect(daily.date_range).toEqual({ start: '2025-06-11', end: '2025-06-11' });
        expect(daily.summary).toMatchObject({ total_sales: 100, total_transactions: 1 });
        expect(daily.daily_sales).toEqual({ '2025-06-11': 100 });

        const weekly = await get(m, 'merchant/analytics/detailed?period=weekly');
        expect(weekly.date_range).toEqual({ start: '2025-06-09', end: '2025-06-11' });
        expect(weekly.summary).toMatchObject({ total_sales: 110, total_transactions: 2 });
        expect(weekly.daily_sales).toEqual({ '2025-06-09': 10, '2025-06-11': 100 });

        const monthly = await get(m, 'merchant/analytics/detailed?period=monthly');
        expect(monthly.date_range).toEqual({ start: '2025-06-01', end: '2025-06-11' });
        expect(monthly.summary).toMatchObject({ total_sales: 111, total_transactions: 3 });
        expect(monthly.daily_sales['2025-06-01']).toBe(1);
      });

      it('growth compares with the period of equal length just before, in IST', async () => {
        const weekly = await get(m, 'merchant/analytics/detailed?period=weekly');
        // 6-8 June (IST), the three days before this week, had no sales: nothing to compare with.
        expect(weekly.growth).toEqual({ sales_growth_percent: 0, transaction_growth_percent: 0 });
        const daily = await get(m, 'merchant/analytics/detailed?period=daily');
        expect(daily.growth).toEqual({ sales_growth_percent: 0, transaction_growth_percent: 0 });
        clock.at = new Date('2025-06-12T06:30:00Z'); // Thursday: yesterday had 100, today nothing
        const next = await get(m, 'merchant/analytics/detailed?period=daily');
        expect(next.growth).toEqual({ sales_growth_percent: -100, transaction_growth_percent: -100 });
      });

      it('the customer’s week and month (user, spending-analytics) start at IST midnights', async () => {
        const d = await get(u, 'user');
        expect(d.weekly_expenses).toEqual([expect.objectContaining({ merchant_id: m.id, amount: 110 })]);
        expect(d.monthly_expenses).toEqual([expect.objectContaining({ merchant_id: m.id, amount: 111 })]);

        const s = await get(u, 'user/spending-analytics');
        expect(s.daily_spending).toEqual({ '2025-06-09': 10, '2025-06-11': 100 });
        expect(s.weekly_spending).toEqual({ '2025-05-26': 1, '2025-06-09': 110 });
        expect(s.monthly_spending).toEqual({ '2025-06': 111 });
        expect([s.total_daily, s.total_weekly, s.total_monthly]).toEqual([110, 111, 111]);

        // Asked in UTC, the same sales fall on the UTC dates.
        const utc = await get(u, 'user/spending-analytics?tz=UTC');
        expect(utc.monthly_spending).toEqual({ '2025-05': 1, '2025-06': 110 });
      });

      it('the merchant dashboard’s window is local days: days=1 is today in IST', async () => {
        const d = await get(m, 'merchant?days=1');
        expect(d).toMatchObject({ total_sales: 100, total_transactions: 1 });
        expect(d.recent_transactions[0].timestamp).toBe('2025-06-10T19:00:00.000Z');
      });
    });

    it('never mixes a guest with the registered customer who has the same id', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      await sell(m, { amount: 5, user_id: u.id });
      // Guests until one has the customer's id (the two id spaces are separate).
      let guestId = 0;
      const other = await registerMerchant(t);
      for (let i = 0; i < u.id + 50 && guestId !== u.id; i++) {
        const g = await sell(other, { amount: 77, is_guest_transaction: true });
        guestId = g.guest_user_id!;
      }
      expect(guestId).toBe(u.id);
      // The customer never bought from `other`: none of its guest sales are theirs.
      expect((await get(u, 'user/merchants')).map((x: { merchant_id: number }) => x.merchant_id)).toEqual([
        m.id,
      ]);
      expect(await get(u, `user/transactions/${other.id}`)).toEqual([]);
      expect((await get(u, 'user')).total_spent).toBe(5);
      // And `other` sees guests, not the registered customer.
      const top = await get(other, 'merchant/top-customers?limit=50');
      expect(top.every((c: { type: string }) => c.type === 'guest')).toBe(true);
      expect(top.some((c: { user_id?: number }) => c.user_id !== undefined)).toBe(false);
      const detailed = await get(other, 'merchant/analytics/detailed?period=daily');
      expect(detailed.summary.unique_customers).toBe(0);
      expect(detailed.top_customers.every((c: { type: string }) => c.type === 'guest')).toBe(true);
      const recent = (await get(other, 'merchant')).recent_transactions;
      expect(
        recent.every(
          (r: { user_id: null; user_details: null }) => r.user_id === null && r.user_details === null,
        ),
      ).toBe(true);
    });

    it('pages over the caller’s own rows: every page full, nothing lost, nothing repeated', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      const someoneElse = await registerUser(t);
      const mine: number[] = [];
      for (let i = 1; i <= 5; i++) {
        mine.unshift((await sell(m, { amount: i, user_id: u.id })).id);
        await sell(m, { amount: 100 + i, user_id: someoneElse.id });
        await sell(m, { amount: 200 + i, is_guest_transaction: true });
      }
      const pages: number[][] = [];
      for (let offset = 0; offset < 6; offset += 2)
        pages.push(
          (await get(u, `user/transactions/${m.id}?limit=2&offset=${offset}`)).map(
            (r: { transaction_id: number }) => r.transaction_id,
          ),
        );
      expect(pages).toEqual([mine.slice(0, 2), mine.slice(2, 4), mine.slice(4)]);
      // The original took the merchant's 3 newest rows and kept the caller's: at most one.
      expect(await get(u, `user/transactions/${m.id}?limit=3&offset=0`)).toHaveLength(3);
    });
  });
});

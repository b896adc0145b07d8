import { jest } from '@jest/globals';
import bcrypt from 'bcryptjs';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import {
  expectV1,
  expectV1Problem,
  expectV1Validation,
  seedV1World,
  V1,
  type V1World,
} from '../support/v1-contract.js';
import { allTransactions, merchantTable } from '../support/transactions.js';

// Real servers and databases on a shared machine.
jest.setTimeout(60_000);

/** /api/v1/transactions and the health routes: the original contract on demo-like data. */
describe('/api/v1/transactions (the original contract)', () => {
  let t: TestApp;
  let w: V1World;

  beforeAll(async () => {
    t = await createTestApp();
    w = await seedV1World(t);
  });
  afterAll(() => t.close());

  const create = (m: Account, body: unknown) =>
    t.http
      .post('/api/v1/transactions/create')
      .set(m.auth)
      .send(body as object);
  const stored = async (m: Account, id: number) =>
    (
      await t.db.query(
        `SELECT amount_paise::int, type, status, user_id, guest_user_id, payment_method FROM ${await allTransactions(t.db)} WHERE merchant_id = $1 AND id = $2`,
        [m.id, id],
      )
    ).rows[0];

  describe('POST /create', () => {
    it("records the calculator's sales exactly as the PWA sends them, answering 200 in the original shape", async () => {
      const m = await registerMerchant(t);
      const payNow = await create(m, {
        user_id: w.priya.id,
        amount: 120,
        type: 'payed',
        description: 'Pay Now transaction of 120',
        payment_method: 'cash',
        is_guest_transaction: false,
      });
      expectV1(payNow, 200, V1.createTransaction);
      expect(payNow.body).toMatchObject({
        user_id: w.priya.id,
        merchant_id: m.id,
        is_guest_transaction: false,
      });
      const later = await create(m, {
        user_id: w.priya.id,
        amount: 80,
        type: 'pending',
        description: 'Pay Later transaction of 80',
        payment_method: 'online',
        is_guest_transaction: false,
      });
      expectV1(later, 200, V1.createTransaction);
      const guest = await create(m, {
        user_id: null,
        amount: 15,
        type: 'payed',
        description: 'Guest transaction of 15',
        payment_method: 'cash',
        is_guest_transaction: true,
      });
      expectV1(guest, 200, V1.createTransaction);
      expect(guest.body.is_guest_transaction).toBe(true);
      expect(await stored(m, payNow.body.transaction_id)).toMatchObject({
        amount_paise: 12000,
        type: 'paid',
        status: 'paid',
      });
      expect(await stored(m, later.body.transaction_id)).toMatchObject({
        amount_paise: 8000,
        type: 'pay_later',
        status: 'due',
      });
      const g = await stored(m, guest.body.transaction_id);
      expect(g).toMatchObject({ user_id: null, guest_user_id: guest.body.user_id });
    });

    it.each([
      [3.3333333333333335, 3.33, 333],
      [1.005, 1.01, 101],
      [12.345, 12.35, 1235],
      ['12.345', 12.35, 1235],
      [0.005, 0.01, 1],
      [25.5, 25.5, 2550],
    ])('rounds amount %p half away from zero to the paisa and echoes %p', async (amount, echoed, paise) => {
      const res = await create(w.kirana, { user_id: w.anita.id, amount, type: 'payed' });
      expectV1(res, 200, V1.createTransaction);
      expect(res.body.amount).toBe(echoed);
      expect((await stored(w.kirana, res.body.transaction_id)).amount_paise).toBe(paise);
    });

    it.each([
      ['payed', 'paid'],
      ['pending', 'pay_later'],
      ['PAYED', 'paid'],
      ['paid', 'paid'],
      ['pay_later', 'pay_later'],
      ['PAY_LATER', 'pay_later'],
    ])('accepts type %p (stored as %p)', async (type, storedType) => {
      const res = await create(w.kirana, { user_id: w.anita.id, amount: 1, type });
      expect(res.status).toBe(200);
      expect((await stored(w.kirana, res.body.transaction_id)).type).toBe(storedType);
    });

    it('refuses an unknown type word with a 422, not a silent paid sale', async () => {
      const res = await create(w.kirana, { user_id: w.anita.id, amount: 1, type: 'bogus' });
      expect(expectV1Validation(res)).toMatch(
        /^Validation error: body\.type: Input should be 'payed' or 'pending'/,
      );
      expect(res.body.detail[0]).toMatchObject({ type: 'enum', loc: ['body', 'type'], input: 'bogus' });
    });

    it.each(['cash', 'online', 'UPI', 'card', null])('accepts payment_method %p', async (payment_method) => {
      const res = await create(w.kirana, { user_id: w.anita.id, amount: 2, type: 'payed', payment_method });
      expect(res.status).toBe(200);
    });

    it('ignores unknown fields, reads numeric strings and loose booleans as the original did', async () => {
      const res = await create(w.kirana, {
        user_id: String(w.anita.id),
        amount: '7.5',
        type: 'payed',
        reference: 'ignored',
        items: [{ id: 1 }],
        is_guest_transaction: 'no',
      });
      expectV1(res, 200, V1.createTransaction);
      expect(res.body.user_id).toBe(w.anita.id);
      const guest = await create(w.kirana, {
        amount: 1,
        type: 'payed',
        is_guest_transaction: 'yes',
        user_id: w.anita.id,
      });
      expect(guest.body.is_guest_transaction).toBe(true);
      // A guest sale ignores user_id, as the original did: the customer is not billed for it.
      expect((await stored(w.kirana, guest.body.transaction_id)).user_id).toBeNull();
    });

    it('answers bad amounts with the message the PWA prints', async () => {
      for (const amount of [0, -1, 0.004]) {
        const res = await create(w.kirana, { user_id: w.anita.id, amount, type: 'payed' });
        expect(expectV1Validation(res)).toBe('Validation error: body.amount: Input should be greater than 0');
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'amount' })]);
      }
      const big = await create(w.kirana, { user_id: w.anita.id, amount: 1e8, type: 'payed' });
      expect(expectV1Validation(big)).toContain('body.amount: Input should be less than or equal to');
      const missing = await create(w.kirana, { user_id: w.anita.id });
      const shown = expectV1Validation(missing);
      expect(shown).toContain('body.amount: Field required');
      expect(shown).toContain('body.type: Field required');
    });

    it("answers a sale with no buyer with the original's reason (400, not its 500)", async () => {
      expectV1Problem(
        await create(w.kirana, { amount: 5, type: 'payed' }),
        400,
        'Either user_id or is_guest_transaction=true must be provided',
      );
    });

    it('allows a guest pay-later bill (the seed README records one)', async () => {
      const res = await create(w.kirana, { amount: 9.99, type: 'pending', is_guest_transaction: true });
      expectV1(res, 200, V1.createTransaction);
      expect(await stored(w.kirana, res.body.transaction_id)).toMatchObject({
        type: 'pay_later',
        status: 'due',
      });
    });

    it('checks the token before the body: no token and a bad amount is a 401', async () => {
      const res = await t.http.post('/api/v1/transactions/create').send({ amount: -1 });
      expectV1Problem(res, 401, 'Not authenticated');
      expectV1Problem(
        await create(w.priya, { amount: 1, type: 'payed', user_id: 1 }),
        403,
        'Access forbidden: Merchant access required',
      );
    });

    it('answers an unknown customer with a 4xx the PWA can print', async () => {
      const res = await create(w.kirana, { user_id: 2_000_000, amount: 1, type: 'payed' });
      expect(expectV1Validation(res)).toMatch(/^Validation error: body\.user_id: /);
    });
  });

  describe("the seed README's examples, verbatim", () => {
    it('logs in and records both example sales, then lists the guest sales', async () => {
      // The seed's demo accounts have these passwords (set by its data script, not by registration).
      await t.db.query(`UPDATE merchants SET password_hash = $1 WHERE id = $2`, [
        bcrypt.hashSync('merchant123', 4),
        w.kirana.id,
      ]);
      await t.db.query(`UPDATE users SET password_hash = $1 WHERE id = $2`, [
        bcrypt.hashSync('user123', 4),
        w.priya.id,
      ]);
      const login = await t.http
        .post('/api/v1/auth/login/merchant')
        .set('Content-Type', 'application/json')
        .send(`{"email": "${w.kirana.email}", "password": "merchant123"}`);
      expectV1(login, 200, V1.token('merchant'));
      const auth = { Authorization: `Bearer ${login.body.access_token}` };
      const userLogin = await t.http
        .post('/api/v1/auth/login/user')
        .set('Content-Type', 'application/json')
        .send(`{"email": "${w.priya.email}", "password": "user123"}`);
      expectV1(userLogin, 200, V1.token('user'));

      // "user_id": 1 is the seed's first customer; here that is the customer with id 1.
      const first = await t.db.query(`SELECT id FROM users ORDER BY id LIMIT 1`);
      expect(first.rows[0].id).toBe(1);
      const sale = await t.http
        .post('/api/v1/transactions/create')
        .set(auth)
        .set('Content-Type', 'application/json').send(`{
  "user_id": 1,
  "amount": 25.50,
  "type": "payed",
  "description": "Coffee and pastry",
  "payment_method": "UPI"
}`);
      expectV1(sale, 200, V1.createTransaction);
      const guest = await t.http
        .post('/api/v1/transactions/create')
        .set(auth)
        .set('Content-Type', 'application/json').send(`{
  "amount": 15.75,
  "type": "pay_later",
  "description": "Lunch special",
  "payment_method": null,
  "is_guest_transaction": true
}`);
      expectV1(guest, 200, V1.createTransaction);
      const guests = await t.http.get('/api/v1/transactions/guest-users').set(auth);
      expectV1(guests, 200, V1.guestUsers);
      expect(guests.body[0]).toMatchObject({
        transaction_amount: 15.75,
        transaction_type: 'PAY_LATER',
        transaction_description: 'Lunch special',
        payment_method: null,
      });
    });
  });

  describe('POST /simple', () => {
    it('echoes a validated create request without a token and stores nothing', async () => {
      const before = (await t.db.query(`SELECT count(*)::int AS n FROM ${await allTransactions(t.db)}`))
        .rows[0].n;
      const res = await t.http
        .post('/api/v1/transactions/simple')
        .send({ amount: 10 / 3, type: 'pending', payment_method: 'cash', extra: true });
      expectV1(res, 200, V1.simple);
      expect(res.body).toEqual({
        message: 'Simple transaction endpoint works',
        amount: 3.33,
        type: 'TransactionType.PAY_LATER',
        payment_method: 'PaymentMethod.CASH',
        description: null,
        is_guest_transaction: false,
      });
      const none = await t.http.post('/api/v1/transactions/simple').send({ amount: 1, type: 'payed' });
      expect(none.body).toMatchObject({ type: 'TransactionType.PAYED', payment_method: 'None' });
      expect(
        (await t.db.query(`SELECT count(*)::int AS n FROM ${await allTransactions(t.db)}`)).rows[0].n,
      ).toBe(before);
      expectV1Validation(
        await t.http.post('/api/v1/transactions/simple').send({ amount: 'x', type: 'payed' }),
      );
    });
  });

  describe('GET /history', () => {
    it('lists the merchant’s sales newest first, with payed/pending and buyer details', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t, { name: 'Meena Iyer', phone: '+919811122334' });
      const sale = async (body: object) => (await create(m, body)).body.transaction_id as number;
      const paid = await sale({ user_id: u.id, amount: 10, type: 'payed', payment_method: 'cash' });
      const due = await sale({ user_id: u.id, amount: 20.5, type: 'pending', description: 'Atta' });
      const guest = await sale({ amount: 5, type: 'payed', is_guest_transaction: true });
      const res = await t.http.get('/api/v1/transactions/history').set(m.auth).query({ days: 7 });
      expectV1(res, 200, V1.history);
      expect(res.body.map((r: { transaction_id: number }) => r.transaction_id)).toEqual([guest, due, paid]);
      expect(res.body[0]).toMatchObject({
        user_id: null,
        guest_user: true,
        type: 'payed',
        user_details: { name: 'Guest', phone_last_4: '****', email: null },
      });
      expect(res.body[1]).toMatchObject({
        user_id: u.id,
        guest_user_id: null,
        guest_user: false,
        amount: 20.5,
        type: 'pending',
        description: 'Atta',
        user_details: { name: 'Meena Iyer', phone_last_4: '2334', email: null },
      });
      expect(res.body[2]).toMatchObject({ type: 'payed', payment_method: 'cash' });
      // Personal data: the buyer's email never appears.
      expect(JSON.stringify(res.body)).not.toContain(u.email);
      // What the PWA does with each row: new Date(timestamp) must be the stored instant.
      const storedAt = (
        await t.db.query(`SELECT occurred_at FROM ${await allTransactions(t.db)} WHERE id = $1`, [paid])
      ).rows[0];
      expect(new Date(res.body[2].timestamp).getTime()).toBe(storedAt.occurred_at.getTime());
    });

    it('shows a bill settled in full as payed and one still owed as pending', async () => {
      const res = await t.http.get('/api/v1/transactions/history').set(w.kirana.auth).query({ limit: 200 });
      const byId = new Map(
        res.body.map((r: { transaction_id: number; type: string }) => [r.transaction_id, r.type]),
      );
      expect(byId.get(w.sales.priyaSettled)).toBe('payed');
      expect(byId.get(w.sales.priyaDue)).toBe('pending');
      expect(byId.get(w.sales.guestDue)).toBe('pending');
    });

    it('keeps to the last `days` days', async () => {
      const m = await registerMerchant(t);
      const old = (await create(m, { user_id: w.rahul.id, amount: 3, type: 'payed' })).body.transaction_id;
      const recent = (await create(m, { user_id: w.rahul.id, amount: 4, type: 'payed' })).body.transaction_id;
      await t.db.query(
        `UPDATE ${merchantTable(m.id)} SET occurred_at = now() - interval '10 days' WHERE merchant_id = $1 AND id = $2`,
        [m.id, old],
      );
      const ids = async (days: number) =>
        (await t.http.get('/api/v1/transactions/history').set(m.auth).query({ days })).body.map(
          (r: { transaction_id: number }) => r.transaction_id,
        );
      expect(await ids(7)).toEqual([recent]);
      expect(await ids(11)).toEqual([recent, old]);
    });

    it('pages with limit and offset without losing or repeating a row', async () => {
      const all = (await t.http.get('/api/v1/transactions/history').set(w.kirana.auth).query({ limit: 200 }))
        .body;
      const paged: number[] = [];
      for (let offset = 0; offset < all.length + 3; offset += 3) {
        const page = await t.http
          .get('/api/v1/transactions/history')
          .set(w.kirana.auth)
          .query({ limit: 3, offset });
        expectV1(page, 200, V1.history);
        paged.push(...page.body.map((r: { transaction_id: number }) => r.transaction_id));
      }
      expect(paged).toEqual(all.map((r: { transaction_id: number }) => r.transaction_id));
      expect(
        (await t.http.get('/api/v1/transactions/history').set(w.kirana.auth).query({ limit: 0 })).body,
      ).toEqual([]);
    });

    it('answers out-of-range and unknown query values as the original (unknown ones ignored)', async () => {
      const h = (query: object) => t.http.get('/api/v1/transactions/history').set(w.kirana.auth).query(query);
      expect(expectV1Validation(await h({ limit: 201 }))).toBe(
        'Validation error: query.limit: Input should be less than or equal to 200',
      );
      expect(expectV1Validation(await h({ days: 0 }))).toBe(
        'Validation error: query.days: Input should be greater than or equal to 1',
      );
      expect(expectV1Validation(await h({ days: 'week' }))).toMatch(
        /^Validation error: query\.days: Input should be a valid integer/,
      );
      expect(expectV1Validation(await h({ limit: -1 }))).toContain('query.limit');
      expectV1(await h({ days: 7, sort: 'desc', page: 2 }), 200, V1.history);
      expectV1Problem(
        await t.http.get('/api/v1/transactions/history').set(w.priya.auth),
        403,
        'Access forbidden: Merchant access required',
      );
    });
  });

  describe('GET /analytics', () => {
    it('sums to the paisa from integer paise (0.1 + 0.2 is 0.3) and counts owed money as pending', async () => {
      const res = await t.http
        .get('/api/v1/transactions/analytics')
        .set(w.kirana.auth)
        .query({ days: 30, x: 1 });
      expectV1(res, 200, V1.analytics);
      // Seed of this file's world at the kirana, plus whatever later tests added: recompute from the rows.
      const rows = (
        await t.db.query(
          `SELECT amount_paise::int AS a, paid_paise::int AS p FROM ${await allTransactions(t.db)} WHERE merchant_id = $1`,
          [w.kirana.id],
        )
      ).rows as { a: number; p: number }[];
      const paid = rows.reduce((s, r) => s + r.p, 0);
      const amount = rows.reduce((s, r) => s + r.a, 0);
      expect(res.body).toEqual({
        total_sales: paid / 100,
        total_transactions: rows.length,
        total_pending: (amount - paid) / 100,
        avg_transaction: Math.round(amount / rows.length) / 100,
      });
    });

    it('is exact where float sums are not', async () => {
      const m = await registerMerchant(t);
      for (const amount of [0.1, 0.2]) await create(m, { user_id: w.rahul.id, amount, type: 'payed' });
      const res = await t.http.get('/api/v1/transactions/analytics').set(m.auth);
      expect(res.body).toEqual({
        total_sales: 0.3,
        total_transactions: 2,
        total_pending: 0,
        avg_transaction: 0.15,
      });
      const empty = await t.http.get('/api/v1/transactions/analytics').set(w.idle.auth);
      expectV1(empty, 200, V1.analytics);
      expect(empty.body).toEqual({
        total_sales: 0,
        total_transactions: 0,
        total_pending: 0,
        avg_transaction: 0,
      });
    });
  });

  describe('GET /user-transactions/{merchant_id}', () => {
    it("lists the customer's own purchases at that merchant in the original shape", async () => {
      const res = await t.http
        .get(`/api/v1/transactions/user-transactions/${w.pharmacy.id}`)
        .set(w.priya.auth);
      expectV1(res, 200, V1.userTransactions);
      expect(res.body).toEqual([
        expect.objectContaining({
          transaction_id: w.sales.priyaPharmacy,
          user_id: w.priya.id,
          amount: 100,
          type: 'payed',
          guest_user: false,
        }),
      ]);
    });

    it('pages over the caller’s own rows, never lossily (the original paged over everyone’s)', async () => {
      const mine = (
        await t.http.get(`/api/v1/transactions/user-transactions/${w.kirana.id}`).set(w.priya.auth)
      ).body;
      expect(mine.length).toBeGreaterThanOrEqual(3);
      for (let offset = 0; offset < mine.length; offset += 1) {
        const page = await t.http
          .get(`/api/v1/transactions/user-transactions/${w.kirana.id}`)
          .set(w.priya.auth)
          .query({ limit: 1, offset });
        expect(page.body).toEqual([mine[offset]]);
      }
      for (const row of mine) expect(row.user_id).toBe(w.priya.id);
    });

    it('never mixes guest sales into a customer whose id equals a guest id', async () => {
      // Guest ids and customer ids are separate sequences, so they coincide in this database.
      const guestIds = (
        await t.db.query(
          `SELECT guest_user_id AS id FROM ${await allTransactions(t.db)} WHERE merchant_id = $1 AND guest_user_id IS NOT NULL`,
          [w.kirana.id],
        )
      ).rows.map((r: { id: number }) => r.id);
      const colliding = [w.priya, w.rahul, w.anita].filter((u) => guestIds.includes(u.id));
      expect(colliding.length).toBeGreaterThan(0);
      for (const u of colliding) {
        const rows = (
          await t.http
            .get(`/api/v1/transactions/user-transactions/${w.kirana.id}`)
            .set(u.auth)
            .query({ limit: 200 })
        ).body;
        for (const r of rows) expect(r).toMatchObject({ user_id: u.id, guest_user: false });
        const guestSales = rows.filter((r: { transaction_id: number }) =>
          [w.sales.guestPaid, w.sales.guestDue].includes(r.transaction_id),
        );
        expect(guestSales).toEqual([]);
      }
    });

    it('answers an unknown merchant with [], a bad id with a path 422 and a merchant with 403', async () => {
      const none = await t.http.get('/api/v1/transactions/user-transactions/999999').set(w.priya.auth);
      expectV1(none, 200, V1.userTransactions);
      expect(none.body).toEqual([]);
      const other = await t.http
        .get(`/api/v1/transactions/user-transactions/${w.pharmacy.id}`)
        .set(w.anita.auth);
      expect(other.body).toEqual([]);
      const bad = await t.http.get('/api/v1/transactions/user-transactions/abc').set(w.priya.auth);
      expect(expectV1Validation(bad)).toBe(
        'Validation error: path.merchant_id: Input should be a valid integer, unable to parse string as an integer',
      );
      expectV1Problem(
        await t.http.get(`/api/v1/transactions/user-transactions/${w.kirana.id}`).set(w.kirana.auth),
        403,
        'Access forbidden: Consumer access required',
      );
    });
  });

  describe('guests', () => {
    it('POST /guest-user answers 200 with a guest of the calling merchant, whatever merchant_id says', async () => {
      const res = await t.http
        .post('/api/v1/transactions/guest-user')
        .set(w.idle.auth)
        .send({ merchant_id: w.kirana.id });
      expectV1(res, 200, V1.guestUser);
      expect(res.body.merchant_id).toBe(w.idle.id);
      const missing = await t.http.post('/api/v1/transactions/guest-user').set(w.idle.auth).send({});
      expect(expectV1Validation(missing)).toBe('Validation error: body.merchant_id: Field required');
    });

    it('GET /guest-users lists every guest sale of the merchant, newest first, in uppercase types', async () => {
      const res = await t.http.get('/api/v1/transactions/guest-users').set(w.pharmacy.auth);
      expectV1(res, 200, V1.guestUsers);
      expect(res.body).toEqual([
        expect.objectContaining({
          merchant_id: w.pharmacy.id,
          transaction_amount: 5,
          transaction_type: 'PAYED',
        }),
      ]);
      const idle = await t.http.get('/api/v1/transactions/guest-users').set(w.idle.auth);
      // The idle merchant's unused guest (from the test above) has no sale: nothing to list.
      expect(idle.body).toEqual([]);
      const kirana = (await t.http.get('/api/v1/transactions/guest-users').set(w.kirana.auth)).body;
      expect(kirana.map((g: { transaction_type: string }) => g.transaction_type)).toContain('PAY_LATER');
      for (const g of kirana) expect(g.merchant_id).toBe(w.kirana.id);
    });
  });
});

describe('root and health (original contract)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /health and GET /api/v1/health answer as the original', async () => {
    const root = await t.http.get('/health');
    expectV1(root, 200, V1.rootHealth);
    const api = await t.http.get('/api/v1/health').set('Authorization', 'Bearer whatever');
    expectV1(api, 200, V1.apiHealth);
  });

  it('GET /favicon.ico is a 204 with no body', async () => {
    const res = await t.http.get('/favicon.ico');
    expect(res.status).toBe(204);
    expect(res.text ?? '').toBe('');
  });

  it('an unknown v1 path is a 404 "Not Found"', async () => {
    expectV1Problem(await t.http.get('/api/v1/no/such/route'), 404, 'Not Found');
  });
});

import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { IdempotencyService } from '../../src/modules/transactions/idempotency.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';
import { createSale } from '../support/sales.js';
import { badTokens } from '../support/tokens.js';
import { allTransactions } from '../support/transactions.js';

describe('transactions (e2e)', () => {
  let t: TestApp;
  let merchant: Account;
  let customer: Account;
  const events: { name: string; id: number; status: string }[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    const bus = t.app.get(EventEmitter2);
    for (const name of ['transaction.created', 'transaction.updated'])
      bus.on(name, (e: { transaction: { id: number; status: string } }) =>
        events.push({ name, id: e.transaction.id, status: e.transaction.status }),
      );
    merchant = await registerMerchant(t);
    customer = await registerUser(t);
  });
  afterAll(() => t.close());

  const create = (m: Account, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.http.post('/api/v2/transactions/create').set(m.auth).set(headers).send(body);

  describe('the seed README examples', () => {
    it('records the user example verbatim ("payed", "UPI")', async () => {
      const res = await t.http
        .post('/api/v2/transactions/create')
        .set('Authorization', `Bearer ${merchant.token}`)
        .set('Content-Type', 'application/json')
        .send(
          JSON.stringify({
            user_id: customer.id,
            amount: 25.5,
            type: 'payed',
            description: 'Coffee and pastry',
            payment_method: 'UPI',
          }),
        )
        .expect(201);
      expect(res.body).toMatchObject({
        message: 'Transaction created successfully',
        transaction_id: res.body.id,
        user_id: customer.id,
        merchant_id: merchant.id,
        is_guest_transaction: false,
        amount: 25.5,
        amount_paise: 2550,
        type: 'paid',
        status: 'paid',
        paid_paise: 2550,
        due_paise: 0,
        payment_method: 'upi',
        description: 'Coffee and pastry',
      });
      expect(res.body.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const { rows } = await t.db.query(
        `SELECT amount_paise, type FROM "transaction_${merchant.id}" WHERE id = $1`,
        [res.body.id],
      );
      expect(rows).toEqual([{ amount_paise: '2550', type: 'paid' }]);
    });

    it('records the guest example verbatim (pay_later, payment_method null) with its guest', async () => {
      const res = await create(merchant, {
        amount: 15.75,
        type: 'pay_later',
        description: 'Lunch special',
        payment_method: null,
        is_guest_transaction: true,
      }).expect(201);
      expect(res.body).toMatchObject({
        is_guest_transaction: true,
        user_id: null,
        type: 'pay_later',
        status: 'due',
        amount: 15.75,
        due_amount: 15.75,
        payment_method: null,
      });
      const guest = await t.db.query('SELECT merchant_id, transaction_id FROM guest_users WHERE id = $1', [
        res.body.guest_user_id,
      ]);
      expect(guest.rows).toEqual([{ merchant_id: merchant.id, transaction_id: String(res.body.id) }]);
    });
  });

  describe('rules', () => {
    it.each([
      ['PAID', 'paid', 'paid'],
      ['Pay_Later', 'pay_later', 'due'],
      ['pending', 'pay_later', 'due'],
      ['Payed', 'paid', 'paid'],
    ])('accepts type %p as %p', async (type, expected, status) => {
      const body = await createSale(t, merchant, {
        user_id: customer.id,
        amount: 10,
        type,
        payment_method: 'Cash',
      });
      expect(body).toMatchObject({ type: expected, status, payment_method: 'cash' });
    });

    it('keeps money exact: 0.1 + 0.2 is 0.3 in paise and rupees', async () => {
      const m = await registerMerchant(t);
      await createSale(t, m, { user_id: customer.id, amount: 0.1, type: 'paid' });
      await createSale(t, m, { user_id: customer.id, amount: 0.2, type: 'paid' });
      const res = await t.http.get('/api/v2/transactions/analytics?days=1').set(m.auth).expect(200);
      expect(res.body).toMatchObject({
        total_sales: 0.3,
        total_sales_paise: 30,
        total_transactions: 2,
        avg_transaction: 0.15,
      });
    });

    it.each([
      ['no amount', { type: 'paid' }, 'amount'],
      ['a zero amount', { amount: 0, type: 'paid' }, 'amount'],
      ['a negative amount', { amount: -5, type: 'paid' }, 'amount'],
      ['three decimals', { amount: 1.234, type: 'paid' }, 'amount'],
      ['an amount as a string', { amount: '25.50', type: 'paid' }, 'amount'],
      ['more than ₹1 crore', { amount: 10000000.01, type: 'paid' }, 'amount'],
      ['an unknown type', { amount: 5, type: 'gift' }, 'type'],
      ['an unknown payment method', { amount: 5, type: 'paid', payment_method: 'cheque' }, 'payment_method'],
      ['a user_id as a string', { amount: 5, type: 'paid', user_id: '1' }, 'user_id'],
      ['an unknown field', { amount: 5, type: 'paid', discount: 3 }, 'discount'],
      ['a bad occurred_at', { amount: 5, type: 'paid', occurred_at: 'yesterday' }, 'occurred_at'],
      // ISO 8601 week and ordinal dates pass a plain ISO check but name no instant JavaScript reads.
      ['an ISO week date', { amount: 5, type: 'paid', occurred_at: '2026-W48-2' }, 'occurred_at'],
      ['an ISO ordinal date', { amount: 5, type: 'paid', occurred_at: '2026-328' }, 'occurred_at'],
      ['a bad client_id', { amount: 5, type: 'paid', client_id: 'abc' }, 'client_id'],
    ])('rejects %s with 422', async (_label, body, field) => {
      const before = await t.db.query(`SELECT count(*)::int AS n FROM ${await allTransactions(t.db)}`);
      const res = await create(merchant, { user_id: customer.id, ...body });
      expectProblem(res, 422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      const after = await t.db.query(`SELECT count(*)::int AS n FROM ${await allTransactions(t.db)}`);
      expect(after.rows[0].n).toBe(before.rows[0].n);
    });

    it('accepts exactly ₹1 crore', async () => {
      const body = await createSale(t, merchant, { user_id: customer.id, amount: 10000000, type: 'paid' });
      expect(body.amount_paise).toBe(1_000_000_000);
    });

    it('needs exactly one buyer', async () => {
      expectProblem(await create(merchant, { amount: 5, type: 'paid' }), 422);
      expectProblem(
        await create(merchant, { amount: 5, type: 'paid', user_id: customer.id, is_guest_transaction: true }),
        422,
      );
    });

    it('answers a sale for a customer who does not exist with 422 and writes nothing', async () => {
      const before = events.length;
      const res = await create(merchant, { user_id: 987654, amount: 5, type: 'paid' });
      expectProblem(res, 422);
      expect(res.body.errors[0].field).toBe('user_id');
      expect(events.length).toBe(before);
    });

    it('records an offline sale at its occurred_at, but not more than 5 minutes in the future', async () => {
      const when = new Date(Date.now() - 3 * 86_400_000).toISOString();
      const body = await createSale(t, merchant, {
        user_id: customer.id,
        amount: 5,
        type: 'paid',
        occurred_at: when,
      });
      expect(body.occurred_at).toBe(when);
      const future = new Date(Date.now() + 10 * 60_000).toISOString();
      expectProblem(
        await create(merchant, { user_id: customer.id, amount: 5, type: 'paid', occurred_at: future }),
        422,
      );
    });

    it('links the customer to the merchant with the sale', async () => {
      const { rows } = await t.db.query(
        'SELECT 1 FROM customer_merchants WHERE user_id = $1 AND merchant_id = $2',
        [customer.id, merchant.id],
      );
      expect(rows).toHaveLength(1);
    });
  });

  describe('retries never double a write', () => {
    it('20 parallel creates with one Idempotency-Key make exactly one row', async () => {
      const m = await registerMerchant(t);
      const key = randomUUID();
      const body = { user_id: customer.id, amount: 99.99, type: 'paid', payment_method: 'upi' };
      const results = await Promise.all(
        Array.from({ length: 20 }, () => create(m, body, { 'Idempotency-Key': key })),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const created = results.filter((r) => r.status === 201);
      expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM "transaction_${m.id}"`);
      expect(rows[0].n).toBe(1);
      // Afterwards the key always replays the stored response.
      const again = await create(m, body, { 'Idempotency-Key': key }).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(created[0].body.id);
      expectProblem(await create(m, { ...body, amount: 1 }, { 'Idempotency-Key': key }), 422);
      const { rows: after } = await t.db.query(`SELECT count(*)::int AS n FROM "transaction_${m.id}"`);
      expect(after[0].n).toBe(1);
    });

    it('scopes keys to the merchant', async () => {
      const key = randomUUID();
      const a = await registerMerchant(t);
      const b = await registerMerchant(t);
      const body = { user_id: customer.id, amount: 5, type: 'paid' };
      const ra = await create(a, body, { 'Idempotency-Key': key }).expect(201);
      const rb = await create(b, body, { 'Idempotency-Key': key }).expect(201);
      expect(rb.headers['idempotent-replayed']).toBeUndefined();
      expect(rb.body.merchant_id).toBe(b.id);
      expect(ra.body.id).not.toBe(rb.body.id);
    });

    it('a repeated offline client_id returns the existing transaction, also under concurrency', async () => {
      const m = await registerMerchant(t);
      const clientId = randomUUID();
      const body = { amount: 42, type: 'pay_later', is_guest_transaction: true, client_id: clientId };
      const results = await Promise.all(Array.from({ length: 8 }, () => create(m, body)));
      expect(results.every((r) => r.status === 201)).toBe(true);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      const tx = await t.db.query(`SELECT count(*)::int AS n FROM "transaction_${m.id}"`);
      expect(tx.rows[0].n).toBe(1);
      // No orphaned guest from the losing attempts.
      const guests = await t.db.query('SELECT count(*)::int AS n FROM guest_users WHERE merchant_id = $1', [
        m.id,
      ]);
      expect(guests.rows[0].n).toBe(1);
    });

    it('keeps keys 72 hours: an expired key is purged and may be used afresh', async () => {
      const m = await registerMerchant(t);
      const key = randomUUID();
      const body = { user_id: customer.id, amount: 7, type: 'paid' };
      const first = await create(m, body, { 'Idempotency-Key': key }).expect(201);
      await t.db.query(
        `UPDATE idempotency_keys SET created_at = now() - interval '73 hours' WHERE key = $1`,
        [key],
      );
      const removed = await t.app.get(IdempotencyService).purge();
      expect(removed).toBeGreaterThanOrEqual(1);
      const { rows } = await t.db.query('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [
        key,
      ]);
      expect(rows[0].n).toBe(0);
      const second = await create(m, body, { 'Idempotency-Key': key }).expect(201);
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(second.body.id).not.toBe(first.body.id);
    });

    it('answers a malformed Idempotency-Key with 422', async () => {
      expectProblem(
        await create(
          merchant,
          { user_id: customer.id, amount: 5, type: 'paid' },
          { 'Idempotency-Key': 'bad key!' },
        ),
        422,
      );
    });
  });

  describe('bills', () => {
    it('settles in part, then the rest; each payment is a settlement row', async () => {
      const bill = await createSale(t, merchant, { user_id: customer.id, amount: 100, type: 'pay_later' });
      expect(bill.status).toBe('due');
      const part = await t.http
        .post(`/api/v2/transactions/${bill.id}/settle`)
        .set(merchant.auth)
        .send({ amount: 40, payment_method: 'cash' })
        .expect(200);
      expect(part.body).toMatchObject({
        status: 'partially_paid',
        paid_amount: 40,
        due_amount: 60,
        settled_at: null,
      });
      expect(part.body.seq).toBeGreaterThan(bill.seq);
      const rest = await t.http
        .post(`/api/v2/transactions/${bill.id}/settle`)
        .set(merchant.auth)
        .send({ payment_method: 'UPI', reference_number: 'UPI-1' })
        .expect(200);
      expect(rest.body).toMatchObject({ status: 'paid', paid_amount: 100, due_amount: 0 });
      expect(rest.body.settled_at).not.toBeNull();
      const s = await t.db.query(
        'SELECT amount_paise, payment_method FROM settlements WHERE transaction_id = $1 ORDER BY id',
        [bill.id],
      );
      expect(s.rows).toEqual([
        { amount_paise: '4000', payment_method: 'cash' },
        { amount_paise: '6000', payment_method: 'upi' },
      ]);
      expect(events.filter((e) => e.id === bill.id).map((e) => `${e.name}:${e.status}`)).toEqual([
        'transaction.created:due',
        'transaction.updated:partially_paid',
        'transaction.updated:paid',
      ]);
      expectProblem(
        await t.http
          .post(`/api/v2/transactions/${bill.id}/settle`)
          .set(merchant.auth)
          .send({ payment_method: 'cash' }),
        409,
      );
    });

    it('settles everything still owed when amount is null, as when it is omitted', async () => {
      const bill = await createSale(t, merchant, { user_id: customer.id, amount: 75.5, type: 'pay_later' });
      const res = await t.http
        .post(`/api/v2/transactions/${bill.id}/settle`)
        .set(merchant.auth)
        .send({ amount: null, payment_method: 'cash' })
        .expect(200);
      expect(res.body).toMatchObject({ status: 'paid', paid_amount: 75.5, due_amount: 0 });
    });

    it('10 parallel settles of 60 against a 100 bill with 40 paid pay exactly 100 in total', async () => {
      const bill = await createSale(t, merchant, { user_id: customer.id, amount: 100, type: 'pay_later' });
      await t.http
        .post(`/api/v2/transactions/${bill.id}/settle`)
        .set(merchant.auth)
        .send({ amount: 40, payment_method: 'cash' })
        .expect(200);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          t.http
            .post(`/api/v2/transactions/${bill.id}/settle`)
            .set(merchant.auth)
            .send({ amount: 60, payment_method: 'cash' }),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
      const { rows } = await t.db.query(
        `SELECT (SELECT sum(amount_paise) FROM settlements WHERE transaction_id = $1)::int AS settled,
                (SELECT paid_paise FROM "transaction_${merchant.id}" WHERE id = $1)::int AS paid`,
        [bill.id],
      );
      expect(rows[0]).toEqual({ settled: 10000, paid: 10000 });
    });

    it('refuses to take more than is owed, to settle a paid sale, and bad bodies', async () => {
      const bill = await createSale(t, merchant, { user_id: customer.id, amount: 50, type: 'pay_later' });
      const url = `/api/v2/transactions/${bill.id}/settle`;
      expectProblem(
        await t.http.post(url).set(merchant.auth).send({ amount: 50.01, payment_method: 'cash' }),
        422,
      );
      expectProblem(await t.http.post(url).set(merchant.auth).send({ amount: 5 }), 422);
      expectProblem(
        await t.http.post(url).set(merchant.auth).send({ amount: 0, payment_method: 'cash' }),
        422,
      );
      const sale = await createSale(t, merchant, { user_id: customer.id, amount: 50, type: 'paid' });
      expectProblem(
        await t.http
          .post(`/api/v2/transactions/${sale.id}/settle`)
          .set(merchant.auth)
          .send({ payment_method: 'cash' }),
        409,
      );
      expectProblem(
        await t.http
          .post('/api/v2/transactions/99999999/settle')
          .set(merchant.auth)
          .send({ payment_method: 'cash' }),
        404,
      );
      expectProblem(
        await t.http
          .post('/api/v2/transactions/abc/settle')
          .set(merchant.auth)
          .send({ payment_method: 'cash' }),
        400,
      );
    });

    it('settles a guest bill under the guest id, and replays an idempotent settle', async () => {
      const bill = await createSale(t, merchant, {
        amount: 30,
        type: 'pay_later',
        is_guest_transaction: true,
      });
      const key = randomUUID();
      const url = `/api/v2/transactions/${bill.id}/settle`;
      const first = await t.http
        .post(url)
        .set(merchant.auth)
        .set('Idempotency-Key', key)
        .send({ payment_method: 'cash' })
        .expect(200);
      expect(first.body).toMatchObject({ status: 'paid', guest_user_id: bill.guest_user_id });
      const again = await t.http
        .post(url)
        .set(merchant.auth)
        .set('Idempotency-Key', key)
        .send({ payment_method: 'cash' })
        .expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const { rows } = await t.db.query(
        'SELECT count(*)::int AS n FROM settlements WHERE transaction_id = $1',
        [bill.id],
      );
      expect(rows[0].n).toBe(1);
    });
  });

  describe('guests', () => {
    it('creates an unused guest (ignoring a body merchant_id), binds it once, and lists it', async () => {
      const m = await registerMerchant(t);
      const other = await registerMerchant(t);
      const guest = await t.http
        .post('/api/v2/transactions/guest-user')
        .set(m.auth)
        .send({ merchant_id: other.id })
        .expect(201);
      expect(guest.body).toMatchObject({ merchant_id: m.id, transaction_id: null });
      const sale = await createSale(t, m, {
        amount: 12.5,
        type: 'paid',
        payment_method: 'cash',
        guest_user_id: guest.body.id,
      });
      expect(sale.guest_user_id).toBe(guest.body.id);
      expectProblem(await create(m, { amount: 1, type: 'paid', guest_user_id: guest.body.id }), 409);
      expectProblem(await create(other, { amount: 1, type: 'paid', guest_user_id: guest.body.id }), 404);
      expectProblem(await create(m, { amount: 1, type: 'paid', guest_user_id: 99999999 }), 404);
      const list = await t.http.get('/api/v2/transactions/guest-users').set(m.auth).expect(200);
      expect(list.body).toEqual([
        expect.objectContaining({
          id: guest.body.id,
          transaction_id: sale.id,
          amount: 12.5,
          type: 'paid',
          payment_method: 'cash',
          transaction_date: sale.occurred_at,
        }),
      ]);
      const otherList = await t.http.get('/api/v2/transactions/guest-users').set(other.auth).expect(200);
      expect(otherList.body).toEqual([]);
    });
  });

  describe('reading', () => {
    let m: Account;
    let u1: Account;
    let u2: Account;
    const ids: number[] = [];

    beforeAll(async () => {
      m = await registerMerchant(t);
      u1 = await registerUser(t);
      u2 = await registerUser(t);
      for (let i = 0; i < 7; i++) {
        const when = new Date(Date.now() - (10 - i) * 3_600_000).toISOString();
        const body = await createSale(t, m, {
          user_id: i % 2 ? u2.id : u1.id,
          amount: 10 + i,
          type: i % 3 ? 'paid' : 'pay_later',
          occurred_at: when,
        });
        ids.push(body.id);
      }
    });

    it('pages a merchant history newest first by cursor, with X-Next-Cursor and Link', async () => {
      const first = await t.http.get('/api/v2/transactions/history?limit=3').set(m.auth).expect(200);
      expect(first.body.map((x: { id: number }) => x.id)).toEqual(ids.slice(-3).reverse());
      const cursor = first.headers['x-next-cursor'];
      expect(cursor).toBeTruthy();
      expect(first.headers.link).toContain('rel="next"');
      const second = await t.http
        .get(`/api/v2/transactions/history?limit=3&cursor=${cursor}`)
        .set(m.auth)
        .expect(200);
      expect(second.body.map((x: { id: number }) => x.id)).toEqual(ids.slice(1, 4).reverse());
      const link = /<([^>]+)>/.exec(first.headers.link)![1];
      const viaLink = await t.http.get(link).set(m.auth).expect(200);
      expect(viaLink.body).toEqual(second.body);
      const last = await t.http
        .get(`/api/v2/transactions/history?limit=3&cursor=${second.headers['x-next-cursor']}`)
        .set(m.auth);
      expect(last.body.map((x: { id: number }) => x.id)).toEqual([ids[0]]);
      expect(last.headers['x-next-cursor']).toBeUndefined();
    });

    it('supports the seed offset and filters', async () => {
      const byOffset = await t.http
        .get('/api/v2/transactions/history?limit=2&offset=2')
        .set(m.auth)
        .expect(200);
      expect(byOffset.body.map((x: { id: number }) => x.id)).toEqual([ids[4], ids[3]]);
      const due = await t.http.get('/api/v2/transactions/history?type=pending').set(m.auth).expect(200);
      expect(due.body.every((x: { type: string }) => x.type === 'pay_later')).toBe(true);
      expect(due.body).toHaveLength(3);
      const forU2 = await t.http.get(`/api/v2/transactions/history?user_id=${u2.id}`).set(m.auth).expect(200);
      expect(forU2.body.map((x: { user_id: number }) => x.user_id)).toEqual([u2.id, u2.id, u2.id]);
      const window = await t.http
        .get('/api/v2/transactions/history')
        .query({ from: new Date(Date.now() - 6.5 * 3_600_000).toISOString() })
        .set(m.auth)
        .expect(200);
      expect(window.body).toHaveLength(3);
    });

    it('resyncs by seq: changes after a seq, oldest first', async () => {
      const all = await t.http.get('/api/v2/transactions/history?limit=200').set(m.auth);
      const seqs = all.body.map((x: { seq: number }) => x.seq).sort((a: number, b: number) => a - b);
      const res = await t.http
        .get(`/api/v2/transactions/history?since_seq=${seqs[3]}`)
        .set(m.auth)
        .expect(200);
      expect(res.body.map((x: { seq: number }) => x.seq)).toEqual(seqs.slice(4));
    });

    it('shows a customer only their own purchases, across merchants', async () => {
      const m2 = await registerMerchant(t);
      await createSale(t, m2, { user_id: u1.id, amount: 5, type: 'paid' });
      const res = await t.http.get('/api/v2/transactions/history').set(u1.auth).expect(200);
      expect(res.body.every((x: { user_id: number }) => x.user_id === u1.id)).toBe(true);
      expect(new Set(res.body.map((x: { merchant_id: number }) => x.merchant_id))).toEqual(
        new Set([m.id, m2.id]),
      );
      expect(
        res.body.find((x: { merchant_id: number }) => x.merchant_id === m2.id).merchant_name,
      ).toBeTruthy();
      const stranger = await registerUser(t);
      await t.http.get('/api/v2/transactions/history').set(stranger.auth).expect(200, []);
    });

    it("keeps merchants apart: 404 on another merchant's transaction and settle, nothing in their history", async () => {
      const b = await registerMerchant(t);
      await t.http.get(`/api/v2/transactions/${ids[0]}`).set(m.auth).expect(200);
      expectProblem(await t.http.get(`/api/v2/transactions/${ids[0]}`).set(b.auth), 404);
      expectProblem(
        await t.http
          .post(`/api/v2/transactions/${ids[0]}/settle`)
          .set(b.auth)
          .send({ payment_method: 'cash' }),
        404,
      );
      await t.http.get('/api/v2/transactions/history').set(b.auth).expect(200, []);
      // The customer of the sale may read it; another customer gets 404.
      const owner = ids[0] === ids[0] ? u1 : u2;
      await t.http.get(`/api/v2/transactions/${ids[0]}`).set(owner.auth).expect(200);
      expectProblem(await t.http.get(`/api/v2/transactions/${ids[0]}`).set(u2.auth), 404);
    });

    it('rejects bad history queries with 422', async () => {
      for (const q of [
        'limit=0',
        'limit=201',
        'limit=abc',
        'offset=-1',
        'cursor=bm9wZQ',
        'type=gift',
        'status=x',
        'from=yesterday',
      ])
        expectProblem(await t.http.get(`/api/v2/transactions/history?${q}`).set(m.auth), 422);
    });

    it('streams the CSV statement', async () => {
      const res = await t.http.get('/api/v2/transactions/export.csv').set(m.auth).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/csv/);
      expect(res.headers['content-disposition']).toMatch(/attachment; filename="graminstore-statement-/);
      const lines = res.text.trim().split('\n');
      expect(lines[0]).toBe(
        'id,occurred_at,local_time,type,status,amount,paid,due,buyer,user_id,customer_name,guest_user_id,payment_method,reference_number,description',
      );
      expect(lines).toHaveLength(8);
      expect(lines[1]).toContain(',10.00,');
      expectProblem(
        await t.http.get('/api/v2/transactions/export.csv?from=2026-02-01&to=2026-01-01').set(m.auth),
        422,
      );
    });
  });

  describe('roles', () => {
    it('lets only merchants write, and refuses bad tokens', async () => {
      expectProblem(await create(customer, { user_id: customer.id, amount: 5, type: 'paid' }), 403);
      const admin = badTokens.signed(1, 'admin');
      expectProblem(
        await t.http
          .post('/api/v2/transactions/create')
          .set('Authorization', `Bearer ${admin}`)
          .send({ amount: 5, type: 'paid', is_guest_transaction: true }),
        403,
      );
      expectProblem(await t.http.post('/api/v2/transactions/create').send({ amount: 5, type: 'paid' }), 401);
      expectProblem(await t.http.get('/api/v2/transactions/analytics').set(customer.auth), 403);
      expectProblem(await t.http.get('/api/v2/transactions/guest-users').set(customer.auth), 403);
      expectProblem(await t.http.post('/api/v2/transactions/guest-user').set(customer.auth), 403);
      expectProblem(await t.http.get('/api/v2/transactions/export.csv').set(customer.auth), 403);
      expectProblem(
        await t.http
          .get('/api/v2/transactions/history')
          .set('Authorization', `Bearer ${badTokens.expired(merchant.id)}`),
        401,
      );
    });
  });

  describe('per-merchant tables', () => {
    const versions = async () =>
      new Map(
        (
          await t.db.query<{ merchant_id: number; version: number }>(
            `SELECT merchant_id, version FROM merchant_tables`,
          )
        ).rows.map((r) => [r.merchant_id, r.version]),
      );

    it('provisions one standalone table per merchant under 12 parallel registrations', async () => {
      const { merchantBody } = await import('../support/factories.js');
      const results = await Promise.all(
        Array.from({ length: 12 }, () => t.http.post('/api/v2/auth/register/merchant').send(merchantBody())),
      );
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
      const names = results.map((r) => `transaction_${r.body.user_id}`);
      const { rows } = await t.db.query(
        `SELECT c.relname FROM pg_class c WHERE c.relname = ANY($1) AND c.relkind = 'r' AND NOT c.relispartition`,
        [names],
      );
      expect(rows.map((r: { relname: string }) => r.relname).sort()).toEqual([...names].sort());
      const current = await versions();
      for (const r of results) expect(current.get(r.body.user_id)).toBe(current.get(0));
      // Each one takes sales right away.
      const first = results[0].body;
      await t.http
        .post('/api/v2/transactions/create')
        .set('Authorization', `Bearer ${first.access_token}`)
        .send({ amount: 1, type: 'paid', is_guest_transaction: true })
        .expect(201);
    });

    it('every merchant table has the template indexes and no foreign keys, and no parent exists', async () => {
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = $1`, [
        `transaction_${merchant.id}`,
      ]);
      expect(rows[0].n).toBeGreaterThanOrEqual(7);
      const fk = await t.db.query(
        `SELECT count(*)::int AS n FROM pg_constraint
          WHERE contype = 'f' AND (conrelid = $1::regclass OR confrelid = $1::regclass)`,
        [`transaction_${merchant.id}`],
      );
      expect(fk.rows[0].n).toBe(0);
      const parent = await t.db.query(`SELECT to_regclass('transactions') AS t`);
      expect(parent.rows[0].t).toBeNull();
    });

    it('migrates every merchant table table by table, resumes after a failure, and creates new ones current', async () => {
      const { MerchantTableMigrator } =
        await import('../../src/modules/transactions/merchant-table-migrator.js');
      const { MERCHANT_TABLE_VERSION: now } =
        await import('../../src/modules/transactions/merchant-table-migrations.js');
      const { DataSource } = await import('typeorm');
      const dataSource = t.app.get(DataSource);
      const [victim, other] = await Promise.all([registerMerchant(t), registerMerchant(t)]);
      const addColumn = {
        version: now + 1,
        description: 'loyalty points',
        template: [`ALTER TABLE transaction_template ADD COLUMN loyalty_points integer NOT NULL DEFAULT 0`],
        table: (table: string) => [
          `ALTER TABLE ${table} ADD COLUMN loyalty_points integer NOT NULL DEFAULT 0`,
        ],
      };
      // A shop busy with a long transaction on its table: the migration gives up on it quickly
      // (never waiting long behind its writes) and goes on with the others.
      const busy = await t.db.connect();
      try {
        await busy.query('BEGIN');
        await busy.query(`LOCK TABLE "transaction_${victim.id}" IN ROW EXCLUSIVE MODE`);
        const started = Date.now();
        const first = await new MerchantTableMigrator(dataSource, {
          migrations: [addColumn],
          lockTimeoutMs: 200,
          attempts: 2,
        }).run();
        expect(first.failed.map((f) => f.merchantId)).toEqual([victim.id]);
        expect(first.migrated).toContain(other.id);
        expect(Date.now() - started).toBeLessThan(30_000);
        const midway = await versions();
        expect(midway.get(victim.id)).toBe(now);
        expect(midway.get(other.id)).toBe(now + 1);
        expect(midway.get(0)).toBe(now + 1);
      } finally {
        await busy.query('ROLLBACK');
        busy.release();
      }
      // A second run resumes: only the table left behind is migrated.
      const second = await new MerchantTableMigrator(dataSource, { migrations: [addColumn] }).run();
      expect(second).toMatchObject({ migrated: [victim.id], failed: [] });
      const columns = await t.db.query(
        `SELECT count(*)::int AS n FROM information_schema.columns
          WHERE table_name = ANY($1) AND column_name = 'loyalty_points'`,
        [[`transaction_${victim.id}`, `transaction_${other.id}`, 'transaction_template']],
      );
      expect(columns.rows[0].n).toBe(3);
      // A merchant registered now starts at the template's version, with the column.
      const fresh = await registerMerchant(t);
      expect((await versions()).get(fresh.id)).toBe(now + 1);
      // The app keeps working with the new column in place.
      await createSale(t, fresh, { user_id: customer.id, amount: 1, type: 'paid' });
      await createSale(t, victim, { user_id: customer.id, amount: 1, type: 'paid' });
    });

    it('keeps merchants apart: a merchant never reads or settles another merchant’s sale', async () => {
      const [a, b] = await Promise.all([registerMerchant(t), registerMerchant(t)]);
      const sale = await createSale(t, a, { user_id: customer.id, amount: 40, type: 'pay_later' });
      await t.http.get(`/api/v2/transactions/${sale.id}`).set(b.auth).expect(404);
      await t.http
        .post(`/api/v2/transactions/${sale.id}/settle`)
        .set(b.auth)
        .send({ payment_method: 'cash' })
        .expect(404);
      const history = await t.http.get('/api/v2/transactions/history').set(b.auth).expect(200);
      expect(history.body).toEqual([]);
      await t.http.get(`/api/v2/transactions/${sale.id}`).set(a.auth).expect(200);
      await t.http.get(`/api/v2/transactions/${sale.id}`).set(customer.auth).expect(200);
    });
  });
});

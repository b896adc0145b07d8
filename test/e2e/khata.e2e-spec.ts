import { jest } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/app.js';
import { acceptShop, registerMerchant, registerUser, type Account } from '../support/factories.js';
import { createSale } from '../support/sales.js';
import { merchantTable } from '../support/transactions.js';

jest.setTimeout(120_000);

/** Payments on account, advances, voids, edits and the khata's invariants (issue 14). */
describe('khata (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const accountOf = async (m: Account, userId: number) => {
    const { rows } = await t.db.query(
      `SELECT id::int FROM customer_accounts WHERE merchant_id = $1 AND user_id = $2`,
      [m.id, userId],
    );
    return rows[0].id as number;
  };
  const pay = (m: Account, accountId: number, body: Record<string, unknown>, key?: string) => {
    const req = t.http.post(`/api/v2/customers/${accountId}/payments`).set(m.auth);
    if (key) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const bill = (m: Account, id: number) => t.http.get(`/api/v2/transactions/${id}`).set(m.auth);

  it('a payment pays the oldest bills first, the last in part, and keeps the rest as an advance for the next credit sale', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    const b1 = await createSale(t, m, { user_id: u.id, amount: 100, type: 'pay_later' });
    const b2 = await createSale(t, m, { user_id: u.id, amount: 200, type: 'pay_later' });
    const id = await accountOf(m, u.id);

    const first = await pay(m, id, { amount: 150, payment_method: 'cash' }, 'p-1');
    expect(first.status).toBe(201);
    expect(
      first.body.allocations.map((a: { transaction_id: number; amount_paise: number }) => [
        a.transaction_id,
        a.amount_paise,
      ]),
    ).toEqual([
      [b1.id, 10000],
      [b2.id, 5000],
    ]);
    expect(first.body).toMatchObject({ advance_paise: 0, account: { due_paise: 15000, advance_paise: 0 } });
    // The same key replays without writing.
    const again = await pay(m, id, { amount: 150, payment_method: 'cash' }, 'p-1');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);

    const second = await pay(m, id, { amount: 200, payment_method: 'upi' });
    expect(second.body).toMatchObject({
      advance_paise: 5000,
      account: { due_paise: 0, advance_paise: 5000 },
    });
    expect((await bill(m, b2.id)).body).toMatchObject({ status: 'paid', paid_paise: 20000 });
    expect((await bill(m, b2.id)).body.allocations).toHaveLength(2);

    // The advance goes to the next credit sale.
    const b3 = await createSale(t, m, { user_id: u.id, amount: 80, type: 'pay_later' });
    expect(b3).toMatchObject({ paid_paise: 5000, status: 'partially_paid' });
    const account = await t.http.get(`/api/v2/customers/${id}`).set(m.auth);
    expect(account.body).toMatchObject({ due_paise: 3000, advance_paise: 0, balance: 30 });

    const ledger = await t.http.get(`/api/v2/customers/${id}/ledger`).set(m.auth);
    expect(ledger.status).toBe(200);
    expect(
      ledger.body.entries.map((e: { kind: string; balance_paise: number }) => [e.kind, e.balance_paise]),
    ).toEqual([
      ['sale_credit', 10000],
      ['sale_credit', 30000],
      ['payment', 15000],
      ['payment', -5000],
      ['sale_credit', 3000],
    ]);
    // The customer sees the same ledger and balance.
    await acceptShop(t, u.id, m.id);
    const mine = await t.http.get(`/api/v2/me/shops/${m.id}/ledger`).set(u.auth);
    expect(mine.body.entries).toEqual(ledger.body.entries);
    const shops = await t.http.get('/api/v2/me/shops').set(u.auth);
    expect(shops.body.shops[0].account).toMatchObject({ id, due_paise: 3000, advance_paise: 0 });
  });

  it('a GSB<id> reference pays that bill first; a target that is not an open bill is a 422', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    await createSale(t, m, { user_id: u.id, amount: 100, type: 'pay_later' });
    const newer = await createSale(t, m, { user_id: u.id, amount: 50, type: 'pay_later' });
    const id = await accountOf(m, u.id);
    const res = await pay(m, id, { amount: 50, payment_method: 'upi', reference_number: `GSB${newer.id}` });
    expect(res.body.allocations).toEqual([
      expect.objectContaining({ transaction_id: newer.id, amount_paise: 5000 }),
    ]);
    const other = await registerMerchant(t);
    expect((await pay(other, id, { amount: 1, payment_method: 'cash' })).status).toBe(404);
  });

  it('voiding a bill with payments moves them to the advance and on to other open bills; a voided sale cannot be settled', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    const b1 = await createSale(t, m, { user_id: u.id, amount: 100, type: 'pay_later' });
    const b2 = await createSale(t, m, { user_id: u.id, amount: 40, type: 'pay_later' });
    const id = await accountOf(m, u.id);
    await t.http
      .post(`/api/v2/transactions/${b1.id}/settle`)
      .set(m.auth)
      .send({ amount: 60, payment_method: 'cash' })
      .expect(200);

    const voided = await t.http
      .post(`/api/v2/transactions/${b1.id}/void`)
      .set(m.auth)
      .send({ reason: 'wrong customer' });
    expect(voided.status).toBe(200);
    expect(voided.body.voided).toMatchObject({ reason: 'wrong customer', by: null });
    expect((await bill(m, b2.id)).body).toMatchObject({ status: 'paid', paid_paise: 4000 });
    expect((await t.http.get(`/api/v2/customers/${id}`).set(m.auth)).body).toMatchObject({
      due_paise: 0,
      advance_paise: 2000,
    });
    const settle = await t.http
      .post(`/api/v2/transactions/${b1.id}/settle`)
      .set(m.auth)
      .send({ payment_method: 'cash' });
    expect(settle.status).toBe(409);
    expect(
      (await t.http.post(`/api/v2/transactions/${b1.id}/void`).set(m.auth).send({ reason: 'again' })).status,
    ).toBe(409);

    const dash = await t.http.get('/api/v2/dashboard/merchant').set(m.auth);
    expect(dash.body.outstanding).toMatchObject({ amount: 0 });
    const audit = await t.http.get(`/api/v2/transactions/${b1.id}/audit`).set(m.auth);
    expect(audit.body).toEqual([
      expect.objectContaining({ action: 'void', reason: 'wrong customer', recorded_by: null }),
    ]);
    const ledger = (await t.http.get(`/api/v2/customers/${id}/ledger`).set(m.auth)).body;
    expect(ledger.entries.at(-1)).toMatchObject({ kind: 'void', amount_paise: -10000, balance_paise: -2000 });
  });

  it('an edit voids the sale and records a replacement in one step, both audited', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    const wrong = await createSale(t, m, { user_id: u.id, amount: 450, type: 'pay_later' });
    const res = await t.http
      .post(`/api/v2/transactions/${wrong.id}/edit`)
      .set(m.auth)
      .send({ user_id: u.id, amount: 45, type: 'pay_later', reason: 'typed 450' });
    expect(res.status).toBe(200);
    expect(res.body.voided.voided).toMatchObject({ reason: 'typed 450' });
    expect(res.body.transaction).toMatchObject({ replaces: wrong.id, amount_paise: 4500 });
    const id = await accountOf(m, u.id);
    expect((await t.http.get(`/api/v2/customers/${id}`).set(m.auth)).body.due_paise).toBe(4500);
    const audit = (await t.http.get(`/api/v2/transactions/${res.body.transaction.id}/audit`).set(m.auth))
      .body;
    expect(audit).toEqual([
      expect.objectContaining({ action: 'replacement', details: { replaces: wrong.id } }),
    ]);
  });

  it('20 parallel payments on one account: none lost or doubled, no bill overpaid', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    for (let i = 0; i < 5; i++) await createSale(t, m, { user_id: u.id, amount: 30, type: 'pay_later' });
    const id = await accountOf(m, u.id);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => pay(m, id, { amount: 10, payment_method: 'cash' })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const account = (await t.http.get(`/api/v2/customers/${id}`).set(m.auth)).body;
    expect(account).toMatchObject({ due_paise: 0, advance_paise: 5000 });
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n, count(DISTINCT entry_no)::int AS distinct_n, sum(amount_paise)::int AS total
         FROM account_entries WHERE account_id = $1 AND kind = 'payment'`,
      [id],
    );
    expect(rows[0]).toEqual({ n: 20, distinct_n: 20, total: -20000 });
    const over = await t.db.query(
      `SELECT count(*)::int AS n FROM ${merchantTable(m.id)} WHERE paid_paise > amount_paise`,
    );
    expect(over.rows[0].n).toBe(0);
  });

  it('holds the invariants over random sequences of sales, payments, settles and voids', async () => {
    // A small deterministic generator, so a failure names its seed and can be replayed.
    let seed = 20261202;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const m = await registerMerchant(t);
    const users = await Promise.all([registerUser(t), registerUser(t), registerUser(t)]);
    for (const u of users) await createSale(t, m, { user_id: u.id, amount: 1, type: 'paid' });
    for (const u of users) await acceptShop(t, u.id, m.id);
    const sales: number[] = [];
    for (let step = 0; step < 60; step++) {
      const u = users[rand(users.length)];
      const op = rand(10);
      const amount = (1 + rand(50000)) / 100;
      if (op < 3) {
        const s = await createSale(t, m, { user_id: u.id, amount, type: rand(3) ? 'pay_later' : 'paid' });
        sales.push(s.id);
      } else if (op < 4) {
        const s = await createSale(t, m, { is_guest_transaction: true, amount, type: 'pay_later' });
        sales.push(s.id);
      } else if (op < 7) {
        await pay(m, await accountOf(m, u.id), { amount, payment_method: 'cash' }).expect(201);
      } else if (op < 9 && sales.length) {
        const id = sales[rand(sales.length)];
        await t.http.post(`/api/v2/transactions/${id}/settle`).set(m.auth).send({ payment_method: 'upi' });
      } else if (sales.length) {
        const id = sales[rand(sales.length)];
        await t.http
          .post(`/api/v2/transactions/${id}/void`)
          .set(m.auth)
          .send({ reason: `step ${step}` });
      }
    }
    const table = merchantTable(m.id);
    const { rows: accounts } = await t.db.query(
      `SELECT a.id, a.user_id, a.guest_user_id, a.due_paise::bigint AS due, a.advance_paise::bigint AS advance,
              (SELECT coalesce(sum(amount_paise), 0) FROM account_entries e WHERE e.account_id = a.id)::bigint AS ledger,
              (SELECT balance_paise FROM account_entries e WHERE e.account_id = a.id ORDER BY entry_no DESC LIMIT 1)::bigint AS last,
              (SELECT coalesce(sum(t.amount_paise), 0) FROM ${table} t WHERE t.type = 'pay_later'
                  AND (t.user_id = a.user_id OR t.guest_user_id = a.guest_user_id))::bigint AS credit,
              (SELECT coalesce(sum(t.amount_paise), 0) FROM ${table} t WHERE t.type = 'pay_later' AND t.voided_at IS NOT NULL
                  AND (t.user_id = a.user_id OR t.guest_user_id = a.guest_user_id))::bigint AS voided,
              (SELECT coalesce(sum(amount_paise), 0) FROM account_payments p WHERE p.account_id = a.id)::bigint AS payments,
              (SELECT coalesce(sum(t.amount_paise - t.paid_paise), 0) FROM ${table} t WHERE t.type = 'pay_later'
                  AND t.voided_at IS NULL AND (t.user_id = a.user_id OR t.guest_user_id = a.guest_user_id))::bigint AS open
         FROM customer_accounts a WHERE a.merchant_id = $1`,
      [m.id],
    );
    let dues = 0n;
    for (const a of accounts) {
      const balance = BigInt(a.due) - BigInt(a.advance);
      expect([a.id, balance]).toEqual([a.id, BigInt(a.credit) - BigInt(a.payments) - BigInt(a.voided)]);
      expect([a.id, balance]).toEqual([a.id, BigInt(a.ledger)]);
      expect([a.id, balance]).toEqual([a.id, BigInt(a.last ?? 0)]);
      expect([a.id, BigInt(a.due)]).toEqual([a.id, BigInt(a.open)]);
      expect(BigInt(a.advance) === 0n || BigInt(a.due) === 0n).toBe(true);
      dues += BigInt(a.due);
    }
    const over = await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE paid_paise > amount_paise`);
    expect(over.rows[0].n).toBe(0);
    const dash = (await t.http.get('/api/v2/dashboard/merchant').set(m.auth)).body;
    expect(BigInt(Math.round(dash.outstanding.amount * 100))).toBe(dues);
    // Each customer's own view equals what the shop shows.
    for (const u of users) {
      const id = await accountOf(m, u.id);
      const shop = (await t.http.get(`/api/v2/customers/${id}`).set(m.auth)).body;
      const mine = (await t.http.get('/api/v2/me/shops').set(u.auth)).body.shops.find(
        (s: { merchant_id: number }) => s.merchant_id === m.id,
      );
      expect(mine.account).toMatchObject({ due_paise: shop.due_paise, advance_paise: shop.advance_paise });
      const bills = (await t.http.get('/api/v2/dashboard/user/bills?status=due').set(u.auth)).body;
      expect(Math.round(bills.total_owed * 100)).toBe(shop.due_paise);
    }
  });
});

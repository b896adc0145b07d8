import { jest } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser, uniquePhone, type Account } from '../support/factories.js';
import { collect, connectDashboard, connected, createSale, sleep } from '../support/realtime.js';
import { allTransactions, merchantTable } from '../support/transactions.js';

jest.setTimeout(30_000);

/** Customers choose their shops: pending, accepted, blocked (issue 13, item 2). */
describe('customer shops (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ listen: true });
  });
  afterAll(() => t.close());

  const billOf = (amount: number, userId: number) => ({
    user_id: userId,
    amount,
    type: 'pay_later',
    description: 'Pay at https://example.test',
  });

  async function shopsOf(u: Account) {
    const res = await t.http.get('/api/v2/me/shops').set(u.auth);
    expect(res.status).toBe(200);
    return res.body as { pending_count: number; shops: { merchant_id: number; relation: string }[] };
  }

  const act = (u: Account, merchantId: number | string, action: string) =>
    t.http.post(`/api/v2/me/shops/${merchantId}/${action}`).set(u.auth);

  it('a first bill makes the shop pending: flagged unconfirmed and kept apart from the confirmed totals', async () => {
    const known = await registerMerchant(t);
    const stranger = await registerMerchant(t);
    const u = await registerUser(t);
    await createSale(t, known, { user_id: u.id, amount: 100, type: 'pay_later' });
    expect((await act(u, known.id, 'accept')).status).toBe(200);
    const phish = await createSale(t, stranger, billOf(9999, u.id));

    const shops = await shopsOf(u);
    expect(shops.pending_count).toBe(1);
    expect(shops.shops).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ merchant_id: known.id, relation: 'accepted' }),
        expect.objectContaining({ merchant_id: stranger.id, relation: 'pending' }),
      ]),
    );
    const [row] = (
      await t.db.query('SELECT relation FROM customer_merchants WHERE user_id = $1 AND merchant_id = $2', [
        u.id,
        stranger.id,
      ])
    ).rows;
    expect(row.relation).toBe('pending');

    const dash = (await t.http.get('/api/v2/dashboard/user').set(u.auth)).body;
    expect(dash).toMatchObject({
      total_pending: 100,
      merchants_count: 1,
      unconfirmed: { merchants_count: 1, total_pending: 9999 },
    });
    const bills = (await t.http.get('/api/v2/dashboard/user/bills?status=due').set(u.auth)).body;
    expect(bills).toMatchObject({ total_owed: 100, unconfirmed_owed: 9999 });
    const flagged = (bills.bills as { id: number; unconfirmed: boolean }[]).map((b) => [b.id, b.unconfirmed]);
    expect(flagged).toContainEqual([phish.body.id, true]);
    expect(flagged.filter(([, f]) => f === false)).toHaveLength(1);
    const history = (await t.http.get('/api/v2/transactions/history').set(u.auth)).body as {
      id: number;
      unconfirmed: boolean;
    }[];
    expect(history.find((h) => h.id === phish.body.id)?.unconfirmed).toBe(true);
    const merchants = (await t.http.get('/api/v2/dashboard/user/merchants').set(u.auth)).body;
    expect(merchants.totals.pending).toBe(100);
    expect(merchants.unconfirmed_totals.pending).toBe(9999);
    // The merchant's own view carries no customer-side flag.
    const own = await t.http.get(`/api/v2/transactions/${phish.body.id}`).set(stranger.auth);
    expect(own.body).not.toHaveProperty('unconfirmed');

    expect((await act(u, stranger.id, 'accept')).body).toMatchObject({ relation: 'accepted' });
    const after = (await t.http.get('/api/v2/dashboard/user').set(u.auth)).body;
    expect(after).toMatchObject({
      total_pending: 10099,
      merchants_count: 2,
      unconfirmed: { merchants_count: 0 },
    });
  });

  it("a blocked shop's create answers exactly as for a customer who does not exist", async () => {
    const shop = await registerMerchant(t);
    const u = await registerUser(t);
    await createSale(t, shop, { user_id: u.id, amount: 5, type: 'paid' });
    expect((await act(u, shop.id, 'block')).body).toMatchObject({ relation: 'blocked' });

    const blocked = await t.http.post('/api/v2/transactions/create').set(shop.auth).send(billOf(9999, u.id));
    const written = await t.db.query(
      `SELECT count(*)::int AS n FROM ${await allTransactions(t.db)} WHERE merchant_id = $1`,
      [shop.id],
    );
    expect(written.rows[0].n).toBe(1);
    // The same id once the customer is gone: the answer an unknown id gets.
    await t.db.query(`DELETE FROM ${merchantTable(shop.id)} WHERE user_id = $1`, [u.id]);
    // Its khata account goes with its sales (the account keeps a customer's row from being deleted).
    await t.db.query('DELETE FROM customer_accounts WHERE user_id = $1', [u.id]);
    await t.db.query('DELETE FROM users WHERE id = $1', [u.id]);
    const missing = await t.http.post('/api/v2/transactions/create').set(shop.auth).send(billOf(9999, u.id));

    expect(missing.status).toBe(422);
    expect(blocked.status).toBe(missing.status);
    expect(blocked.headers['content-type']).toBe(missing.headers['content-type']);
    expect(blocked.text).toBe(missing.text);
  });

  it("blocking hides the shop's past entries from every customer view, not from the merchant's book", async () => {
    const shop = await registerMerchant(t);
    const other = await registerMerchant(t);
    const u = await registerUser(t);
    const bill = await createSale(t, shop, billOf(250, u.id));
    await createSale(t, other, { user_id: u.id, amount: 40, type: 'pay_later' });
    await act(u, other.id, 'accept');
    await act(u, shop.id, 'accept');
    expect((await act(u, shop.id, 'block')).status).toBe(200);

    const ids = (body: { id: number }[]) => body.map((r) => r.id);
    expect(ids((await t.http.get('/api/v2/transactions/history').set(u.auth)).body)).not.toContain(
      bill.body.id,
    );
    expect((await t.http.get(`/api/v2/transactions/${bill.body.id}`).set(u.auth)).status).toBe(404);
    const bills = (await t.http.get('/api/v2/dashboard/user/bills?status=due').set(u.auth)).body;
    expect(ids(bills.bills)).not.toContain(bill.body.id);
    expect(bills.total_owed).toBe(40);
    const dash = (await t.http.get('/api/v2/dashboard/user').set(u.auth)).body;
    expect(dash).toMatchObject({
      merchants_count: 1,
      total_pending: 40,
      unconfirmed: { merchants_count: 0 },
    });
    expect(dash.weekly_expenses.map((e: { merchant_id: number }) => e.merchant_id)).toEqual([other.id]);
    const expenses = (await t.http.get('/api/v2/dashboard/user/expenses?period=week').set(u.auth)).body;
    const seen = expenses.periods.flatMap((p: { merchants: { merchant_id: number }[] }) =>
      p.merchants.map((m) => m.merchant_id),
    );
    expect(seen).not.toContain(shop.id);
    const merchants = (await t.http.get('/api/v2/dashboard/user/merchants').set(u.auth)).body;
    expect(merchants.merchants.map((m: { merchant_id: number }) => m.merchant_id)).toEqual([other.id]);
    // Still listed among the customer's shops, so it can be unblocked.
    expect((await shopsOf(u)).shops).toContainEqual(
      expect.objectContaining({ merchant_id: shop.id, relation: 'blocked' }),
    );

    // The merchant's book is untouched.
    expect(ids((await t.http.get('/api/v2/transactions/history').set(shop.auth)).body)).toContain(
      bill.body.id,
    );
    expect((await t.http.get(`/api/v2/transactions/${bill.body.id}`).set(shop.auth)).status).toBe(200);

    // Unblocking brings them back, unconfirmed until accepted again.
    expect((await act(u, shop.id, 'unblock')).body).toMatchObject({ relation: 'pending' });
    const back = (await t.http.get(`/api/v2/transactions/${bill.body.id}`).set(u.auth)).body;
    expect(back).toMatchObject({ id: bill.body.id, unconfirmed: true });
  });

  it("a blocked shop's later changes never reach the customer's live feed; a pending shop's are flagged", async () => {
    const shop = await registerMerchant(t);
    const u = await registerUser(t);
    const customer = connectDashboard(t.baseUrl, u.token);
    const merchant = connectDashboard(t.baseUrl, shop.token);
    await Promise.all([connected(customer), connected(merchant)]);
    try {
      const customerNew = collect<{ data: { id: number; unconfirmed?: boolean } }>(
        customer,
        'new_transaction',
      );
      const customerUpdated = collect(customer, 'transaction_updated');
      const merchantUpdated = collect(merchant, 'transaction_updated');
      const bill = await createSale(t, shop, billOf(300, u.id));
      const [live] = await customerNew.until((items) => items.length >= 1);
      expect(live.data).toMatchObject({ id: bill.body.id, unconfirmed: true });

      await act(u, shop.id, 'block');
      const settled = await t.http
        .post(`/api/v2/transactions/${bill.body.id}/settle`)
        .set(shop.auth)
        .send({ amount: 100, payment_method: 'cash' });
      expect(settled.status).toBe(200);
      await merchantUpdated.until((items) => items.length >= 1);
      await sleep(300);
      expect(customerUpdated.items).toHaveLength(0);
    } finally {
      customer.disconnect();
      merchant.disconnect();
    }
  });

  it('phone lookup answers not-found to a merchant the customer has blocked, exactly as for an unknown phone', async () => {
    const shop = await registerMerchant(t);
    const u = await registerUser(t);
    await createSale(t, shop, { user_id: u.id, amount: 5, type: 'paid' });
    const lookup = (phone: string) => t.http.get('/api/v2/users/lookup').query({ phone }).set(shop.auth);
    expect((await lookup(u.phone)).status).toBe(200);
    await act(u, shop.id, 'block');
    const blocked = await lookup(u.phone);
    const unknown = await lookup(uniquePhone());
    expect(blocked.status).toBe(404);
    expect(blocked.body.detail).toBe(unknown.body.detail);
    expect(blocked.body.code).toBe(unknown.body.code);
    // Other merchants still find the customer.
    const another = await registerMerchant(t);
    expect(
      (await t.http.get('/api/v2/users/lookup').query({ phone: u.phone }).set(another.auth)).status,
    ).toBe(200);
  });

  it('v1 counts accepted and pending shops, never blocked ones, and its phone lookups hide the customer from a blocked shop', async () => {
    const accepted = await registerMerchant(t);
    const pending = await registerMerchant(t);
    const blocked = await registerMerchant(t);
    const u = await registerUser(t);
    await createSale(t, accepted, { user_id: u.id, amount: 100, type: 'pay_later' });
    expect((await act(u, accepted.id, 'accept')).status).toBe(200);
    await createSale(t, pending, { user_id: u.id, amount: 20.5, type: 'pay_later' });
    await createSale(t, blocked, billOf(9999, u.id));
    expect((await act(u, blocked.id, 'block')).status).toBe(200);

    const dash = (await t.http.get('/api/v1/dashboard/user').set(u.auth)).body;
    expect(dash).toMatchObject({ total_pending: 120.5, merchants_count: 2 });
    const shops = (await t.http.get('/api/v1/dashboard/user/merchants').set(u.auth)).body as {
      merchant_id: number;
    }[];
    expect(shops.map((m) => m.merchant_id).sort((a, b) => a - b)).toEqual([accepted.id, pending.id]);

    const exact = (m: Account) =>
      t.http.get('/api/v1/auth/lookup/user-by-phone').query({ phone: u.phone }).set(m.auth);
    expect((await exact(accepted)).body).toMatchObject({ id: u.id });
    const hidden = await exact(blocked);
    const unknown = await t.http
      .get('/api/v1/auth/lookup/user-by-phone')
      .query({ phone: uniquePhone() })
      .set(blocked.auth);
    expect(hidden.status).toBe(404);
    expect([hidden.status, hidden.body.detail]).toEqual([unknown.status, unknown.body.detail]);

    const search = (m: Account) =>
      t.http
        .get('/api/v1/auth/search/users-by-phone')
        .query({ phone: u.phone.slice(-8) })
        .set(m.auth);
    const ids = (res: { body: { id: number }[] }) => res.body.map((c) => c.id);
    expect(ids(await search(accepted))).toContain(u.id);
    expect(ids(await search(blocked))).not.toContain(u.id);
  });

  it('only the customer decides, only about shops that billed them, with plain ids', async () => {
    const shop = await registerMerchant(t);
    const u = await registerUser(t);
    expect((await t.http.get('/api/v2/me/shops').set(shop.auth)).status).toBe(403);
    expect((await act(shop, shop.id, 'accept')).status).toBe(403);
    expect((await t.http.get('/api/v2/me/shops')).status).toBe(401);
    expect((await act(u, shop.id, 'block')).status).toBe(404);
    for (const id of ['8.48e2', '0x350', '+848', '-1', '1.0'])
      expect((await act(u, id, 'accept')).status).toBe(400);
  });
});

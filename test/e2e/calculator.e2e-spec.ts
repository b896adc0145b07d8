import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../support/app.js';
import { parseCsv } from '../support/csv.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';
import {
  collect,
  connectDashboard,
  connected,
  dtoOf,
  openPlain,
  type Dashboard,
} from '../support/realtime.js';

/** The MyManager calculator (items and calculation on a sale) and double taps, through the API. */
describe('sales with items and a calculation (e2e)', () => {
  let t: TestApp;
  let shop: Account;
  let buyer: Account;
  const open: Dashboard[] = [];

  const RICE_AND_SUGAR = [
    { name: 'Basmati rice 1kg', quantity: 2, unit_price: 45 },
    { name: 'Sugar', quantity: 3, unit_price: 12.5 },
  ];

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    [shop, buyer] = await Promise.all([registerMerchant(t), registerUser(t)]);
  });
  afterAll(async () => {
    for (const socket of open) socket.disconnect();
    await t.close();
  });

  const create = (body: Record<string, unknown>, merchant = shop) =>
    t.http.post('/api/v2/transactions/create').set(merchant.auth).send(body);

  it('takes the amount from the items when it is omitted, and returns the items wherever the sale is', async () => {
    const res = await create({ user_id: buyer.id, type: 'pay_later', items: RICE_AND_SUGAR }).expect(201);
    expect(res.body).toMatchObject({
      amount: 127.5,
      amount_paise: 12750,
      due_paise: 12750,
      items: RICE_AND_SUGAR,
      calculation: null,
      possible_duplicate_of: null,
    });
    const one = await t.http.get(`/api/v2/transactions/${res.body.id}`).set(shop.auth).expect(200);
    expect(one.body).toEqual({ ...dtoOf(res.body), allocations: [] });
    const mine = await t.http.get(`/api/v2/transactions/${res.body.id}`).set(buyer.auth).expect(200);
    expect(mine.body).toMatchObject({ items: RICE_AND_SUGAR, calculation: null });
    const history = await t.http.get('/api/v2/transactions/history').set(shop.auth).expect(200);
    expect(history.body.find((s: { id: number }) => s.id === res.body.id)).toEqual(dtoOf(res.body));
    const stored = await t.db.query(`SELECT items, calculation FROM "transaction_${shop.id}" WHERE id = $1`, [
      res.body.id,
    ]);
    expect(stored.rows[0]).toEqual({ items: RICE_AND_SUGAR, calculation: null });
    // The khata's ledger shows the sale's lines, to the shop and to the customer.
    const account = await t.db.query<{ id: string }>(
      `SELECT id FROM customer_accounts WHERE merchant_id = $1 AND user_id = $2`,
      [shop.id, buyer.id],
    );
    const entryOf = (body: { entries: { transaction_id: number | null }[] }) =>
      body.entries.find((e) => e.transaction_id === res.body.id);
    const ledger = await t.http
      .get(`/api/v2/customers/${account.rows[0].id}/ledger`)
      .set(shop.auth)
      .expect(200);
    expect(entryOf(ledger.body)).toMatchObject({ kind: 'sale_credit', items: RICE_AND_SUGAR });
    const own = await t.http.get(`/api/v2/me/shops/${shop.id}/ledger`).set(buyer.auth).expect(200);
    expect(entryOf(own.body)).toMatchObject({ items: RICE_AND_SUGAR });
  });

  it('evaluates the calculation exactly, rounding only the total, and checks it against items and amount', async () => {
    const calc = await create({
      is_guest_transaction: true,
      type: 'paid',
      calculation: '  2*45 + 3*12.5 - 10 ',
    }).expect(201);
    expect(calc.body).toMatchObject({
      amount: 117.5,
      amount_paise: 11750,
      calculation: '2*45 + 3*12.5 - 10',
    });
    // 10/3 is 3.333…; with a 10% discount, 3; only the total is rounded.
    const third = await create({ user_id: buyer.id, type: 'paid', calculation: '10/3 * 3 - 10%' }).expect(
      201,
    );
    expect(third.body.amount_paise).toBe(900);
    const percent = await create({ user_id: buyer.id, type: 'paid', calculation: '1000 + 18%' }).expect(201);
    expect(percent.body.amount_paise).toBe(118000);
    // Items and calculation together, and an amount that agrees with them.
    const both = await create({
      user_id: buyer.id,
      type: 'paid',
      amount: 127.5,
      items: RICE_AND_SUGAR,
      calculation: '2*45 + 3*12.5',
    }).expect(201);
    expect(both.body).toMatchObject({
      amount_paise: 12750,
      items: RICE_AND_SUGAR,
      calculation: '2*45 + 3*12.5',
    });
  });

  it('answers a total that disagrees with 422 naming both values', async () => {
    const amount = await create({ user_id: buyer.id, type: 'paid', amount: 120, items: RICE_AND_SUGAR });
    expectProblem(amount, 422);
    expect(amount.body).toMatchObject({
      code: 'amount-mismatch',
      detail: 'amount is ₹120.00 but the items come to ₹127.50; send the same total, or leave amount out.',
      errors: [{ field: 'amount' }],
    });
    // 99.995 rounds half away from zero to ₹100.00.
    const calc = await create({
      user_id: buyer.id,
      type: 'paid',
      amount: 99.99,
      calculation: '2*45 + 9.995',
    });
    expectProblem(calc, 422);
    expect(calc.body.detail).toContain('amount is ₹99.99 but the calculation comes to ₹100.00');
    expect(calc.body.code).toBe('amount-mismatch');
    const both = await create({
      user_id: buyer.id,
      type: 'paid',
      items: RICE_AND_SUGAR,
      calculation: '2*45',
    });
    expectProblem(both, 422);
    expect(both.body).toMatchObject({
      code: 'totals-disagree',
      detail: 'The items come to ₹127.50 but the calculation comes to ₹90.00; they must agree.',
    });
    const negative = await create({ user_id: buyer.id, type: 'paid', calculation: '10 - 20' });
    expectProblem(negative, 422);
    expect(negative.body).toMatchObject({ code: 'invalid-total', errors: [{ field: 'calculation' }] });
    expect(negative.body.detail).toContain('-₹10.00');
    const free = await create({
      user_id: buyer.id,
      type: 'paid',
      items: [{ name: 'Bag', quantity: 1, unit_price: 0 }],
    });
    expect(free.body).toMatchObject({ status: 422, code: 'invalid-total', errors: [{ field: 'items' }] });
    // Nothing was recorded by any of them.
    const count = await t.db.query(
      `SELECT count(*)::int AS n FROM "transaction_${shop.id}" WHERE amount_paise = 10000`,
    );
    expect(count.rows[0].n).toBe(0);
  });

  it('refuses a calculation it cannot take with 422 and the position, never a 500', async () => {
    const cases: [string, string, number][] = [
      ['5 / (2 - 2)', 'division-by-zero', 3],
      ['100 + 2*10%', 'ambiguous-percent', 11],
      ['2 * (3 + 4', 'invalid-calculation', 5],
      ['2 ** 3', 'invalid-calculation', 4],
      ['', 'invalid-calculation', 1],
      ['1'.repeat(13), 'invalid-calculation', 1],
      [`${'('.repeat(40)}1${')'.repeat(40)}`, 'invalid-calculation', 33],
    ];
    for (const [calculation, code, position] of cases) {
      const res = await create({ user_id: buyer.id, type: 'paid', calculation });
      expectProblem(res, 422);
      expect({ calculation, body: res.body }).toMatchObject({
        calculation,
        body: { code, position, errors: [{ field: 'calculation' }] },
      });
      expect(res.body.detail).toContain(`(at position ${position})`);
    }
  });

  it('validates the items and the calculation text, and requires an amount without them', async () => {
    const bad: [unknown, string][] = [
      [[], 'items'],
      [Array.from({ length: 101 }, () => ({ name: 'x', quantity: 1, unit_price: 1 })), 'items'],
      [[{ name: 'Rice', quantity: 0, unit_price: 45 }], 'items.0.quantity'],
      [[{ name: 'Rice', quantity: 1.0005, unit_price: 45 }], 'items.0.quantity'],
      [[{ name: 'Rice', quantity: 1, unit_price: 45.001 }], 'items.0.unit_price'],
      [[{ name: 'Rice', quantity: 1, unit_price: -1 }], 'items.0.unit_price'],
      [[{ name: '  ', quantity: 1, unit_price: 1 }], 'items.0.name'],
      [[{ name: 'x'.repeat(101), quantity: 1, unit_price: 1 }], 'items.0.name'],
      [[{ name: 'Rice', quantity: 1, unit_price: 1, sku: 'R1' }], 'items.0.sku'],
      [['Rice'], 'items.0'],
    ];
    for (const [items, field] of bad) {
      const res = await create({ user_id: buyer.id, type: 'paid', items });
      expectProblem(res, 422);
      expect({ items, fields: res.body.errors.map((e: { field: string }) => e.field) }).toMatchObject({
        items,
        fields: expect.arrayContaining([field]),
      });
    }
    const long = await create({ user_id: buyer.id, type: 'paid', calculation: '1+'.repeat(250) + '1' });
    expectProblem(long, 422);
    expect(long.body.errors.map((e: { field: string }) => e.field)).toEqual(['calculation']);
    const none = await create({ user_id: buyer.id, type: 'paid' });
    expectProblem(none, 422);
    expect(none.body.errors.map((e: { field: string }) => e.field)).toEqual(['amount']);
  });

  it('records a double tap and names the sale it repeats; a different sale is not one', async () => {
    const merchant = await registerMerchant(t);
    const body = { user_id: buyer.id, type: 'paid', items: RICE_AND_SUGAR, payment_method: 'cash' };
    const first = await create(body, merchant).expect(201);
    const second = await create(body, merchant).expect(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.possible_duplicate_of).toBe(first.body.id);
    // The same amount without the items is another sale.
    const plain = await create({ user_id: buyer.id, type: 'paid', amount: 127.5 }, merchant).expect(201);
    expect(plain.body.possible_duplicate_of).toBeNull();
    const other = await create({ ...body, items: RICE_AND_SUGAR.slice(0, 1) }, merchant).expect(201);
    expect(other.body.possible_duplicate_of).toBeNull();
    // Walk-in guests: each sale has its own new guest, and a repeat is still a double tap.
    const walkIn = { is_guest_transaction: true, type: 'paid', amount: 40 };
    const g1 = await create(walkIn, merchant).expect(201);
    const g2 = await create(walkIn, merchant).expect(201);
    expect(g2.body.possible_duplicate_of).toBe(g1.body.id);
    // Everything was recorded.
    const history = await t.http.get('/api/v2/transactions/history').set(merchant.auth).expect(200);
    expect(history.body).toHaveLength(6);
    // A replayed Idempotency-Key returns the stored answer, hint included, and records nothing.
    const key = randomUUID();
    const once = await create({ ...walkIn, amount: 41 }, merchant)
      .set('Idempotency-Key', key)
      .expect(201);
    const twice = await create({ ...walkIn, amount: 41 }, merchant)
      .set('Idempotency-Key', key)
      .expect(201);
    expect(twice.headers['idempotent-replayed']).toBe('true');
    expect(twice.body).toEqual(once.body);
    const after = await t.http.get('/api/v2/transactions/history').set(merchant.auth).expect(200);
    expect(after.body).toHaveLength(7);
  });

  it('puts items and calculation in the CSV statement', async () => {
    const merchant = await registerMerchant(t);
    await create({ user_id: buyer.id, type: 'paid', items: RICE_AND_SUGAR }, merchant).expect(201);
    await create({ user_id: buyer.id, type: 'paid', calculation: '-10 + 50' }, merchant).expect(201);
    await create({ user_id: buyer.id, type: 'paid', amount: 5 }, merchant).expect(201);
    const res = await t.http.get('/api/v2/transactions/export.csv').set(merchant.auth).expect(200);
    const [header, ...rows] = parseCsv(res.text);
    const col = (name: string) => header.indexOf(name);
    expect(col('items')).toBeGreaterThan(-1);
    expect(col('calculation')).toBeGreaterThan(-1);
    expect(JSON.parse(rows[0][col('items')])).toEqual(RICE_AND_SUGAR);
    expect(rows[0][col('calculation')]).toBe('');
    // A calculation starting with "-" would be a formula to a spreadsheet: it stays text.
    expect(rows[1][col('calculation')]).toBe("'-10 + 50");
    expect(rows[1][col('items')]).toBe('');
    expect(rows[2][col('amount')]).toBe('5.00');
  });

  it('sends items and calculation in the Socket.IO event, and keeps the v1 orders socket’s shape', async () => {
    const merchant = await registerMerchant(t);
    const socket = connectDashboard(t.baseUrl, merchant.token);
    open.push(socket);
    const events = collect(socket, 'new_transaction');
    const orders = openPlain(t.baseUrl, 'orders', merchant.token);
    await Promise.all([connected(socket), orders.opened]);
    const sale = await create(
      { user_id: buyer.id, type: 'paid', items: RICE_AND_SUGAR, calculation: '2*45 + 3*12.5' },
      merchant,
    ).expect(201);
    const [event] = await events.until((m) => m.length === 1);
    expect(event).toMatchObject({ type: 'new_transaction', id: sale.body.id });
    expect(event.data).toEqual(dtoOf(sale.body));
    expect(event.data).toMatchObject({ items: RICE_AND_SUGAR, calculation: '2*45 + 3*12.5' });
    expect(event.data).not.toHaveProperty('possible_duplicate_of');
    const [order] = await orders.inbox.until((m) => m.some((x) => x.type === 'new_order'));
    expect(Object.keys(order.data as object).sort()).toEqual(
      [
        'amount',
        'customer_name',
        'customer_phone',
        'is_guest_order',
        'items',
        'merchant_id',
        'order_id',
        'payment_method',
        'timestamp',
        'transaction_id',
        'user_id',
      ].sort(),
    );
    expect(order.data).toMatchObject({ items: [], amount: 127.5 });
    orders.ws.terminate();
  });

  it('leaves /api/v1 as it was: items and calculation are ignored there like any unknown field', async () => {
    const merchant = await registerMerchant(t);
    const plain = await t.http
      .post('/api/v1/transactions/create')
      .set(merchant.auth)
      .send({ user_id: buyer.id, amount: 25, type: 'payed' });
    const withItems = await t.http
      .post('/api/v1/transactions/create')
      .set(merchant.auth)
      .send({ user_id: buyer.id, amount: 25, type: 'payed', items: RICE_AND_SUGAR, calculation: '1/0' });
    expect(withItems.status).toBe(plain.status);
    expect(Object.keys(withItems.body).sort()).toEqual(Object.keys(plain.body).sort());
    expect(withItems.body).not.toHaveProperty('items');
    expect(withItems.body).not.toHaveProperty('possible_duplicate_of');
    const stored = await t.db.query(
      `SELECT amount_paise, items, calculation FROM "transaction_${merchant.id}" ORDER BY id`,
    );
    expect(stored.rows).toEqual([
      { amount_paise: '2500', items: null, calculation: null },
      { amount_paise: '2500', items: null, calculation: null },
    ]);
    const history = await t.http.get('/api/v1/transactions/history').set(merchant.auth).expect(200);
    expect(JSON.stringify(history.body)).not.toMatch(/"items"|"calculation"/);
  });
});

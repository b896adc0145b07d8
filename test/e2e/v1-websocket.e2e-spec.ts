import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import type { WebSocket } from 'ws';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import { createSale, openPlain, sleep } from '../support/realtime.js';
import { badTokens } from '../support/tokens.js';
import {
  amount,
  arrayOf,
  expectShape,
  instant,
  int,
  nullable,
  obj,
  oneOf,
  str,
} from '../support/v1-contract.js';

jest.setTimeout(30_000);

/* The original API's orders socket (section 4.1), as JSON Schemas. */
const orderItem = obj({
  transaction_id: int,
  user_id: nullable(int),
  guest_user_id: nullable(int),
  timestamp: instant,
  amount,
  type: oneOf('PAYED', 'PAY_LATER'),
  description: nullable(str),
  payment_method: nullable(str),
  is_guest_order: { type: 'boolean' },
});
const ordersUpdate = obj({ type: oneOf('orders_update'), data: arrayOf(orderItem), merchant_id: int });
const newOrder = obj({
  type: oneOf('new_order'),
  data: obj({
    order_id: { type: 'string', pattern: '^\\d+$' },
    transaction_id: int,
    user_id: nullable(int),
    merchant_id: int,
    amount,
    items: arrayOf(
      obj({
        id: int,
        name: str,
        quantity: { type: 'number' },
        unit_price: amount,
        total_price: amount,
        category: nullable(str),
      }),
    ),
    customer_name: str,
    customer_phone: nullable(str),
    payment_method: str,
    is_guest_order: { type: 'boolean' },
    timestamp: instant,
  }),
  merchant_id: int,
  timestamp: instant,
});

type Message = Record<string, unknown>;

describe('/api/v1/ws/orders/{token}: the original PWA’s socket (e2e)', () => {
  let t: TestApp;
  let shop: Account;
  let otherShop: Account;
  let buyer: Account;
  const open: WebSocket[] = [];
  const orders = (token: string) => {
    const client = openPlain(t.baseUrl, 'orders', token);
    open.push(client.ws);
    return client;
  };
  const connect = async (token: string) => {
    const client = orders(token);
    await client.opened;
    return client;
  };

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    [shop, otherShop, buyer] = await Promise.all([registerMerchant(t), registerMerchant(t), registerUser(t)]);
    await createSale(t, shop, { user_id: buyer.id, amount: 99.99, type: 'paid', payment_method: 'cash' });
    await createSale(t, shop, { user_id: buyer.id, amount: 12, type: 'pay_later' });
    await createSale(t, shop, {
      is_guest_transaction: true,
      amount: 15.75,
      type: 'paid',
      payment_method: 'upi',
    });
  });
  afterEach(() => {
    for (const ws of open.splice(0)) ws.terminate();
  });
  afterAll(() => t.close());

  it('answers ping with pong, for merchants and customers', async () => {
    for (const account of [shop, buyer]) {
      const client = await connect(account.token);
      client.send({ type: 'ping' });
      expect(await client.inbox.first((m) => m.type === 'pong')).toEqual({ type: 'pong' });
    }
  });

  it('refuses a bad, expired or forged token with HTTP 403 before the handshake', async () => {
    for (const token of [
      badTokens.garbage,
      badTokens.expired(shop.id),
      badTokens.wrongSecret(shop.id),
      badTokens.algNone(shop.id),
      '',
    ]) {
      const client = openPlain(t.baseUrl, 'orders', encodeURIComponent(token) || '%20');
      expect(await client.refused).toBe(403);
    }
  });

  it('get_orders answers orders_update: the history rows, newest first, PAYED / PAY_LATER', async () => {
    const client = await connect(shop.token);
    client.send({ type: 'get_orders' });
    const reply = await client.inbox.first((m) => m.type === 'orders_update');
    expectShape(reply, ordersUpdate);
    expect(reply.merchant_id).toBe(shop.id);
    const data = reply.data as Message[];
    expect(data.map((o) => [o.amount, o.type, o.is_guest_order])).toEqual([
      [15.75, 'PAYED', true],
      [12, 'PAY_LATER', false],
      [99.99, 'PAYED', false],
    ]);
    expect(data[0]).toMatchObject({ user_id: null, guest_user_id: expect.any(Number) });
    expect(data[2]).toMatchObject({ user_id: buyer.id, guest_user_id: null, payment_method: 'cash' });

    client.send({ type: 'get_orders', limit: 1, offset: 1, days: 1 });
    await client.inbox.until((items) => items.filter((m) => m.type === 'orders_update').length === 2);
    const page = client.inbox.items.filter((m) => m.type === 'orders_update')[1];
    expect((page.data as Message[]).map((o) => o.amount)).toEqual([12]);
    client.send({ type: 'get_orders', limit: 0 });
    await client.inbox.until((items) => items.filter((m) => m.type === 'orders_update').length === 3);
    expect(client.inbox.items.filter((m) => m.type === 'orders_update')[2].data).toEqual([]);
  });

  it('gives customers no orders, and ignores unknown messages (the connection stays open)', async () => {
    const client = await connect(buyer.token);
    client.send({ type: 'get_orders' });
    client.send({ type: 'what_is_this' });
    client.send({ no: 'type' });
    client.send({ type: 'ping' });
    await client.inbox.first((m) => m.type === 'pong');
    await sleep(100);
    expect(client.inbox.items).toEqual([{ type: 'pong' }]);
  });

  it('closes cleanly (1003 with a reason) on bad input, and keeps serving everyone else', async () => {
    for (const bad of [
      'not json',
      '[1, 2]',
      '42',
      JSON.stringify({ type: 'get_orders', limit: -1 }),
      JSON.stringify({ type: 'get_orders', limit: 201 }),
      JSON.stringify({ type: 'get_orders', limit: 2.5 }),
      JSON.stringify({ type: 'get_orders', offset: -3 }),
      JSON.stringify({ type: 'get_orders', days: 'abc' }),
      JSON.stringify({ type: 'get_orders', days: 0 }),
      '{"type": "get_orders", "days": 1e400}',
    ]) {
      const client = await connect(shop.token);
      client.send(bad);
      const closed = await client.closed;
      expect({ bad, code: closed.code }).toEqual({ bad, code: 1003 });
      expect(closed.reason.length).toBeGreaterThan(0);
    }
    const client = await connect(shop.token);
    client.send({ type: 'ping' });
    await client.inbox.first((m) => m.type === 'pong');
  });

  it('pushes new_order to the merchant and the registered customer when a sale is recorded, and to no one else', async () => {
    const merchantSocket = await connect(shop.token);
    const buyerSocket = await connect(buyer.token);
    const otherSocket = await connect(otherShop.token);
    const bystander = await connect((await registerUser(t)).token);

    const { body } = await createSale(t, shop, {
      user_id: buyer.id,
      amount: 250.5,
      type: 'pay_later',
      description: 'Monthly groceries',
    });
    const pushed = await merchantSocket.inbox.first((m) => m.type === 'new_order');
    expectShape(pushed, newOrder);
    expect(pushed).toMatchObject({
      merchant_id: shop.id,
      timestamp: body.occurred_at,
      data: {
        order_id: String(body.id),
        transaction_id: body.id,
        user_id: buyer.id,
        merchant_id: shop.id,
        amount: 250.5,
        items: [],
        customer_name: expect.stringMatching(/^Customer /),
        customer_phone: `******${buyer.phone.slice(-4)}`,
        is_guest_order: false,
        timestamp: body.occurred_at,
      },
    });
    // What the analytics page prints: amount.toFixed(2) and the customer's name.
    expect((pushed.data as { amount: number }).amount.toFixed(2)).toBe('250.50');
    expect(await buyerSocket.inbox.first((m) => m.type === 'new_order')).toEqual(pushed);

    // A guest sale: to the merchant only, as "Guest".
    const guest = await createSale(t, shop, { is_guest_transaction: true, amount: 0.3, type: 'paid' });
    const guestPush = await merchantSocket.inbox.first(
      (m) => m.type === 'new_order' && (m.data as Message).transaction_id === guest.body.id,
    );
    expectShape(guestPush, newOrder);
    expect(guestPush.data).toMatchObject({
      user_id: null,
      customer_name: 'Guest',
      customer_phone: null,
      is_guest_order: true,
      amount: 0.3,
    });

    // Settling a bill is not a new order.
    const settle = await t.http
      .post(`/api/v2/transactions/${body.id}/settle`)
      .set(shop.auth)
      .send({ payment_method: 'cash' });
    expect(settle.status).toBe(200);
    await sleep(300);
    expect(merchantSocket.inbox.items.filter((m) => m.type === 'new_order')).toHaveLength(2);
    expect(buyerSocket.inbox.items.filter((m) => m.type === 'new_order')).toHaveLength(1);
    expect(otherSocket.inbox.items).toEqual([]);
    expect(bystander.inbox.items).toEqual([]);
  });

  it('feeds both original paths from the same event, each in its own words', async () => {
    const ordersSocket = await connect(shop.token);
    const history = openPlain(t.baseUrl, 'transaction-history', shop.token);
    open.push(history.ws);
    await history.opened;
    const { body } = await createSale(t, shop, { user_id: buyer.id, amount: 7, type: 'paid' });
    const order = await ordersSocket.inbox.first((m) => m.type === 'new_order');
    const change = await history.inbox.first((m) => m.type === 'new_transaction');
    expect((order.data as Message).transaction_id).toBe(body.id);
    expect(change.id).toBe(body.id);
  });

  it('closes at token expiry with 1008, as the other paths do', async () => {
    const token = new JwtService().sign(
      { sub: String(shop.id), role: 'merchant', typ: 'access' },
      { secret: TEST_JWT_SECRET, expiresIn: 2 },
    );
    const client = await connect(token);
    expect(await client.closed).toEqual({ code: 1008, reason: 'Token expired.' });
  });
});

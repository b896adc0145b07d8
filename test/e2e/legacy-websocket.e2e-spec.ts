import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { WebSocket } from 'ws';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import {
  collect,
  connectDashboard,
  connected,
  createSale,
  dtoOf,
  openLegacy,
  sleep,
} from '../support/realtime.js';
import { badTokens } from '../support/tokens.js';

jest.setTimeout(30_000);

type Message = Record<string, unknown>;

describe('legacy WebSocket path /api/v1/ws/transaction-history/{token} (e2e)', () => {
  let t: TestApp;
  let shop: Account;
  let buyer: Account;
  const open: WebSocket[] = [];
  const legacy = (token: string) => {
    const client = openLegacy(t.baseUrl, token);
    open.push(client.ws);
    return client;
  };

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    [shop, buyer] = await Promise.all([registerMerchant(t), registerUser(t)]);
    await createSale(t, shop, { user_id: buyer.id, amount: 99.99, type: 'paid', payment_method: 'cash' });
    await createSale(t, shop, { user_id: buyer.id, amount: 12, type: 'pay_later' });
  });
  afterEach(() => {
    for (const ws of open.splice(0)) ws.terminate();
  });
  afterAll(() => t.close());

  it("runs the seed README's example: history on request, then new transactions pushed", async () => {
    // The seed README's JavaScript, with the browser-style API of `ws`. Its first send waits for
    // `onopen` only because no WebSocket (browser or `ws`) accepts a send while still connecting.
    const seen: Message[] = [];
    const token = shop.token;
    const ws = new WebSocket(`${t.baseUrl.replace('http', 'ws')}/api/v1/ws/transaction-history/${token}`);
    open.push(ws);
    ws.onopen = () => {
      // Request transaction history
      ws.send(
        JSON.stringify({
          type: 'get_transactions',
          limit: 50,
          offset: 0,
        }),
      );
    };
    // Listen for new transactions
    ws.onmessage = (event) => {
      const data = JSON.parse(String(event.data));
      seen.push(data);
      if (data.type === 'new_transaction') {
        // Handle new transaction notification
        seen.push({ logged: ['New transaction:', data.data] });
      }
    };

    const until = async (n: number) => {
      for (let i = 0; i < 100 && seen.length < n; i++) await sleep(50);
      expect(seen.length).toBeGreaterThanOrEqual(n);
    };
    await until(1);
    const rest = await t.http
      .get('/api/v2/transactions/history?limit=50&offset=0')
      .set(shop.auth)
      .expect(200);
    expect(seen[0]).toEqual({ type: 'transaction_history', data: rest.body, next_cursor: null });
    expect((seen[0]!.data as unknown[]).length).toBe(2);

    const sale = await createSale(t, shop, {
      user_id: buyer.id,
      amount: 25.5,
      type: 'paid',
      payment_method: 'upi',
    });
    await until(3);
    expect(seen[1]).toEqual({
      type: 'new_transaction',
      data: dtoOf(sale.body),
      id: sale.body.id,
      seq: sale.body.seq,
      occurred_at: sale.body.occurred_at,
    });
    expect(seen[2]).toEqual({ logged: ['New transaction:', dtoOf(sale.body)] });
  });

  it.each([
    ['a garbage token', () => badTokens.garbage],
    ['an expired token', (id: number) => badTokens.expired(id)],
    ['an alg:none token', (id: number) => badTokens.algNone(id)],
    ['a token signed with another secret', (id: number) => badTokens.wrongSecret(id)],
    ['an admin token', () => badTokens.signed(1, 'admin')],
    ['an empty token', () => ''],
  ])('closes the connection for %s with 1008 (policy violation)', async (_label, token) => {
    const client = legacy(token(shop.id));
    const { code, reason } = await client.closed;
    expect(code).toBe(1008);
    expect(reason).toMatch(/credentials|authenticated|merchants and customers/);
    expect(client.inbox.items).toEqual([]);
  });

  it('closes the connection with 1008 when the token expires', async () => {
    const token = new JwtService().sign(
      { sub: String(shop.id), role: 'merchant', typ: 'access', exp: Math.floor(Date.now() / 1000) + 2 },
      { secret: TEST_JWT_SECRET },
    );
    const client = legacy(token);
    await client.opened;
    expect(await client.closed).toEqual({ code: 1008, reason: 'Token expired.' });
  });

  it('answers ping with pong, as JSON and as plain text', async () => {
    const client = legacy(shop.token);
    await client.opened;
    client.send({ type: 'ping' });
    client.ws.send('ping');
    expect(await client.inbox.until((m) => m.length === 2)).toEqual([{ type: 'pong' }, { type: 'pong' }]);
  });

  it("pushes to exactly the sale's merchant and customer, the same envelope as Socket.IO", async () => {
    const [otherShop, otherBuyer] = await Promise.all([registerMerchant(t), registerUser(t)]);
    const forShop = legacy(shop.token);
    const forBuyer = legacy(buyer.token);
    const forOtherShop = legacy(otherShop.token);
    const forOtherBuyer = legacy(otherBuyer.token);
    const socket = connectDashboard(t.baseUrl, shop.token);
    const viaSocketIo = collect(socket, 'new_transaction');
    await Promise.all([
      forShop.opened,
      forBuyer.opened,
      forOtherShop.opened,
      forOtherBuyer.opened,
      connected(socket),
    ]);

    const sale = await createSale(t, shop, { user_id: buyer.id, amount: 7, type: 'paid' });
    const [a] = await forShop.inbox.until((m) => m.length === 1);
    const [u] = await forBuyer.inbox.until((m) => m.length === 1);
    const [s] = await viaSocketIo.until((m) => m.length === 1);
    expect(a).toEqual(s);
    // The buyer's copy also says the shop is not confirmed yet.
    expect(u).toEqual({ ...s, data: { ...(s!.data as object), unconfirmed: true } });
    expect(a).toMatchObject({ type: 'new_transaction', id: sale.body.id });

    const theirs = await createSale(t, otherShop, { user_id: otherBuyer.id, amount: 3, type: 'paid' });
    await forOtherShop.inbox.until((m) => m.length === 1);
    await forOtherBuyer.inbox.until((m) => m.length === 1);
    await sleep(100);
    expect(forOtherShop.inbox.items.map((m) => m.id)).toEqual([theirs.body.id]);
    expect(forOtherBuyer.inbox.items.map((m) => m.id)).toEqual([theirs.body.id]);
    expect(forShop.inbox.items.map((m) => m.id)).toEqual([sale.body.id]);
    expect(forBuyer.inbox.items.map((m) => m.id)).toEqual([sale.body.id]);
    socket.disconnect();
  });

  it("answers a customer's get_transactions with their REST history", async () => {
    const client = legacy(buyer.token);
    await client.opened;
    client.send({ type: 'get_transactions', limit: 2, offset: 1 });
    const [reply] = await client.inbox.until((m) => m.length === 1);
    const rest = await t.http
      .get('/api/v2/transactions/history?limit=2&offset=1')
      .set(buyer.auth)
      .expect(200);
    expect(reply).toEqual({
      type: 'transaction_history',
      data: rest.body,
      next_cursor: rest.headers['x-next-cursor'] ?? null,
    });
  });

  it.each([
    ['text that is not JSON', 'hello', 400],
    ['a JSON array', '[1,2,3]', 400],
    ['JSON without a known type', '{"type":"delete_everything"}', 400],
    ['a limit out of range', '{"type":"get_transactions","limit":500}', 422],
    ['an unknown field', '{"type":"get_transactions","merchant_id":1}', 422],
  ])('replies to %s with an error message and keeps the connection', async (_label, text, status) => {
    const client = legacy(shop.token);
    await client.opened;
    client.ws.send(text);
    const [reply] = await client.inbox.until((m) => m.length === 1);
    expect(reply).toMatchObject({ type: 'error', error: { status } });
    client.send({ type: 'ping' });
    await client.inbox.until((m) => m.length === 2);
    expect(client.inbox.items[1]).toEqual({ type: 'pong' });
  });

  it('rate-limits a flood of messages without closing the connection', async () => {
    const client = legacy(shop.token);
    await client.opened;
    for (let i = 0; i < 40; i++) client.send({ type: 'ping' });
    const replies = await client.inbox.until((m) => m.length === 40);
    expect(replies.filter((m) => m.type === 'pong').length).toBeGreaterThanOrEqual(15);
    expect(replies.filter((m) => m.type === 'error').length).toBeGreaterThanOrEqual(15);
    expect(replies.find((m) => m.type === 'error')).toMatchObject({ error: { status: 429 } });
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes a connection that sends an oversized frame with 1009, and keeps serving others', async () => {
    const client = legacy(shop.token);
    await client.opened;
    client.ws.send('x'.repeat(64 * 1024));
    expect((await client.closed).code).toBe(1009);
    const other = legacy(shop.token);
    await other.opened;
    other.send({ type: 'ping' });
    expect(await other.inbox.until((m) => m.length === 1)).toEqual([{ type: 'pong' }]);
  });

  it('does not upgrade other paths', async () => {
    const ws = new WebSocket(`${t.baseUrl.replace('http', 'ws')}/api/v2/ws/something-else/${shop.token}`);
    open.push(ws);
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});

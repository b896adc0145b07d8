import { JwtService } from '@nestjs/jwt';
import { WebSocket } from 'ws';
import { RealtimeOptions } from '../../src/modules/realtime/realtime.options.js';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { acceptShop, registerMerchant, registerUser, type Account } from '../support/factories.js';
import {
  collect,
  connectDashboard,
  connected,
  createSale,
  type Dashboard,
  dtoOf,
  Inbox,
  refusal,
  request,
  sleep,
} from '../support/realtime.js';
import { badTokens } from '../support/tokens.js';

import { jest } from '@jest/globals';
import { merchantTable } from '../support/transactions.js';

jest.setTimeout(30_000);

type Envelope = { id: number; seq: number; type: string; occurred_at: string; data: Record<string, unknown> };
type Reply = {
  data?: Record<string, unknown>[];
  next_cursor?: string | null;
  error?: Record<string, unknown>;
};

/** An access token for this account that expires in `seconds`. */
function shortLivedToken(account: Account, role: 'merchant' | 'user', seconds: number): string {
  return new JwtService().sign(
    { sub: String(account.id), role, typ: 'access', exp: Math.floor(Date.now() / 1000) + seconds },
    { secret: TEST_JWT_SECRET },
  );
}

/** Drops the transport as a network failure would (the server keeps the session). */
function dropConnection(socket: Dashboard): Promise<string> {
  const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
  socket.io.engine.close();
  return disconnected;
}

describe('realtime Socket.IO gateway (e2e)', () => {
  let t: TestApp;
  const sockets: Dashboard[] = [];
  const dashboard = (token?: string, options = {}) => {
    const socket = connectDashboard(t.baseUrl, token, options);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(() => t.close());

  describe('handshake', () => {
    let merchant: Account;
    beforeAll(async () => {
      merchant = await registerMerchant(t);
    });

    it('accepts a valid token from auth and says who it is', async () => {
      const socket = dashboard(merchant.token);
      const ready = collect(socket, 'ready');
      await connected(socket);
      expect((await ready.until((r) => r.length === 1))[0]).toEqual({
        role: 'merchant',
        id: merchant.id,
        recovered: false,
      });
    });

    it('works over HTTP long-polling too (where browsers start)', async () => {
      const socket = dashboard(merchant.token, { transports: ['polling'] });
      await connected(socket);
      expect(socket.io.engine.transport.name).toBe('polling');
      const reply = await request<Reply>(socket, 'get_transactions', { limit: 1 });
      expect(reply.data).toEqual([]);
    });

    it.each([
      ['a missing token', () => undefined, 'Not authenticated.'],
      ['an empty token', () => '', 'Not authenticated.'],
      ['a garbage token', () => badTokens.garbage, 'Could not validate credentials.'],
      ['an expired token', (id: number) => badTokens.expired(id), 'Could not validate credentials.'],
      ['an alg:none token', (id: number) => badTokens.algNone(id), 'Could not validate credentials.'],
      [
        'a token signed with another secret',
        (id: number) => badTokens.wrongSecret(id),
        'Could not validate credentials.',
      ],
    ])('refuses %s with connect_error 401', async (_label, token, message) => {
      const err = await refusal(dashboard(token(merchant.id)));
      expect(err.message).toBe(message);
      expect(err.data).toMatchObject({ status: 401, code: 'unauthorized' });
    });

    it('refuses a token sent in the URL instead of the handshake auth', async () => {
      const err = await refusal(dashboard(undefined, { query: { token: merchant.token } }));
      expect(err.data).toMatchObject({ status: 401 });
    });

    it('refuses roles without a live feed (admin) with 403', async () => {
      const err = await refusal(dashboard(badTokens.signed(1, 'admin')));
      expect(err.data).toMatchObject({ status: 403, code: 'forbidden' });
    });

    it('disconnects the socket when its token expires', async () => {
      const socket = dashboard(shortLivedToken(merchant, 'merchant', 2));
      const expired = collect(socket, 'session_expired');
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      await connected(socket);
      // A server-side disconnect: the client must not retry with the dead token on its own.
      expect(await disconnected).toBe('io server disconnect');
      expect(expired.items).toHaveLength(1);
    });
  });

  describe('delivery', () => {
    let shopA: Account;
    let shopB: Account;
    let buyer: Account;
    let otherBuyer: Account;
    beforeAll(async () => {
      [shopA, shopB, buyer, otherBuyer] = await Promise.all([
        registerMerchant(t),
        registerMerchant(t),
        registerUser(t),
        registerUser(t),
      ]);
    });

    async function watch(account: Account) {
      const socket = dashboard(account.token);
      const created = collect<Envelope>(socket, 'new_transaction');
      const updated = collect<Envelope>(socket, 'transaction_updated');
      await connected(socket);
      return { socket, created, updated };
    }

    it('sends a new sale, after its 201 and committed, to exactly its merchant and its customer', async () => {
      const [a, b, u, v] = await Promise.all([watch(shopA), watch(shopB), watch(buyer), watch(otherBuyer)]);
      // On receipt: is the row committed, and had the 201 already arrived?
      const atReceipt = new Inbox<{ receivedAt: number; rows: number }>();
      a.socket.on('new_transaction', (e: Envelope) => {
        const receivedAt = performance.now();
        void t.db
          .query(`SELECT 1 FROM ${merchantTable(shopA.id)} WHERE id = $1`, [e.id])
          .then(({ rowCount }) => atReceipt.push({ receivedAt, rows: rowCount ?? 0 }));
      });

      const { body, receivedAt: responseAt } = await createSale(t, shopA, {
        user_id: buyer.id,
        amount: 25.5,
        type: 'paid',
        payment_method: 'upi',
      });
      const [forA] = await a.created.until((items) => items.length === 1);
      const [forU] = await u.created.until((items) => items.length === 1);
      const [check] = await atReceipt.until((items) => items.length === 1);
      expect(check!.rows).toBe(1);
      expect(check!.receivedAt).toBeGreaterThanOrEqual(responseAt);

      const expected = {
        id: body.id,
        seq: body.seq,
        type: 'new_transaction',
        occurred_at: body.occurred_at,
        data: dtoOf(body),
      };
      expect(forA).toEqual(expected);
      // The buyer has not confirmed this shop yet: their copy says so.
      expect(forU).toEqual({ ...expected, data: { ...expected.data, unconfirmed: true } });
      expect(forA!.data).toMatchObject({
        amount: 25.5,
        amount_paise: 2550,
        merchant_id: shopA.id,
        user_id: buyer.id,
      });

      // B's own sale reaches B: by then A's would have, had it been sent to B.
      const other = await createSale(t, shopB, { user_id: otherBuyer.id, amount: 10, type: 'pay_later' });
      await b.created.until((items) => items.length === 1);
      await v.created.until((items) => items.length === 1);
      await sleep(100);
      expect(b.created.items.map((e) => e.id)).toEqual([other.body.id]);
      expect(v.created.items.map((e) => e.id)).toEqual([other.body.id]);
      expect(a.created.items.map((e) => e.id)).toEqual([body.id]);
      expect(u.created.items.map((e) => e.id)).toEqual([body.id]);
    });

    it('sends a guest sale to the merchant only, and a settlement as transaction_updated to both', async () => {
      const [a, u] = await Promise.all([watch(shopA), watch(buyer)]);
      const guest = await createSale(t, shopA, { amount: 40, type: 'paid', is_guest_transaction: true });
      const bill = await createSale(t, shopA, { user_id: buyer.id, amount: 100, type: 'pay_later' });
      await a.created.until((items) => items.length === 2);
      await u.created.until((items) => items.length === 1);
      expect(a.created.items.map((e) => e.id)).toEqual([guest.body.id, bill.body.id]);
      expect(u.created.items.map((e) => e.id)).toEqual([bill.body.id]);

      const settled = await t.http
        .post(`/api/v2/transactions/${bill.body.id}/settle`)
        .set(shopA.auth)
        .send({ amount: 60, payment_method: 'cash' })
        .expect(200);
      const [forA] = await a.updated.until((items) => items.length === 1);
      const [forU] = await u.updated.until((items) => items.length === 1);
      expect(forA).toEqual({
        id: bill.body.id,
        seq: settled.body.seq,
        type: 'transaction_updated',
        occurred_at: bill.body.occurred_at,
        data: settled.body,
      });
      expect(forU).toEqual({ ...forA, data: { ...forA!.data, unconfirmed: true } });
      expect(forA!.seq).toBeGreaterThan(bill.body.seq);
      expect(forA!.data).toMatchObject({ status: 'partially_paid', paid_paise: 6000, due_paise: 4000 });
    });
  });

  describe('get_transactions', () => {
    let shop: Account;
    let buyer: Account;
    beforeAll(async () => {
      [shop, buyer] = await Promise.all([registerMerchant(t), registerUser(t)]);
      for (let i = 1; i <= 5; i++)
        await createSale(t, shop, { user_id: buyer.id, amount: i, type: i % 2 ? 'paid' : 'pay_later' });
    });

    it.each([
      ['merchant', { limit: 2, offset: 1 }, 'limit=2&offset=1'],
      ['merchant', { limit: 3, type: 'pay_later' }, 'limit=3&type=pay_later'],
      ['merchant', {}, ''],
      ['customer', { limit: 4, offset: 0 }, 'limit=4&offset=0'],
    ])('answers the %s by acknowledgement with the REST history rows (%j)', async (who, payload, query) => {
      const account = who === 'merchant' ? shop : buyer;
      const socket = dashboard(account.token);
      await connected(socket);
      const reply = await request<Reply>(socket, 'get_transactions', payload);
      const rest = await t.http.get(`/api/v2/transactions/history?${query}`).set(account.auth).expect(200);
      expect(reply.data).toEqual(rest.body);
      expect(reply.next_cursor).toBe(rest.headers['x-next-cursor'] ?? null);
      expect(reply.data!.length).toBeGreaterThan(0);
    });

    it('pages with the cursor like REST', async () => {
      const socket = dashboard(shop.token);
      await connected(socket);
      const first = await request<Reply>(socket, 'get_transactions', { limit: 2 });
      expect(first.next_cursor).toEqual(expect.any(String));
      const second = await request<Reply>(socket, 'get_transactions', {
        limit: 2,
        cursor: first.next_cursor,
      });
      const rest = await t.http
        .get('/api/v2/transactions/history')
        .query({ limit: 2, cursor: first.next_cursor })
        .set(shop.auth)
        .expect(200);
      expect(second.data).toEqual(rest.body);
      expect(second.data!.map((r) => r.id)).not.toContain(first.data![0]!.id);
    });

    it('answers without an acknowledgement with a transaction_history event', async () => {
      const socket = dashboard(shop.token);
      const history = collect<Reply>(socket, 'transaction_history');
      await connected(socket);
      socket.emit('get_transactions', { limit: 1 });
      const [reply] = await history.until((items) => items.length === 1);
      expect(reply!.data).toHaveLength(1);
    });

    it.each([
      ['a limit out of range', { limit: 0 }, 'limit'],
      ['a limit that is not a number', { limit: 'lots' }, 'limit'],
      ['an unknown field', { merchant_id: 1 }, 'merchant_id'],
      ['a bad type', { type: 'stolen' }, 'type'],
      ['a string payload', 'give me everything', 'payload'],
      ['an array payload', [1, 2], 'payload'],
    ])('replies to %s with a 422 problem and keeps the connection', async (_label, payload, field) => {
      const socket = dashboard(shop.token);
      await connected(socket);
      const reply = await request<Reply>(socket, 'get_transactions', payload);
      expect(reply.error).toMatchObject({ status: 422, code: 'validation-error' });
      expect(reply.error!.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect((await request<Reply>(socket, 'get_transactions', { limit: 1 })).data).toHaveLength(1);
    });

    it('replies to an unknown message with a 400 problem', async () => {
      const socket = dashboard(shop.token);
      await connected(socket);
      const reply = await request<Reply>(socket, 'drop_tables', {});
      expect(reply.error).toMatchObject({ status: 400, code: 'unknown-message' });
      const exceptions = collect<Reply>(socket, 'exception');
      socket.emit('drop_tables');
      expect((await exceptions.until((e) => e.length === 1))[0]!.error).toMatchObject({ status: 400 });
    });

    it('rate-limits a flood of messages per socket without disconnecting it', async () => {
      const socket = dashboard(shop.token);
      await connected(socket);
      const replies = await Promise.all(
        Array.from({ length: 40 }, () => request<Reply>(socket, 'get_transactions', { limit: 1 })),
      );
      const limited = replies.filter((r) => r.error?.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(15);
      expect(replies.filter((r) => r.data).length).toBeGreaterThanOrEqual(15);
      expect(socket.connected).toBe(true);
      await sleep(300);
      expect((await request<Reply>(socket, 'get_transactions', { limit: 1 })).data).toHaveLength(1);
    });

    it('closes a connection that sends an oversized message, and keeps serving others', async () => {
      const socket = dashboard(shop.token);
      await connected(socket);
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      socket.emit('get_transactions', { cursor: 'x'.repeat(64 * 1024) });
      expect(await disconnected).toMatch(/transport (close|error)/);
      const other = dashboard(shop.token);
      await connected(other);
      expect((await request<Reply>(other, 'get_transactions', { limit: 1 })).data).toHaveLength(1);
    });

    it('survives malformed Socket.IO frames on a raw connection', async () => {
      const raw = new WebSocket(`${t.baseUrl.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
      const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
      raw.on('error', () => undefined);
      await new Promise((resolve) => raw.once('message', resolve)); // engine.io "open"
      raw.send(`40/realtime,${JSON.stringify({ token: shop.token })}`);
      await new Promise((resolve) => raw.once('message', resolve)); // namespace connected
      raw.send('42/realtime,["get_transactions",{"limit":');
      await closed;
      const socket = dashboard(shop.token);
      await connected(socket);
      expect((await request<Reply>(socket, 'get_transactions', { limit: 1 })).data).toHaveLength(1);
    });
  });

  describe('recovery', () => {
    let shop: Account;
    let buyer: Account;
    beforeAll(async () => {
      [shop, buyer] = await Promise.all([registerMerchant(t), registerUser(t)]);
    });
    const sale = () => createSale(t, shop, { user_id: buyer.id, amount: 12, type: 'paid' });

    it('delivers the events missed during a forced disconnect exactly once', async () => {
      const socket = dashboard(shop.token);
      const events = collect<Envelope>(socket, 'new_transaction');
      await connected(socket);
      const before = await sale();
      await events.until((e) => e.length === 1);

      await dropConnection(socket);
      const missed = [await sale(), await sale(), await sale()];
      await sleep(100);
      expect(events.items).toHaveLength(1);

      socket.connect();
      await connected(socket);
      expect(socket.recovered).toBe(true);
      await events.until((e) => e.length === 4);
      const after = await sale();
      await events.until((e) => e.length === 5);
      await sleep(200);
      expect(events.items.map((e) => e.id)).toEqual([before, ...missed, after].map((s) => s.body.id));
    });

    it('recovers a socket that dropped before its first event', async () => {
      const socket = dashboard(shop.token);
      const events = collect<Envelope>(socket, 'new_transaction');
      const ready = collect(socket, 'ready');
      await connected(socket);
      await ready.until((r) => r.length === 1);
      await dropConnection(socket);
      const missed = await sale();
      socket.connect();
      await connected(socket);
      expect(socket.recovered).toBe(true);
      await events.until((e) => e.length === 1);
      expect(events.items.map((e) => e.id)).toEqual([missed.body.id]);
    });

    it("refuses to restore a session for another account's token", async () => {
      const other = await registerMerchant(t);
      const socket = dashboard(shop.token);
      const events = collect<Envelope>(socket, 'new_transaction');
      const ready = collect(socket, 'ready');
      await connected(socket);
      await ready.until((r) => r.length === 1);
      await dropConnection(socket);
      await sale();
      socket.auth = { token: other.token };
      socket.connect();
      const err = await refusal(socket);
      expect(err.data).toMatchObject({ status: 401 });
      await sleep(200);
      expect(events.items).toHaveLength(0);
    });

    it("puts none of a restored session's missed events on the wire before its token has passed", async () => {
      const other = await registerMerchant(t);
      const socket = dashboard(shop.token);
      const ready = collect(socket, 'ready');
      await connected(socket);
      await ready.until((r) => r.length === 1);
      await dropConnection(socket);
      await sale();
      await sale();
      // Every packet the client decodes, below the socket's own buffering of early events.
      const wire: { type: number; nsp: string }[] = [];
      socket.io.on('packet', (packet) => wire.push(packet as { type: number; nsp: string }));
      socket.auth = { token: other.token };
      socket.connect();
      const err = await refusal(socket);
      expect(err.data).toMatchObject({ status: 401 });
      await sleep(300);
      const EVENT = 2;
      expect(wire.filter((p) => p.type === EVENT)).toEqual([]);
    });

    it('does not restore a session whose token expired while away; the client resyncs over REST by seq', async () => {
      const socket = dashboard(shortLivedToken(shop, 'merchant', 2));
      const events = collect<Envelope>(socket, 'new_transaction');
      await connected(socket);
      const seen = await sale();
      const [last] = await events.until((e) => e.length === 1);
      await dropConnection(socket);
      const missed = [await sale(), await sale()];
      await sleep(2200);

      socket.auth = { token: shop.token };
      socket.connect();
      await connected(socket);
      expect(socket.recovered).toBe(false);
      await sleep(200);
      expect(events.items.map((e) => e.id)).toEqual([seen.body.id]);

      // The documented fallback: everything after the last seq seen, oldest first, no duplicates.
      const resync = await t.http
        .get('/api/v2/transactions/history')
        .query({ since_seq: last!.seq })
        .set(shop.auth)
        .expect(200);
      expect(resync.body.map((r: { id: number }) => r.id)).toEqual(missed.map((s) => s.body.id));
      const live = await sale();
      await events.until((e) => e.length === 2);
      expect(events.items.map((e) => e.id)).toEqual([seen.body.id, live.body.id]);
    });
  });
});

describe('realtime recovery buffer (e2e)', () => {
  let t: TestApp;
  let shop: Account;
  let buyer: Account;
  const sockets: Dashboard[] = [];
  beforeAll(async () => {
    t = await createTestApp({
      listen: true,
      override: (b) =>
        b.overrideProvider(RealtimeOptions).useValue(RealtimeOptions.with({ recoveryBufferEvents: 3 })),
    });
    [shop, buyer] = await Promise.all([registerMerchant(t), registerUser(t)]);
    // A shop the buyer knows: one broadcast per sale, as the buffer sizes below assume.
    await sale();
    await acceptShop(t, buyer.id, shop.id);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(() => t.close());
  const sale = () => createSale(t, shop, { user_id: buyer.id, amount: 9, type: 'paid' });

  /** A dashboard that saw one sale, then lost its connection while `missed` more were recorded. */
  async function missSales(missed: number) {
    const socket = connectDashboard(t.baseUrl, shop.token);
    sockets.push(socket);
    const events = collect<Envelope>(socket, 'new_transaction');
    await connected(socket);
    await sale();
    const [seen] = await events.until((e) => e.length === 1);
    await dropConnection(socket);
    const sales = [];
    for (let i = 0; i < missed; i++) sales.push((await sale()).body.id as number);
    socket.connect();
    await connected(socket);
    return { socket, events, seen: seen!, missed: sales };
  }

  it('restores a session whose missed events are still in the buffer', async () => {
    const { socket, events, seen, missed } = await missSales(2);
    expect(socket.recovered).toBe(true);
    await events.until((e) => e.length === 3);
    expect(events.items.map((e) => e.id)).toEqual([seen.id, ...missed]);
  });

  it('keeps only the newest events: a client that missed more resyncs over REST, losing nothing', async () => {
    const { socket, events, seen, missed } = await missSales(6);
    expect(socket.recovered).toBe(false);
    await sleep(200);
    expect(events.items.map((e) => e.id)).toEqual([seen.id]);
    const resync = await t.http
      .get('/api/v2/transactions/history')
      .query({ since_seq: seen.seq })
      .set(shop.auth)
      .expect(200);
    expect(resync.body.map((r: { id: number }) => r.id)).toEqual(missed);
  });
});

import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createClient } from 'redis';
import { RealtimeOptions } from '../../src/modules/realtime/realtime.options.js';
import { RealtimeRedis } from '../../src/modules/realtime/realtime-redis.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import {
  collect,
  connectDashboard,
  connected,
  createSale,
  type Dashboard,
  dtoOf,
  openLegacy,
  openPlain,
  request,
  sleep,
} from '../support/realtime.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL)
  throw new Error(
    'The scale suite needs a Redis: run it as `REDIS_URL=redis://127.0.0.1:6379 npm run test:scale`.',
  );

jest.setTimeout(60_000);

type Envelope = { id: number; seq: number; type: string; data: Record<string, unknown> };

/** A TCP relay to Redis that a test can cut and restore, as a network partition would. */
class RedisLink {
  private readonly server: Server;
  private readonly open = new Set<Socket>();
  private up = true;

  constructor(private readonly target: URL) {
    this.server = createServer((client) => {
      client.on('error', () => undefined);
      if (!this.up) return void client.destroy();
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.open.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const url = new URL(this.target);
    url.hostname = '127.0.0.1';
    url.port = String((this.server.address() as { port: number }).port);
    return url.toString();
  }

  cut(): void {
    this.up = false;
    for (const s of this.open) s.destroy();
  }

  restore(): void {
    this.up = true;
  }

  stop(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/**
 * Two instances of the app on one database, joined only through Redis (the streams adapter), as
 * behind a load balancer: whatever one instance records must reach dashboards on the other.
 */
describe('realtime across two instances through Redis (scale)', () => {
  // A prefix of this run's own, so parallel runs sharing the Redis never see each other's events.
  const redisPrefix = `graminstore-test-${randomBytes(4).toString('hex')}`;
  const options = RealtimeOptions.with({ redisPrefix });
  let one: TestApp;
  let two: TestApp;
  let shop: Account;
  let buyer: Account;
  const sockets: Dashboard[] = [];
  const dashboard = (baseUrl: string, token: string, extra = {}) => {
    const socket = connectDashboard(baseUrl, token, extra);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    const boot = (database?: TestApp['database']) =>
      createTestApp({
        listen: true,
        database,
        env: { REDIS_URL: REDIS_URL! },
        override: (b) => b.overrideProvider(RealtimeOptions).useValue(options),
      });
    one = await boot();
    two = await boot(one.database);
    [shop, buyer] = await Promise.all([registerMerchant(one), registerUser(two)]);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    for await (const keys of redis.scanIterator({ MATCH: `${redisPrefix}:*` }))
      if (keys.length) await redis.del(keys);
    await redis.close();
  });

  it('runs two instances on one database', () => {
    expect(one.baseUrl).not.toBe(two.baseUrl);
    expect(two.database.name).toBe(one.database.name);
  });

  it('delivers a sale recorded on instance 1 to dashboards on instance 2 (Socket.IO, legacy and orders)', async () => {
    const other = await registerMerchant(two);
    const shopOnTwo = dashboard(two.baseUrl, shop.token);
    const buyerOnTwo = dashboard(two.baseUrl, buyer.token);
    const otherOnTwo = dashboard(two.baseUrl, other.token);
    const forShop = collect<Envelope>(shopOnTwo, 'new_transaction');
    const forBuyer = collect<Envelope>(buyerOnTwo, 'new_transaction');
    const forOther = collect<Envelope>(otherOnTwo, 'new_transaction');
    const legacyOnTwo = openLegacy(two.baseUrl, shop.token);
    const legacyBuyerOnOne = openLegacy(one.baseUrl, buyer.token);
    const ordersOnTwo = openPlain(two.baseUrl, 'orders', shop.token);
    await Promise.all([
      connected(shopOnTwo),
      connected(buyerOnTwo),
      connected(otherOnTwo),
      legacyOnTwo.opened,
      legacyBuyerOnOne.opened,
      ordersOnTwo.opened,
    ]);

    const sale = await createSale(one, shop, {
      user_id: buyer.id,
      amount: 25.5,
      type: 'paid',
      payment_method: 'upi',
    });
    const expected = {
      id: sale.body.id,
      seq: sale.body.seq,
      type: 'new_transaction',
      data: dtoOf(sale.body),
    };
    expect((await forShop.until((e) => e.length === 1))[0]).toMatchObject(expected);
    expect((await forBuyer.until((e) => e.length === 1))[0]).toMatchObject(expected);
    expect((await legacyOnTwo.inbox.until((e) => e.length === 1))[0]).toMatchObject(expected);
    expect((await legacyBuyerOnOne.inbox.until((e) => e.length === 1))[0]).toMatchObject(expected);
    // The original PWA's orders socket, in its own words.
    expect((await ordersOnTwo.inbox.until((e) => e.length === 1))[0]).toMatchObject({
      type: 'new_order',
      data: { order_id: String(sale.body.id), amount: 25.5, user_id: buyer.id },
    });

    // Exactly once per connection, and never to another merchant.
    await sleep(300);
    expect(forShop.items).toHaveLength(1);
    expect(legacyOnTwo.inbox.items).toHaveLength(1);
    expect(legacyBuyerOnOne.inbox.items).toHaveLength(1);
    expect(ordersOnTwo.inbox.items).toHaveLength(1);
    expect(forOther.items).toHaveLength(0);
    legacyOnTwo.ws.terminate();
    legacyBuyerOnOne.ws.terminate();
    ordersOnTwo.ws.terminate();
  });

  it('answers get_transactions on instance 2 with a sale recorded on instance 1', async () => {
    const sale = await createSale(one, shop, { user_id: buyer.id, amount: 3, type: 'pay_later' });
    const socket = dashboard(two.baseUrl, shop.token);
    await connected(socket);
    const reply = await request<{ data: { id: number }[] }>(socket, 'get_transactions', { limit: 1 });
    expect(reply.data.map((r) => r.id)).toEqual([sale.body.id]);
  });

  it('keeps local delivery during a Redis outage and rejoins the others when it is back', async () => {
    const link = new RedisLink(new URL(REDIS_URL!));
    const url = await link.start();
    const three = await createTestApp({
      listen: true,
      database: one.database,
      env: { REDIS_URL: url },
      override: (b) => b.overrideProvider(RealtimeOptions).useValue(options),
    });
    try {
      const redis = three.app.get(RealtimeRedis);
      const onThree = dashboard(three.baseUrl, shop.token);
      const onTwo = dashboard(two.baseUrl, shop.token);
      const local = collect<Envelope>(onThree, 'new_transaction');
      const remote = collect<Envelope>(onTwo, 'new_transaction');
      const legacyOnThree = openLegacy(three.baseUrl, shop.token);
      await Promise.all([connected(onThree), connected(onTwo), legacyOnThree.opened]);

      link.cut();
      await eventually(() => redis.unavailable, 'instance 3 has lost Redis');
      const during = await createSale(three, shop, { user_id: buyer.id, amount: 5, type: 'paid' });
      expect((await local.until((e) => e.length === 1, 2000))[0]!.id).toBe(during.body.id);

      link.restore();
      await eventually(() => !redis.unavailable, 'instance 3 is back on Redis');
      // Both ways again: instance 3 → 2 (the stream), and 1 → 3 for Socket.IO (the stream) and for
      // the legacy path (the pub/sub relay, resubscribed after the outage).
      const after = await createSale(three, shop, { user_id: buyer.id, amount: 6, type: 'paid' });
      await remote.until((e) => e.some((x) => x.id === after.body.id));
      const fromOne = await createSale(one, shop, { user_id: buyer.id, amount: 7, type: 'paid' });
      await local.until((e) => e.length === 3);
      expect(local.items.map((e) => e.id)).toEqual([during.body.id, after.body.id, fromOne.body.id]);
      await legacyOnThree.inbox.until((m) => m.some((x) => x.id === fromOne.body.id));
      await sleep(300);
      expect(legacyOnThree.inbox.items.map((m) => m.id)).toEqual(local.items.map((e) => e.id));
      legacyOnThree.ws.terminate();
    } finally {
      link.restore();
      await three.close();
      await link.stop();
    }
  });

  it('recovers a dashboard that dropped from instance 2 and came back on instance 1, exactly once', async () => {
    const socket = dashboard(two.baseUrl, shop.token);
    const events = collect<Envelope>(socket, 'new_transaction');
    await connected(socket);
    const before = await createSale(one, shop, { user_id: buyer.id, amount: 1, type: 'paid' });
    await events.until((e) => e.length === 1);

    socket.io.engine.close(); // a network drop: the session is kept in Redis
    const missed = [
      await createSale(one, shop, { user_id: buyer.id, amount: 2, type: 'paid' }),
      await createSale(two, shop, { user_id: buyer.id, amount: 3, type: 'paid' }),
    ];
    // The load balancer sends the reconnection to the other instance.
    (socket.io as unknown as { uri: string }).uri = one.baseUrl;
    socket.connect();
    await connected(socket);
    expect(socket.recovered).toBe(true);
    await events.until((e) => e.length === 3);
    const after = await createSale(two, shop, { user_id: buyer.id, amount: 4, type: 'paid' });
    await events.until((e) => e.length === 4);
    await sleep(300);
    expect(events.items.map((e) => e.id)).toEqual([before, ...missed, after].map((s) => s.body.id));
  });
});

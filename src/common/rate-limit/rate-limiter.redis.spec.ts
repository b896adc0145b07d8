import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { createClient } from 'redis';
import { loadConfig } from '../../config/app-config.js';
import { RateLimiter } from './rate-limiter.js';

/** The machine's Redis (or REDIS_URL's): the shared-bucket path runs only where there is one. */
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379), timeout: 500 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

const redisThere = await reachable(REDIS_URL);
const SKIPPED = `skipped: no Redis at ${REDIS_URL} (set REDIS_URL to run it)`;
if (!redisThere) console.warn(`RateLimiter in Redis: ${SKIPPED}`);

(redisThere ? describe : describe.skip)(`RateLimiter in Redis${redisThere ? '' : ` (${SKIPPED})`}`, () => {
  // A prefix of this run's own: parallel runs on one Redis never share a bucket.
  const prefix = `gs-spec-${randomBytes(4).toString('hex')}`;
  const limiters: RateLimiter[] = [];
  const admin = createClient({ url: REDIS_URL });

  async function instance(): Promise<RateLimiter> {
    const limiter = new RateLimiter(loadConfig({ NODE_ENV: 'test', REDIS_URL, REDIS_KEY_PREFIX: prefix }));
    limiters.push(limiter);
    await limiter.onModuleInit();
    return limiter;
  }

  beforeAll(() => admin.connect());
  afterAll(async () => {
    for (const limiter of limiters) await limiter.onApplicationShutdown();
    for await (const keys of admin.scanIterator({ MATCH: `${prefix}:*` }))
      if (keys.length) await admin.del(keys);
    await admin.close();
  });

  const limit = { name: 'spec', capacity: 3, perSecond: 1 };

  it('shares one bucket between instances: N instances do not allow N times the limit', async () => {
    const [a, b] = [await instance(), await instance()];
    expect([await a.take(limit, 'k1'), await b.take(limit, 'k1'), await a.take(limit, 'k1')]).toEqual([
      0, 0, 0,
    ]);
    const wait = await b.take(limit, 'k1');
    expect(wait).toBeGreaterThan(800);
    expect(wait).toBeLessThanOrEqual(1000);
    // Other keys and other limits have buckets of their own.
    expect(await b.take(limit, 'k2')).toBe(0);
    expect(await b.take({ ...limit, name: 'other' }, 'k1')).toBe(0);
  });

  it('refills at the limit’s rate, on the server’s clock', async () => {
    const a = await instance();
    const fast = { name: 'fast', capacity: 1, perSecond: 20 };
    expect(await a.take(fast, 'k')).toBe(0);
    expect(await a.take(fast, 'k')).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await a.take(fast, 'k')).toBe(0);
  });

  it('keeps its counters under the configured prefix, expiring once they would be full again', async () => {
    const a = await instance();
    await a.take(limit, 'k3');
    const key = `${prefix}:rl:spec:k3`;
    expect(await admin.hGetAll(key)).toEqual({ tokens: '2', at: expect.stringMatching(/^\d+$/) });
    const ttl = await admin.pTTL(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3000 + 1000);
  });

  it('enforces over Redis with the one 429', async () => {
    const a = await instance();
    const one = { name: 'one', capacity: 1, perSecond: 0.5 };
    await a.enforce([[one, 'k']]);
    await expect(a.enforce([[one, 'k']], 'Slow down.')).rejects.toMatchObject({
      status: 429,
      retryAfterSeconds: 2,
      detail: 'Slow down.',
    });
  });
});

describe('RateLimiter with an unreachable Redis', () => {
  it('counts in this instance meanwhile: limits stay on', async () => {
    const limiter = new RateLimiter(loadConfig({ NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:1' }));
    try {
      await limiter.onModuleInit();
      const limit = { name: 'fallback', capacity: 2, perSecond: 1 };
      expect([await limiter.take(limit, 'k'), await limiter.take(limit, 'k')]).toEqual([0, 0]);
      expect(await limiter.take(limit, 'k')).toBeGreaterThan(0);
    } finally {
      await limiter.onApplicationShutdown();
    }
  });
});

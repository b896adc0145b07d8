import { loadConfig } from '../../config/app-config.js';
import { TooManyRequestsError } from '../errors/domain-error.js';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter (in memory)', () => {
  const limit = { name: 'test', capacity: 3, perSecond: 1 };
  const limiter = () => new RateLimiter(loadConfig({ NODE_ENV: 'test' }));

  it('allows a burst of `capacity` per key, then says how long to wait', async () => {
    const rl = limiter();
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push(await rl.take(limit, 'a'));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(900);
    expect(waits[3]).toBeLessThanOrEqual(1000);
    // Another key has its own bucket; another limit name too.
    expect(await rl.take(limit, 'b')).toBe(0);
    expect(await rl.take({ ...limit, name: 'other' }, 'a')).toBe(0);
  });

  it('enforce throws the one TooManyRequestsError with Retry-After seconds, over any of the limits', async () => {
    const rl = limiter();
    const tight = { name: 'tight', capacity: 1, perSecond: 0.5 };
    await rl.enforce([
      [limit, 'k'],
      [tight, 'k'],
    ]);
    const err = await rl
      .enforce(
        [
          [limit, 'k'],
          [tight, 'k'],
        ],
        'Slow down.',
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect(err).toMatchObject({ status: 429, retryAfterSeconds: 2, detail: 'Slow down.' });
  });
});

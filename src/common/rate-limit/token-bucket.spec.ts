import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst of `capacity`, then refuses until tokens are refilled', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 2, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 499; // 0.998 of a token
    expect(bucket.take()).toBe(false);
    now += 2; // one whole token by now
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('never holds more than its capacity, however long it was idle', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 10, () => now);
    now += 60_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});

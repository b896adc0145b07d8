/**
 * A token bucket: `capacity` requests at once, refilled at `perSecond`. The one rate-limiting
 * algorithm of the app: {@link RateLimiter} keeps one per key in memory (and runs the same arithmetic
 * in Redis when the count is shared), and each socket connection holds one for its incoming messages.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Takes one token; false when the bucket is empty (the request should be refused). */
  take(): boolean {
    return this.tryTake() === 0;
  }

  /** Takes one token and returns 0, or returns how many ms until one is there (nothing is taken). */
  tryTake(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** Whether the bucket is back to full (so forgetting it changes nothing). */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.capacity;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }
}

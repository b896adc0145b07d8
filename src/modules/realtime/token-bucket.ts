/**
 * A token bucket: `capacity` messages at once, refilled at `perSecond`. One per connection, so a
 * chatty or hostile client is slowed down without affecting anyone else.
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

  /** Takes one token; false when the bucket is empty (the message should be refused). */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

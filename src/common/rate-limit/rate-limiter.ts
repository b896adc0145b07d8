import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createClient } from 'redis';
import { AppConfig } from '../../config/app-config.js';
import { TooManyRequestsError } from '../errors/domain-error.js';
import { TokenBucket } from './token-bucket.js';

/** A named limit: `capacity` requests at once, refilled at `perSecond` (a token bucket). */
export interface RateLimit {
  name: string;
  capacity: number;
  perSecond: number;
}

/** At most this many keys are kept in memory; full buckets are dropped first, then the oldest. */
const MAX_KEYS = 100_000;
const SWEEP_EVERY_MS = 60_000;

/**
 * The token bucket of {@link TokenBucket}, run atomically in Redis on the server's clock: KEYS[1] the
 * bucket, ARGV capacity and rate per second. Returns 0 (taken) or the ms until a token is there.
 */
const REDIS_BUCKET = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / 1000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or capacity
local at = tonumber(b[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return wait`;

const newClient = (url: string) =>
  createClient({
    url,
    socket: { reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
  });
type Redis = ReturnType<typeof newClient>;
/** How long boot waits for Redis before counting locally until it is there. */
const CONNECT_WAIT_MS = 3_000;

/**
 * The one rate limiter: token buckets per `limit.name` + key. Without `REDIS_URL` the buckets live in
 * this process; with it, in Redis, so that N instances behind a balancer do not allow N times the
 * limit. While Redis is unreachable the instance falls back to its own buckets (limits stay on, per
 * instance) rather than refusing everyone or letting everyone through.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimiter');
  private readonly buckets = new Map<string, TokenBucket>();
  private lastSweep = performance.now();
  private readonly redis: Redis | null;
  private connecting: Promise<void> = Promise.resolve();

  constructor(config: AppConfig) {
    this.redis = config.redisUrl ? this.connect(config.redisUrl) : null;
  }

  /** Gives Redis a moment at boot, so the first requests are already counted in the shared buckets. */
  async onModuleInit(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.connecting, new Promise((ok) => (timer = setTimeout(ok, CONNECT_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** Takes one token from each limit's bucket for its key; over any of them: {@link TooManyRequestsError}. */
  async enforce(checks: readonly (readonly [RateLimit, string])[], detail?: string): Promise<void> {
    let waitMs = 0;
    for (const [limit, key] of checks) waitMs = Math.max(waitMs, await this.take(limit, key));
    if (waitMs > 0) throw new TooManyRequestsError(waitMs, detail);
  }

  /** Takes one token from `limit`'s bucket for `key`: 0 when taken, else the ms until one is there. */
  async take(limit: RateLimit, key: string): Promise<number> {
    if (this.redis?.isReady) {
      try {
        const wait = await this.redis.eval(REDIS_BUCKET, {
          keys: [`graminstore:rl:${limit.name}:${key}`],
          arguments: [String(limit.capacity), String(limit.perSecond)],
        });
        return Number(wait);
      } catch (err) {
        this.logger.warn({ msg: 'rate limit in Redis failed; counting locally', err: String(err) });
      }
    }
    return this.takeLocal(limit, key);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis?.isReady) await this.redis.close();
    else if (this.redis?.isOpen) this.redis.destroy();
  }

  private takeLocal(limit: RateLimit, key: string): number {
    this.sweep();
    const id = `${limit.name}:${key}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      if (this.buckets.size >= MAX_KEYS) this.buckets.delete(this.buckets.keys().next().value!);
      this.buckets.set(id, (bucket = new TokenBucket(limit.capacity, limit.perSecond)));
    }
    return bucket.tryTake();
  }

  /** Drops buckets that have refilled: forgetting them changes no decision. */
  private sweep(): void {
    const now = performance.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [id, bucket] of this.buckets) if (bucket.full) this.buckets.delete(id);
  }

  private connect(url: string): Redis {
    const client = newClient(url);
    client.on('error', (err: Error) => this.logger.warn({ msg: 'Redis error', err: err.message }));
    this.connecting = client.connect().then(
      () => undefined,
      () => undefined,
    );
    return client;
  }
}

import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createClient } from 'redis';
import { AppConfig } from '../config/app-config.js';

/** A write whose WAL position is unknown: the account reads from the primary until the mark expires. */
const EVERYTHING = (1n << 62n) - 1n;
/** Local marks kept at most; the oldest go first (they are the likeliest to be replayed already). */
const MAX_LOCAL = 100_000;

/**
 * Keeps the larger of the stored and the given position, as a decimal (exact to 2^53 bytes of WAL,
 * far beyond any cluster's life), and renews the expiry. KEYS[1] the mark, ARGV position and ms.
 */
const REDIS_KEEP_MAX = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;

const newClient = (url: string) =>
  createClient({
    url,
    socket: { reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
  });

/**
 * Per account, the primary's WAL position after its last write: in this process, and in Redis when
 * `REDIS_URL` is set so that the instance serving the next read knows it too. A mark is kept only as
 * long as a replica may serve reads without having replayed it: past `DATABASE_READ_MAX_LAG_MS`
 * (plus two checks), a replica that is still serving has replayed it anyway.
 */
@Injectable()
export class WriteMarks implements OnApplicationShutdown {
  private readonly logger = new Logger('WriteMarks');
  private readonly local = new Map<string, { lsn: bigint; until: number }>();
  private readonly redis: ReturnType<typeof newClient> | null;
  private readonly prefix: string;
  readonly ttlMs: number;

  constructor(config: AppConfig) {
    this.ttlMs = config.databaseReadMaxLagMs + 2 * config.databaseReadCheckMs + 1000;
    this.prefix = `${config.redisKeyPrefix}:rw`;
    this.redis = config.redisUrl && config.databaseReadUrls.length ? newClient(config.redisUrl) : null;
    this.redis?.on('error', () => undefined);
    this.redis?.connect().catch(() => undefined);
  }

  /** Records a write of `account` at `lsn` (undefined: not known, so everything counts as unseen). */
  async record(account: string, lsn: bigint | undefined): Promise<void> {
    const position = lsn ?? EVERYTHING;
    const until = Date.now() + this.ttlMs;
    const previous = this.local.get(account);
    this.local.delete(account);
    if (this.local.size >= MAX_LOCAL) this.local.delete(this.local.keys().next().value!);
    this.local.set(account, { lsn: previous && previous.lsn > position ? previous.lsn : position, until });
    if (!this.redis) return;
    try {
      await this.redis.eval(REDIS_KEEP_MAX, {
        keys: [`${this.prefix}:${account}`],
        arguments: [position.toString(), String(this.ttlMs)],
      });
    } catch (err) {
      this.logger.warn({ msg: 'write mark not stored in Redis', err: String(err) });
    }
  }

  /**
   * The position `account` must see, undefined when it has written nothing lately, or 'unknown'
   * when Redis cannot say (the caller then reads from the primary).
   */
  async lookup(account: string): Promise<bigint | undefined | 'unknown'> {
    const mine = this.local.get(account);
    let lsn = mine && mine.until > Date.now() ? mine.lsn : undefined;
    if (mine && lsn === undefined) this.local.delete(account);
    if (!this.redis) return lsn;
    if (!this.redis.isReady) return 'unknown';
    try {
      const shared = await this.redis.get(`${this.prefix}:${account}`);
      if (shared !== null && (lsn === undefined || BigInt(shared) > lsn)) lsn = BigInt(shared);
      return lsn;
    } catch {
      return 'unknown';
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis?.isReady) await this.redis.close();
    else if (this.redis?.isOpen) this.redis.destroy();
  }
}

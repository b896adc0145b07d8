import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { requestContext } from '../common/logging/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../common/metrics/metrics.service.js';
import { WriteMarks } from './write-marks.js';
import { capMerchantTables, MerchantTablesClient } from './merchant-table-cap.js';

export type ReplicaState = 'up' | 'lagging' | 'down';

export interface ReplicaStatus {
  /** `replica-1`, `replica-2`, … in the order of `DATABASE_READ_URLS` (URLs carry passwords). */
  name: string;
  state: ReplicaState;
  /** How far behind the primary its data is, as last checked; null before the first check. */
  lag_ms: number | null;
}

interface Replica {
  readonly name: string;
  readonly pool: pg.Pool;
  state: ReplicaState;
  /** WAL position the replica had replayed at the last check (a lower bound of where it is now). */
  replayLsn: bigint;
  /** The newest moment at which the primary's WAL position was one the replica has replayed. */
  caughtUpAt: number;
}

/** `16/B374D848` → its 64-bit WAL position. */
export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/** Errors that say the replica itself is unreachable or shutting down, not that the query was bad. */
const unreachable = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return typeof code !== 'string' || code.startsWith('08') || code.startsWith('57P');
};
/** statement_timeout and cancellations: the primary would cancel the same query, so do not repeat it. */
const CANCELLED = '57014';

/**
 * Reads that may come from a streaming replica (`DATABASE_READ_URLS`): dashboards, history,
 * analytics, and CSV exports (which run on their own connections, routed by {@link route}). Each replica's replayed WAL position is checked every `DATABASE_READ_CHECK_MS`, which
 * gives its state and lag; a replica that is down or more than `DATABASE_READ_MAX_LAG_MS` behind
 * serves nothing, and a query it fails is run again on the primary.
 *
 * Read-your-writes by WAL position: after a request that may have written, the primary's position is
 * recorded for the account ({@link WriteMarks}, in Redis when `REDIS_URL` is set, so every instance
 * sees it), and that account reads from a replica only once the replica has replayed past it. Exact
 * at any lag, unlike a fixed window after each write, and clients carry nothing.
 *
 * Only HTTP requests are routed; work outside a request (sockets, jobs) reads from the primary.
 */
@Injectable()
export class ReadReplicas implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ReadReplicas');
  private readonly replicas: Replica[];
  /** The primary's WAL positions over the last `maxLag` or so, oldest first. */
  private samples: { at: number; lsn: bigint }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private next = 0;
  private readonly reads: Counter<'target'>;

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly primary: DataSource,
    private readonly marks: WriteMarks,
    metrics: MetricsService,
  ) {
    this.replicas = config.databaseReadUrls.map((url, i) => ({
      name: `replica-${i + 1}`,
      pool: this.newPool(url),
      state: 'down',
      replayLsn: 0n,
      caughtUpAt: 0,
    }));
    this.reads = new Counter({
      name: 'graminstore_db_routed_reads_total',
      help: 'Routable reads by where they ran (replica, or primary when no replica could serve)',
      labelNames: ['target'],
      registers: [metrics.registry],
    });
    const up: Gauge<'replica'> = new Gauge({
      name: 'graminstore_db_replica_up',
      help: 'Replica serving reads (1), or lagging or down (0)',
      labelNames: ['replica'],
      registers: [metrics.registry],
      collect: () => this.replicas.forEach((r) => up.set({ replica: r.name }, +(r.state === 'up'))),
    });
    const lag: Gauge<'replica'> = new Gauge({
      name: 'graminstore_db_replica_lag_seconds',
      help: 'How far the replica is behind the primary',
      labelNames: ['replica'],
      registers: [metrics.registry],
      collect: () => this.replicas.forEach((r) => lag.set({ replica: r.name }, this.lagMs(r) / 1000)),
    });
  }

  get enabled(): boolean {
    return this.replicas.length > 0;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    await this.check();
    this.timer = setInterval(() => void this.check(), this.config.databaseReadCheckMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
    await Promise.all(this.replicas.map((r) => r.pool.end()));
  }

  /**
   * Runs a read-only query on a replica that is up, fresh enough and, for the requesting account, has
   * replayed its last write; else (or when the replica fails) on the primary. Same rows as
   * `DataSource.query`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same contract as DataSource.query
  async query(sql: string, params: unknown[] = []): Promise<any> {
    const replica = await this.pick();
    if (replica) {
      try {
        const result = await replica.pool.query(sql, params);
        this.reads.inc({ target: 'replica' });
        return result.rows;
      } catch (err) {
        if ((err as { code?: string }).code === CANCELLED) throw err;
        if (unreachable(err)) this.markDown(replica, err);
      }
    }
    this.reads.inc({ target: 'primary' });
    return this.primary.query(sql, params);
  }

  /**
   * Where a read of the current request that runs on connections of its own (a CSV export, streamed
   * by COPY) may go: the position in `DATABASE_READ_URLS` of a replica that {@link query} would use
   * (up, fresh enough, past the caller's last write), or undefined for the primary. The caller says
   * where the read finally ran with {@link counted}, and reports a replica it could not reach with
   * {@link unreachableReplica}.
   */
  async route(): Promise<number | undefined> {
    const replica = await this.pick();
    return replica ? this.replicas.indexOf(replica) : undefined;
  }

  /** Counts a read routed through {@link route}, where it ran. */
  counted(target: 'replica' | 'primary'): void {
    this.reads.inc({ target });
  }

  /** A replica that a caller of {@link route} could not reach: it serves nothing until the next check. */
  unreachableReplica(index: number, err: unknown): void {
    const replica = this.replicas[index];
    if (replica) this.markDown(replica, err);
  }

  /**
   * Records that `account` may just have written: its reads stay on the primary until a replica has
   * replayed the primary's current WAL position. Without a position (the primary is away), the
   * account reads from the primary for as long as marks are kept.
   */
  async markWrite(account: string): Promise<void> {
    let lsn: bigint | undefined;
    try {
      const rows: { lsn: string }[] = await this.primary.query(`SELECT pg_current_wal_lsn()::text AS lsn`);
      lsn = parseLsn(rows[0].lsn);
    } catch {
      lsn = undefined;
    }
    await this.marks.record(account, lsn);
  }

  /** Each replica's state and lag, for the readiness answer. */
  status(): ReplicaStatus[] {
    return this.replicas.map((r) => ({
      name: r.name,
      state: r.state,
      lag_ms: r.caughtUpAt ? this.lagMs(r) : null,
    }));
  }

  private async pick(): Promise<Replica | undefined> {
    const context = requestContext.getStore();
    if (!context) return undefined;
    const candidates = this.replicas.filter((r) => r.state === 'up');
    if (!candidates.length) return undefined;
    let needed = 0n;
    if (context.account) {
      const mark = await this.marks.lookup(context.account);
      if (mark === 'unknown') return undefined;
      needed = mark ?? 0n;
    }
    const fresh = candidates.filter((r) => r.replayLsn >= needed);
    if (!fresh.length) return undefined;
    this.next = (this.next + 1) % fresh.length;
    return fresh[this.next];
  }

  private lagMs(r: Replica): number {
    return r.caughtUpAt ? Math.max(0, Date.now() - r.caughtUpAt) : 0;
  }

  private markDown(replica: Replica, err: unknown): void {
    if (replica.state !== 'down')
      this.logger.warn({
        msg: 'replica unreachable; reading from the primary',
        replica: replica.name,
        err: String(err),
      });
    replica.state = 'down';
  }

  /** One round: the primary's position first, then each replica's replayed position against it. */
  private check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    const at = Date.now();
    try {
      const rows: { lsn: string }[] = await this.primary.query(`SELECT pg_current_wal_lsn()::text AS lsn`);
      this.samples.push({ at, lsn: parseLsn(rows[0].lsn) });
    } catch {
      // The primary is away: replicas keep the position they had caught up to, so their lag grows.
    }
    const keepFrom = at - this.config.databaseReadMaxLagMs - 10 * this.config.databaseReadCheckMs;
    while (this.samples.length > 1 && this.samples[0].at < keepFrom) this.samples.shift();
    await Promise.all(this.replicas.map((r) => this.checkReplica(r)));
  }

  private async checkReplica(replica: Replica): Promise<void> {
    let row: { recovering: boolean; lsn: string | null };
    try {
      const result = await replica.pool.query<{ recovering: boolean; lsn: string | null }>(
        `SELECT pg_is_in_recovery() AS recovering, pg_last_wal_replay_lsn()::text AS lsn`,
      );
      row = result.rows[0];
    } catch (err) {
      this.markDown(replica, err);
      return;
    }
    if (!row.recovering || !row.lsn) {
      // Promoted, or not a standby at all: its data may have forked from the primary's.
      this.markDown(replica, new Error('not a streaming replica (pg_is_in_recovery() is false)'));
      return;
    }
    replica.replayLsn = parseLsn(row.lsn);
    for (const sample of this.samples)
      if (sample.lsn <= replica.replayLsn) replica.caughtUpAt = Math.max(replica.caughtUpAt, sample.at);
    const state = this.lagMs(replica) > this.config.databaseReadMaxLagMs ? 'lagging' : 'up';
    if (state !== replica.state)
      this.logger.log({ msg: 'replica state', replica: replica.name, state, lag_ms: this.lagMs(replica) });
    replica.state = state;
  }

  private newPool(url: string): pg.Pool {
    const pool = new pg.Pool({
      connectionString: url,
      max: this.config.dbPoolSize,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30000,
      maxLifetimeSeconds: this.config.dbPoolMaxLifetimeSeconds,
      statement_timeout: 30000,
      application_name: 'graminstore-read',
      Client: MerchantTablesClient,
    });
    capMerchantTables(pool, this.config.dbPoolMaxMerchantTables);
    // An idle connection dropped by a replica that went away must not crash the process.
    pool.on('error', () => undefined);
    return pool;
  }
}

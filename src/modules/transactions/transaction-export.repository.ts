import { Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { AppConfig } from '../../config/app-config.js';
import { ReadReplicas } from '../../database/read-replicas.js';
import { TransactionsRepository } from './transactions.repository.js';

/** Advisory-lock class of "an export of merchant N is running" (two-key form: never meets the one-key locks). */
const EXPORT_LOCK_CLASS = 0x45585054; // 'EXPT'

/**
 * One export's connections: `primary` holds the export's transaction and its per-merchant lock;
 * `reader` runs the COPY, on a replica when one may serve the caller, else it is `primary` itself.
 */
export interface ExportConnection {
  readonly primary: pg.PoolClient;
  readonly reader: pg.PoolClient;
  readonly target: 'primary' | 'replica';
}

/**
 * The exports' own connections, apart from the API's pool: at most `EXPORT_MAX_CONCURRENT` exports at
 * once, each with PostgreSQL's own `statement_timeout`, set at connect time and again inside each
 * export's transaction (PgBouncer does not pass the connect-time one on). However many exports are
 * asked for and however slowly their clients read, the API's connections are never theirs.
 *
 * With `DATABASE_READ_URLS`, the statement itself is read from a replica that {@link ReadReplicas}
 * would use for the caller (up, within the allowed lag, and past the merchant's own last write, so a
 * sale just recorded is in the statement); the lock stays on the primary, so "one export per merchant"
 * holds across instances and replicas. A replica that cannot be reached leaves the export to the primary.
 */
@Injectable()
export class ExportPool implements OnModuleDestroy {
  private readonly pool: pg.Pool;
  private readonly replicaPools: pg.Pool[];
  readonly statementTimeoutMs: number;
  private active = 0;
  private readonly streams = new Set<Readable>();

  constructor(
    private readonly config: AppConfig,
    @Optional() private readonly replicas?: ReadReplicas,
  ) {
    this.statementTimeoutMs = config.exportStatementTimeoutMs;
    this.pool = this.newPool(config.databaseUrl);
    this.replicaPools = replicas?.enabled ? config.databaseReadUrls.map((url) => this.newPool(url)) : [];
  }

  /** An export's connections, or undefined at once when the cap is reached (never queues). */
  async tryConnect(): Promise<ExportConnection | undefined> {
    if (this.active >= this.config.exportMaxConcurrent) return undefined;
    this.active += 1;
    let primary: pg.PoolClient | undefined;
    try {
      primary = await this.pool.connect();
      const reader = await this.replicaFor();
      this.replicas?.counted(reader ? 'replica' : 'primary');
      return reader
        ? { primary, reader, target: 'replica' }
        : { primary, reader: primary, target: 'primary' };
    } catch (err) {
      primary?.release(true);
      this.active -= 1;
      throw err;
    }
  }

  /** Closes the connections (their open transactions, the advisory lock and any half-read COPY go with them). */
  release(connection: ExportConnection): void {
    this.active -= 1;
    if (connection.reader !== connection.primary) connection.reader.release(true);
    connection.primary.release(true);
  }

  /** Streams still running are cut at shutdown, so closing never waits on a slow reader. */
  track(stream: Readable): void {
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
  }

  async onModuleDestroy(): Promise<void> {
    for (const stream of this.streams) stream.destroy();
    await Promise.all([this.pool, ...this.replicaPools].map((p) => p.end()));
  }

  /** A connection to the replica the caller may read from, in a read-only transaction; else undefined. */
  private async replicaFor(): Promise<pg.PoolClient | undefined> {
    const index = this.replicaPools.length ? await this.replicas?.route() : undefined;
    if (index === undefined) return undefined;
    let client: pg.PoolClient | undefined;
    try {
      client = await this.replicaPools[index].connect();
      await this.begin(client);
      return client;
    } catch (err) {
      client?.release(true);
      this.replicas?.unreachableReplica(index, err);
      return undefined;
    }
  }

  /** A read-only transaction carrying the export's statement_timeout. */
  async begin(client: pg.PoolClient): Promise<void> {
    await client.query('BEGIN READ ONLY');
    await client.query(`SELECT set_config('statement_timeout', $1, true)`, [String(this.statementTimeoutMs)]);
  }

  private newPool(url: string | undefined): pg.Pool {
    const pool = new pg.Pool({
      connectionString: url,
      max: this.config.exportMaxConcurrent,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 10_000,
      maxLifetimeSeconds: this.config.dbPoolMaxLifetimeSeconds,
      statement_timeout: this.config.exportStatementTimeoutMs,
      application_name: 'graminstore-export',
    });
    // An idle connection dropped by the server (a restart) must not crash the process.
    pool.on('error', () => undefined);
    return pool;
  }
}

export type ExportStart = { stream: Readable } | { refused: 'merchant-busy' | 'exports-busy' };

/**
 * Streams a merchant's statement with COPY TO STDOUT on a connection of {@link ExportPool}, through
 * the public pg API. One export per merchant at a time (on this instance by a set, across instances
 * by a transaction-scoped advisory lock, which works behind PgBouncer's transaction pooling too). A
 * client that stops reading for `stallTimeoutMs` has its stream destroyed and the connection closed.
 */
@Injectable()
export class TransactionExportRepository {
  private readonly running = new Set<number>();

  constructor(
    private readonly pool: ExportPool,
    private readonly transactions: TransactionsRepository,
  ) {}

  async streamCsv(merchantId: number, from: Date, to: Date, stallTimeoutMs: number): Promise<ExportStart> {
    if (this.running.has(merchantId)) return { refused: 'merchant-busy' };
    this.running.add(merchantId);
    let connection: ExportConnection | undefined;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.running.delete(merchantId);
      if (connection) this.pool.release(connection);
    };
    try {
      connection = await this.pool.tryConnect();
      if (!connection) {
        release();
        return { refused: 'exports-busy' };
      }
      // One transaction on the primary holds the lock; the reader's (the same one without a replica)
      // holds the timeout and the COPY. Both end when their connections close.
      const { primary, reader } = connection;
      await this.pool.begin(primary);
      const lock = await primary.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [
        EXPORT_LOCK_CLASS,
        merchantId,
      ]);
      if (!lock.rows[0].ok) {
        release();
        return { refused: 'merchant-busy' };
      }
      // Dates become literals through their own ISO form only; COPY cannot take bind parameters.
      const sql = this.transactions.exportSql(
        merchantId,
        pg.escapeLiteral(from.toISOString()),
        pg.escapeLiteral(to.toISOString()),
      );
      const stream = reader.query(copyTo(sql));
      this.pool.track(stream);
      stream.once('close', release);
      stream.once('end', release);
      stream.once('error', release);
      destroyWhenStalled(stream, stallTimeoutMs);
      return { stream };
    } catch (err) {
      release();
      throw err;
    }
  }
}

/**
 * Destroys `stream` once its reader has held it paused (backpressure: the client stopped reading)
 * for `timeoutMs`. A slow query that has produced nothing yet is not paused, so it is not cut.
 */
function destroyWhenStalled(stream: Readable, timeoutMs: number): void {
  let pausedAt: number | undefined;
  stream.on('pause', () => (pausedAt ??= Date.now()));
  stream.on('resume', () => (pausedAt = undefined));
  const timer = setInterval(
    () => {
      if (pausedAt !== undefined && Date.now() - pausedAt >= timeoutMs)
        stream.destroy(new Error(`the client stopped reading the export for ${timeoutMs} ms`));
    },
    Math.min(1000, Math.max(50, Math.floor(timeoutMs / 4))),
  );
  timer.unref();
  stream.once('close', () => clearInterval(timer));
}

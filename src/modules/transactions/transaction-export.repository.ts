import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { AppConfig } from '../../config/app-config.js';
import { TransactionsRepository } from './transactions.repository.js';

/** Advisory-lock class of "an export of merchant N is running" (two-key form: never meets the one-key locks). */
const EXPORT_LOCK_CLASS = 0x45585054; // 'EXPT'

/**
 * The exports' own connections, apart from the API's pool: at most `EXPORT_MAX_CONCURRENT` at once,
 * each with PostgreSQL's own `statement_timeout`, set at connect time and again inside each export's
 * transaction (PgBouncer does not pass the connect-time one on). However many exports are
 * asked for and however slowly their clients read, the API's connections are never theirs.
 */
@Injectable()
export class ExportPool implements OnModuleDestroy {
  private readonly pool: pg.Pool;
  readonly statementTimeoutMs: number;
  private active = 0;
  private readonly streams = new Set<Readable>();

  constructor(private readonly config: AppConfig) {
    this.statementTimeoutMs = config.exportStatementTimeoutMs;
    this.pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.exportMaxConcurrent,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 10_000,
      maxLifetimeSeconds: config.dbPoolMaxLifetimeSeconds,
      statement_timeout: config.exportStatementTimeoutMs,
      application_name: 'graminstore-export',
    });
    // An idle connection dropped by the server (a restart) must not crash the process.
    this.pool.on('error', () => undefined);
  }

  /** A connection for one export, or undefined at once when the cap is reached (never queues). */
  async tryConnect(): Promise<pg.PoolClient | undefined> {
    if (this.active >= this.config.exportMaxConcurrent) return undefined;
    this.active += 1;
    try {
      return await this.pool.connect();
    } catch (err) {
      this.active -= 1;
      throw err;
    }
  }

  /** Closes the connection (its open transaction, advisory lock and any half-read COPY go with it). */
  release(client: pg.PoolClient): void {
    this.active -= 1;
    client.release(true);
  }

  /** Streams still running are cut at shutdown, so closing never waits on a slow reader. */
  track(stream: Readable): void {
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
  }

  async onModuleDestroy(): Promise<void> {
    for (const stream of this.streams) stream.destroy();
    await this.pool.end();
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
    let client: pg.PoolClient | undefined;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.running.delete(merchantId);
      if (client) this.pool.release(client);
    };
    try {
      client = await this.pool.tryConnect();
      if (!client) {
        release();
        return { refused: 'exports-busy' };
      }
      // One transaction holds the timeout, the lock and the COPY; it ends when the connection closes.
      await client.query('BEGIN READ ONLY');
      await client.query(`SELECT set_config('statement_timeout', $1, true)`, [
        String(this.pool.statementTimeoutMs),
      ]);
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [
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
      const stream = client.query(copyTo(sql));
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

import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { poolOf, queryPool, runQuery, withClient } from './pg-direct.js';
import { ReadReplicas } from './read-replicas.js';

/** Where the current transaction's statements go: its pooled connection, or a joined manager's. */
interface Session {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same contract as DataSource.query
  query(sql: string, params?: unknown[]): Promise<any>;
}

/**
 * The database as repositories see it: inside {@link transaction} every query joins the caller's
 * transaction, found through AsyncLocalStorage, so no method takes a manager parameter; outside one,
 * queries go to the pool. Only code that opens a transaction pays for the context (no per-request
 * middleware).
 *
 * Statements run on TypeORM's own pg pool (its size, connection lifetime, statement timeout and
 * application name), directly rather than through a TypeORM query runner per call: the same rows
 * and the same errors (`QueryFailedError` around PostgreSQL's), at about two thirds of the CPU.
 * A transaction is `START TRANSACTION` … `COMMIT` on one pooled connection, held in the context, so
 * `SET LOCAL` and `pg_advisory_xact_lock` last exactly as long as it (PgBouncer transaction mode).
 */
@Injectable()
export class TransactionalConnection {
  private readonly current = new AsyncLocalStorage<Session>();

  constructor(
    @InjectDataSource() readonly dataSource: DataSource,
    @Optional() private readonly replicas?: ReadReplicas,
  ) {}

  /** Whether the caller runs inside {@link transaction} (or {@link join}). */
  get inTransaction(): boolean {
    return this.current.getStore() !== undefined;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<T = any>(sql: string, params?: unknown[]): Promise<T> {
    const session = this.current.getStore();
    return session ? session.query(sql, params) : queryPool(this.primary(), sql, params);
  }

  /**
   * A read that may be served by a replica (dashboards, history, analytics): inside a transaction it
   * joins the transaction like {@link query}; outside one, {@link ReadReplicas} picks a replica that has
   * the caller's own writes, or the primary.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  read<T = any>(sql: string, params?: unknown[]): Promise<T> {
    if (this.inTransaction || !this.replicas?.enabled) return this.query(sql, params);
    return this.replicas.query(sql, params) as Promise<T>;
  }

  /**
   * Runs `work` with `manager` (a transaction opened with `dataSource.transaction`) as the current
   * transaction, so repositories called from it join that transaction.
   */
  join<T>(manager: EntityManager, work: () => Promise<T>): Promise<T> {
    return this.current.run({ query: (sql, params) => manager.query(sql, params) }, work);
  }

  /**
   * Runs `work` in one database transaction; repositories called from it use that transaction. A
   * nested call joins the outer transaction (one commit, one rollback).
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return work();
    return withClient(this.primary(), async (client, discard) => {
      await runQuery(client, 'START TRANSACTION');
      try {
        const result = await this.current.run(
          { query: (sql, params) => runQuery(client, sql, params) },
          work,
        );
        await runQuery(client, 'COMMIT');
        return result;
      } catch (err) {
        // The caller gets the original error even when the rollback fails too (as with TypeORM);
        // a connection that cannot roll back is closed rather than reused.
        await runQuery(client, 'ROLLBACK').catch(discard);
        throw err;
      }
    });
  }

  private primary(): pg.Pool {
    const pool = poolOf(this.dataSource);
    if (!pool) throw new Error('The database connection is not initialised');
    return pool;
  }
}

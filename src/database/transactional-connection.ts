import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { ReadReplicas } from './read-replicas.js';

/**
 * The database as repositories see it: inside {@link transaction} every query joins the caller's
 * transaction, found through AsyncLocalStorage, so no method takes a manager parameter; outside one,
 * queries go to the pool. Only code that opens a transaction pays for the context (no per-request
 * middleware).
 */
@Injectable()
export class TransactionalConnection {
  private readonly current = new AsyncLocalStorage<EntityManager>();

  constructor(
    @InjectDataSource() readonly dataSource: DataSource,
    @Optional() private readonly replicas?: ReadReplicas,
  ) {}

  /** The current transaction's manager, or the pool's. */
  get manager(): EntityManager {
    return this.current.getStore() ?? this.dataSource.manager;
  }

  /** Whether the caller runs inside {@link transaction}. */
  get inTransaction(): boolean {
    return this.current.getStore() !== undefined;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<T = any>(sql: string, params?: unknown[]): Promise<T> {
    return this.manager.query(sql, params);
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
    return this.current.run(manager, work);
  }

  /**
   * Runs `work` in one database transaction; repositories called from it use that transaction. A
   * nested call joins the outer transaction (one commit, one rollback).
   */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return work();
    return this.dataSource.transaction((manager) => this.current.run(manager, work));
  }
}

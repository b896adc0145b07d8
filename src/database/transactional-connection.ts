import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The database as repositories see it: inside {@link transaction} every query joins the caller's
 * transaction, found through AsyncLocalStorage, so no method takes a manager parameter; outside one,
 * queries go to the pool. Only code that opens a transaction pays for the context (no per-request
 * middleware).
 */
@Injectable()
export class TransactionalConnection {
  private readonly current = new AsyncLocalStorage<EntityManager>();

  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

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

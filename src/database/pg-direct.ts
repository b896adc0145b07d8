import type pg from 'pg';
import { QueryFailedError, type DataSource } from 'typeorm';

/**
 * The pg pool TypeORM opened for `dataSource` (its size, connection lifetime, timeouts and
 * application name are the ones of {@link dataSourceOptions}); undefined before it is initialised.
 */
export function poolOf(dataSource: DataSource): pg.Pool | undefined {
  return (dataSource.driver as unknown as { master?: pg.Pool }).master;
}

/**
 * Runs `work` on one connection of `pool`, then gives it back; a connection that failed while
 * checked out (its `error` event), or that `work` discards, is closed, never handed to the next caller.
 */
export async function withClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, discard: (reason: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken ??= err);
  client.on('error', onError);
  try {
    return await work(client, onError);
  } catch (err) {
    // pg throws this when the connection died with no `error` event yet: close it too.
    if (!(client as unknown as { _queryable?: boolean })._queryable) broken ??= err as Error;
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/**
 * One statement on any free connection of `pool`, as `DataSource.query` runs it: the connection goes
 * back to the pool after a failed statement (pg's own `Pool.query` would close it, and the next
 * caller would pay for a new backend).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same contract as DataSource.query
export function queryPool(pool: pg.Pool, sql: string, params?: unknown[]): Promise<any> {
  return withClient(pool, (client) => runQuery(client, sql, params));
}

/**
 * Runs one statement as `DataSource.query` does, without its per-call query runner: the same result
 * shape (the rows; `[rows, rowCount]` for UPDATE and DELETE; nothing for a multi-statement text) and the same error (PostgreSQL's, wrapped in TypeORM's `QueryFailedError`),
 * so callers and the problem filter cannot tell the two paths apart.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same contract as DataSource.query
export async function runQuery(on: pg.ClientBase, sql: string, params?: unknown[]): Promise<any> {
  let raw: pg.QueryResult | pg.QueryResult[];
  try {
    raw = await on.query(sql, params);
  } catch (err) {
    throw new QueryFailedError(sql, params, err as Error);
  }
  // A multi-statement text gives an array of results, where TypeORM's `raw.rows` reads undefined.
  if (Array.isArray(raw)) return undefined;
  return raw.command === 'UPDATE' || raw.command === 'DELETE' ? [raw.rows, raw.rowCount] : raw.rows;
}

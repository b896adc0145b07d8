import type pg from 'pg';
import { QueryFailedError, type DataSource } from 'typeorm';

/** Whatever a query can run on: the pool (any free connection) or one pooled connection. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/**
 * The pg pool TypeORM opened for `dataSource` (its size, connection lifetime, timeouts and
 * application name are the ones of {@link dataSourceOptions}); undefined before it is initialised.
 */
export function poolOf(dataSource: DataSource): pg.Pool | undefined {
  return (dataSource.driver as unknown as { master?: pg.Pool }).master;
}

/**
 * Runs one statement as `DataSource.query` does, without its per-call query runner: the same result
 * shape (the rows; `[rows, rowCount]` for UPDATE and DELETE; nothing for a multi-statement text) and the same error (PostgreSQL's, wrapped in TypeORM's `QueryFailedError`),
 * so callers and the problem filter cannot tell the two paths apart.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same contract as DataSource.query
export async function runQuery(on: Queryable, sql: string, params?: unknown[]): Promise<any> {
  let raw: pg.QueryResult | pg.QueryResult[];
  try {
    raw = await (on as pg.Pool).query(sql, params);
  } catch (err) {
    throw new QueryFailedError(sql, params, err as Error);
  }
  // A multi-statement text gives an array of results, where TypeORM's `raw.rows` reads undefined.
  if (Array.isArray(raw)) return undefined;
  return raw.command === 'UPDATE' || raw.command === 'DELETE' ? [raw.rows, raw.rowCount] : raw.rows;
}

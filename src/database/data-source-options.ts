import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations.js';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Seconds a pooled connection lives before it is closed and replaced; 0: forever. */
  maxLifetimeSeconds?: number;
  /** Times a pooled connection is handed out before it is closed and replaced; 0: no limit. */
  maxUses?: number;
}

/**
 * A PostgreSQL backend keeps its catalogue and plan caches for every table it has touched and never
 * gives them back; with a table per merchant, a long-lived connection grows without bound. Replacing
 * connections after a while caps that (PgBouncer's `server_lifetime` does the same on its side).
 */
export const DEFAULT_MAX_LIFETIME_SECONDS = 600;

/**
 * The lifetime bounds that memory in time; this bounds it in size. Most uses of a connection touch at
 * most one merchant's table, so a connection handed out 250 times has cached at most about 250 of
 * them (about 100 KiB each: 25 MiB over its shared tables' caches), however many merchants there are
 * and however busy the instance. The cost: each replaced backend connects, plans and compiles its
 * triggers afresh, and a create takes several uses; the create benchmark lost about a quarter of its
 * throughput to it (README, "Connection lifetime"). Set DB_POOL_MAX_USES for the number of shops.
 */
export const DEFAULT_MAX_USES = 250;

/** The one description of the database, shared by the app, the TypeORM CLI, seeds and tests. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: settings.poolSize ?? 20,
      // Fail fast when the database is away, so callers get a 503 instead of hanging.
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30000,
      maxLifetimeSeconds: settings.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS,
      // pg-pool reads 0 as no limit.
      maxUses: settings.maxUses ?? DEFAULT_MAX_USES,
      // Server-side: PostgreSQL cancels a runaway statement itself (exports lift it for their session).
      statement_timeout: 30000,
      application_name: settings.applicationName ?? 'graminstore',
    },
  };
}

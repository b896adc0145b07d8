import type pg from 'pg';
import type { DataSource, DataSourceOptions } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { ENTITIES } from './entities.js';
import { capMerchantTables, MerchantTablesClient } from './merchant-table-cap.js';
import { MIGRATIONS } from './migrations.js';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Seconds a pooled connection lives before it is closed and replaced; 0: forever. */
  maxLifetimeSeconds?: number;
  /** Merchant tables a pooled connection may touch before it is replaced when handed back; 0: no limit. */
  maxMerchantTables?: number;
}

/**
 * A PostgreSQL backend keeps its catalogue and plan caches for every table it has touched and never
 * gives them back; with a table per merchant, a long-lived connection grows without bound. Replacing
 * connections after a while caps that (PgBouncer's `server_lifetime` does the same on its side).
 */
export const DEFAULT_MAX_LIFETIME_SECONDS = 600;

/**
 * The lifetime bounds that memory in time; this bounds it in size: a connection that has touched 250
 * merchant tables (about 100 KiB each: 25 MiB over its shared tables' caches) is replaced when it is
 * handed back ({@link capMerchantTables}). Counting tables rather than uses costs an instance serving a
 * few hundred shops nothing: its connections stay warm (README, "Connection lifetime").
 */
export const DEFAULT_MAX_MERCHANT_TABLES = 250;

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
      // Connections that count the merchant tables they touch, replaced past this many of them
      // (read by `initializeWithPoolCaps`; pg ignores it).
      Client: MerchantTablesClient,
      maxMerchantTables: settings.maxMerchantTables ?? DEFAULT_MAX_MERCHANT_TABLES,
      // Server-side: PostgreSQL cancels a runaway statement itself (exports lift it for their session).
      statement_timeout: 30000,
      application_name: settings.applicationName ?? 'graminstore',
    },
  };
}

/** The pg pool under a TypeORM PostgreSQL data source. */
function poolOf(dataSource: DataSource): pg.Pool {
  return (dataSource.driver as PostgresDriver).master as pg.Pool;
}

/**
 * Initialises a data source of {@link dataSourceOptions} with its pool's cap on merchant tables per
 * connection (`maxMerchantTables`). Without it the connections only count.
 */
export async function initializeWithPoolCaps(dataSource: DataSource): Promise<DataSource> {
  await dataSource.initialize();
  const extra = (dataSource.options as { extra?: { maxMerchantTables?: number } }).extra;
  capMerchantTables(poolOf(dataSource), extra?.maxMerchantTables ?? DEFAULT_MAX_MERCHANT_TABLES);
  return dataSource;
}

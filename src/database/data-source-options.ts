import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations.js';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

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
      // Server-side: PostgreSQL cancels a runaway statement itself (exports lift it for their session).
      statement_timeout: 30000,
      application_name: settings.applicationName ?? 'graminstore',
    },
  };
}

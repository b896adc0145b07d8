import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

/**
 * The data source for the TypeORM CLI (`npm run migration:generate`): it needs DATABASE_URL.
 * `npm run migration:run` / `migration:revert` go through `migrate.ts`, which also works embedded.
 */
export default new DataSource(dataSourceOptions({ url: process.env.DATABASE_URL ?? '', poolSize: 2 }));

// Native ESM (Jest imports it outside the test transform): it uses the compiled launcher and migrations,
// which `npm test` builds first.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../dist/src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../../dist/src/database/embedded-postgres.js';
import { MerchantTableMigrator } from '../../dist/src/modules/transactions/merchant-table-migrator.js';

export const TEMPLATE_DB = 'graminstore_test_template';

/**
 * Starts one PostgreSQL for the whole run (embedded, or the server in TEST_DATABASE_URL), migrates a
 * template database once, and tells the test files where it is: each file clones its own database.
 */
export default async function globalSetup() {
  // Several projects (e2e, medium) share one server: the first to start it sets it up.
  globalThis.__GS_SETUP_USERS__ = (globalThis.__GS_SETUP_USERS__ ?? 0) + 1;
  if (globalThis.__GS_SETUP_USERS__ > 1) return;
  let adminUrl;
  if (process.env.TEST_DATABASE_URL) {
    const url = new URL(process.env.TEST_DATABASE_URL);
    url.pathname = '/postgres';
    adminUrl = url.toString();
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'graminstore-test-pg-'));
    globalThis.__GS_EMBEDDED__ = await startEmbeddedPostgres({
      dir,
      persistent: false,
      fast: true,
      database: 'postgres',
    });
    adminUrl = globalThis.__GS_EMBEDDED__.adminUrl;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Leftovers of an earlier interrupted run on a shared server.
    const { rows } = await admin.query(
      `SELECT datname FROM pg_database WHERE datname LIKE 'graminstore_test_%'`,
    );
    for (const { datname } of rows)
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  const dataSource = new DataSource(dataSourceOptions({ url: templateUrl.toString(), poolSize: 1 }));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  // The template of merchant tables at the current version, as `npm run migration:run` leaves it.
  await new MerchantTableMigrator(dataSource).run();
  await dataSource.destroy();
  process.env.GS_TEST_ADMIN_URL = adminUrl;
  process.env.GS_TEST_TEMPLATE_DB = TEMPLATE_DB;
}

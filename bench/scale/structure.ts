/**
 * The only part of the scale benchmark that knows how the per-merchant tables are laid out: growing the
 * database by N merchants (bulk provisioning and their sales, through the app's own bulk loader and
 * TransactionTableFactory), the schema migration that reaches every merchant's table, and the SQL of a
 * one-merchant probe. Everything else in bench/scale goes through the running API or plain catalog SQL.
 *
 * Two layouts are recognised from the catalog: `partitions` (every `transaction_<id>` is a LIST
 * partition of `transactions`; a migration alters the parent) and `standalone` (standalone tables made
 * from a template, each altered by the app's per-merchant-table migration runner).
 */
import pg from 'pg';
import { DataSource } from 'typeorm';
import { bulkLoad } from '../../seeds/bulk-load.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { TransactionTableFactory } from '../../src/modules/transactions/transaction-table.factory.js';

export type Layout = 'partitions' | 'standalone';

/** Sales per merchant, as in the measured table. */
export const SALES_PER_MERCHANT = 20;

export async function layout(pool: pg.Pool): Promise<Layout> {
  const { rows } = await pool.query<{ relkind: string }>(
    `SELECT relkind FROM pg_class WHERE oid = to_regclass('public.transactions')`,
  );
  return rows[0]?.relkind === 'p' ? 'partitions' : 'standalone';
}

export interface Grown {
  /** The new merchants' ids, first..first+count-1. */
  first: number;
  count: number;
  /** Milliseconds: creating the merchants' tables, and everything. */
  provisionMs: number;
  totalMs: number;
}

/**
 * Adds `merchants` merchants with their tables, half as many customers, and 20 sales per merchant on
 * average (paid and on account, registered and walk-in), by COPY. The bulk loader provisions every
 * table through TransactionTableFactory, so the tables are exactly what registration creates.
 */
export async function grow(pool: pg.Pool, merchants: number, seed: number): Promise<Grown> {
  const loaded = await bulkLoad(pool, {
    merchants,
    users: Math.max(10, Math.floor(merchants / 2)),
    transactions: merchants * SALES_PER_MERCHANT,
    seed,
    progress: false,
  });
  return {
    first: loaded.merchants.first!,
    count: loaded.merchants.count,
    provisionMs: loaded.ms.provision,
    totalMs: loaded.ms.total,
  };
}

/**
 * The schema migration under test: a nullable column added to every merchant's table. With
 * partitions one ALTER on the parent reaches them all (and holds its lock on every partition until it
 * commits); standalone tables are altered one by one by the app's per-merchant-table migrator, given
 * one more migration version.
 */
export async function addColumnEverywhere(url: string, column: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(column)) throw new TypeError(`Refusing column name ${column}`);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    if ((await layout(pool)) === 'partitions') {
      await pool.query(`ALTER TABLE transactions ADD COLUMN ${column} text`);
      return;
    }
  } finally {
    await pool.end();
  }
  await migrateStandaloneTables(url, column);
}

/** What the harness uses of the per-merchant-table migrator (src/modules/transactions). */
interface MerchantTableMigration {
  version: number;
  description: string;
  template: readonly string[];
  table: (table: string) => readonly string[];
}
interface MigratorModule {
  MerchantTableMigrator: new (
    dataSource: DataSource,
    options: { migrations: readonly MerchantTableMigration[] },
  ) => { run(): Promise<{ failed: { merchantId: number; error: string }[] }> };
}
interface MigrationsModule {
  MERCHANT_TABLE_MIGRATIONS: readonly MerchantTableMigration[];
}

/** The migrator's connections name themselves so, apart from the API's (`graminstore`). */
const MIGRATOR_APPLICATION = 'graminstore-migrate';

/** The probe migrations added so far in this run (each size adds one version on top of the app's). */
const probes: MerchantTableMigration[] = [];

async function migrateStandaloneTables(url: string, column: string): Promise<void> {
  // Resolved at run time, so that the harness builds and runs on either layout.
  const dir = new URL('../../src/modules/transactions/', import.meta.url);
  let migrator: MigratorModule;
  let released: MigrationsModule;
  try {
    migrator = (await import(new URL('merchant-table-migrator.js', dir).href)) as MigratorModule;
    released = (await import(new URL('merchant-table-migrations.js', dir).href)) as MigrationsModule;
  } catch {
    throw new NotBuilt('the per-merchant-table migration runner');
  }
  const versions = [...released.MERCHANT_TABLE_MIGRATIONS, ...probes].map((m) => m.version);
  probes.push({
    version: Math.max(1, ...versions) + 1,
    description: `scale benchmark: column ${column}`,
    template: [`ALTER TABLE transaction_template ADD COLUMN ${column} text`],
    table: (table) => [`ALTER TABLE ${table} ADD COLUMN ${column} text`],
  });
  const dataSource = new DataSource(
    dataSourceOptions({ url, poolSize: 5, applicationName: MIGRATOR_APPLICATION }),
  );
  await dataSource.initialize();
  try {
    const migrations = [...released.MERCHANT_TABLE_MIGRATIONS, ...probes];
    const report = await new migrator.MerchantTableMigrator(dataSource, { migrations }).run();
    if (report.failed.length)
      throw new Error(
        `${report.failed.length} merchant tables failed, e.g. ${report.failed[0].merchantId}: ${report.failed[0].error}`,
      );
  } finally {
    await dataSource.destroy();
  }
}

/** A one-merchant query as the API runs it (the merchant's newest sales), for cold-plan probes. */
export function oneMerchantQuery(merchantId: number): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT id, amount_paise, status FROM ${TransactionTableFactory.quotedTableName(merchantId)}
           ORDER BY occurred_at DESC, id DESC LIMIT 20`,
    params: [],
  };
}

/** A measurement whose code path does not exist in this version of the app. */
export class NotBuilt extends Error {
  constructor(what: string) {
    super(`${what} is not built`);
  }
}

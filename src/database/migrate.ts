import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config.js';
import { MerchantTableMigrator } from '../modules/transactions/merchant-table-migrator.js';
import { dataSourceOptions } from './data-source-options.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { migrateJobQueue } from './job-queue.js';

/**
 * `npm run migration:run` and `npm run migration:revert`: against DATABASE_URL, or against the
 * embedded development database when none is set. `run` applies the TypeORM migrations, then brings
 * every merchant table to the current version.
 */
async function main(): Promise<void> {
  const command = process.argv[2] ?? 'run';
  if (!['run', 'revert', 'show'].includes(command))
    throw new Error(`Unknown command ${command}: use run, revert or show.`);
  const config = loadConfig(process.env);
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dir: config.embeddedPgDir });
  const dataSource = new DataSource(
    dataSourceOptions({
      url: config.databaseUrl ?? embedded!.url,
      poolSize: 5,
      applicationName: 'graminstore-migrate',
    }),
  );
  try {
    await dataSource.initialize();
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(
        applied.length ? `Applied: ${applied.map((m) => m.name).join(', ')}` : 'No pending migrations.',
      );
      // Then every merchant table, table by table (see merchant-table-migrator.ts).
      const report = await new MerchantTableMigrator(dataSource).run();
      console.log(
        `Merchant tables at version ${report.version}: ${report.migrated.length} migrated, ${report.failed.length} failed.`,
      );
      for (const f of report.failed) console.error(`transaction_${f.merchantId}: ${f.error}`);
      if (report.failed.length) process.exitCode = 1;
      // The job queue's schema follows the installed pg-boss version.
      await migrateJobQueue(config.databaseUrl ?? embedded!.url);
      console.log('Job queue schema up to date.');
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('Reverted the last migration.');
    } else {
      const pending = await dataSource.showMigrations();
      console.log(pending ? 'There are pending migrations.' : 'The database is up to date.');
    }
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

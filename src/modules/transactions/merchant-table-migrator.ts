import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { pgErrorFields } from '../../common/errors/pg-error.js';
import { merchantTable } from './transaction-table.factory.js';
import {
  latestVersion,
  MERCHANT_TABLE_MIGRATIONS,
  type MerchantTableMigration,
} from './merchant-table-migrations.js';

export interface MigratorReport {
  version: number;
  migrated: number[];
  failed: { merchantId: number; error: string }[];
}

export interface MigratorOptions {
  /**
   * Per table: how long a statement may wait for a lock before the attempt is given up (default
   * 200 ms). A shop's sale that arrives meanwhile queues behind the waiting ALTER, so this bounds how
   * long a migration can stall that shop (the scale benchmark's goal is under 1 s).
   */
  lockTimeoutMs?: number;
  /** Attempts per table before it is reported as failed (default 20, with a growing pause). */
  attempts?: number;
  /**
   * Tables migrated at once (default 4; each holds one pooled connection). Tables are independent,
   * so this only shortens the run; every table still takes its lock alone and briefly.
   */
  concurrency?: number;
  migrations?: readonly MerchantTableMigration[];
}

const BATCH = 100;

/**
 * Brings every merchant table to the current version (merchant-table-migrations.ts): the template
 * first, then table by table, each in its own short transaction with a short lock_timeout (so a
 * merchant's writes never wait long behind it) and a few retries. Each table's version is updated in
 * the same transaction as its DDL, so a run that stops midway resumes where it stopped. Failures are
 * reported per table; the others go on.
 */
export class MerchantTableMigrator {
  private readonly logger = new Logger(MerchantTableMigrator.name);
  private readonly migrations: readonly MerchantTableMigration[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: MigratorOptions = {},
  ) {
    this.migrations = [...(options.migrations ?? MERCHANT_TABLE_MIGRATIONS)].sort(
      (a, b) => a.version - b.version,
    );
  }

  get version(): number {
    return latestVersion(this.migrations);
  }

  /** How many merchant tables (or the template) are behind the current version. */
  async behind(): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM merchant_tables WHERE version < $1`,
      [this.version],
    );
    return row.n;
  }

  async run(): Promise<MigratorReport> {
    const report: MigratorReport = { version: this.version, migrated: [], failed: [] };
    await this.migrate(0);
    const workers = Math.max(1, this.options.concurrency ?? 4);
    let after = 0;
    for (;;) {
      const rows: { merchant_id: number }[] = await this.dataSource.query(
        `SELECT merchant_id FROM merchant_tables WHERE merchant_id > $1 AND version < $2
          ORDER BY merchant_id LIMIT ${BATCH}`,
        [after, this.version],
      );
      if (!rows.length) break;
      after = rows[rows.length - 1].merchant_id;
      const queue = rows.map((r) => r.merchant_id);
      const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          try {
            await this.migrate(id);
            report.migrated.push(id);
          } catch (err) {
            report.failed.push({ merchantId: id, error: String(err) });
            this.logger.warn({ msg: 'merchant table migration failed', merchantId: id, err: String(err) });
          }
        }
      };
      await Promise.all(Array.from({ length: workers }, worker));
    }
    report.migrated.sort((a, b) => a - b);
    return report;
  }

  /** One table (0: the template) to the current version, retried when a lock is not granted in time. */
  private async migrate(merchantId: number): Promise<void> {
    const attempts = this.options.attempts ?? 20;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.dataSource.transaction(async (manager) => {
          await manager.query(
            `SET LOCAL lock_timeout = '${Math.round(this.options.lockTimeoutMs ?? 200)}ms'`,
          );
          // The DDL and the table's version commit together, so a commit lost in a crash is a table
          // still at its old version, migrated again on the next run: no need to wait for the disk.
          await manager.query(`SET LOCAL synchronous_commit = off`);
          const [row]: { version: number }[] = await manager.query(
            `SELECT version FROM merchant_tables WHERE merchant_id = $1 FOR UPDATE`,
            [merchantId],
          );
          if (!row) return;
          const table = merchantId === 0 ? 'transaction_template' : merchantTable(merchantId);
          for (const m of this.migrations) {
            if (m.version <= row.version) continue;
            for (const sql of merchantId === 0 ? m.template : m.table(table)) await manager.query(sql);
          }
          await manager.query(
            `UPDATE merchant_tables SET version = $2, updated_at = now() WHERE merchant_id = $1`,
            [merchantId, this.version],
          );
        });
        return;
      } catch (err) {
        if (pgErrorFields(err).code !== '55P03' || attempt >= attempts) throw err;
        await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 1000)));
      }
    }
  }
}

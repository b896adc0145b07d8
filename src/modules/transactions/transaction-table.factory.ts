import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MERCHANT_TABLE_TRIGGERS_V1 } from '../../../migrations/1796200000000-StandaloneMerchantTables.js';

/** One advisory-lock key for all provisioning, so two registrations never race on the bookkeeping. */
const PROVISION_LOCK_KEY = 0x67_73_70_72; // 'gspr'

/** The id, once the name builder has accepted it. */
function checkedId(merchantId: number): number {
  TransactionTableFactory.tableName(merchantId);
  return merchantId;
}

/** The quoted name of the merchant's table, for the transactions module's SQL only. */
export const merchantTable = (merchantId: number): string =>
  TransactionTableFactory.quotedTableName(merchantId);

/**
 * Provisions and drops the per-merchant tables `transaction_<merchant_id>`. Each is a standalone
 * table created from `transaction_template` (no partition parent, no foreign keys), with the row
 * triggers that keep the rollups and `transaction_index`, and its schema version recorded in
 * `merchant_tables` (see MerchantTableMigrator). Creating one touches no other merchant's table.
 * The name is built only from a checked positive integer and then quoted: never from text.
 */
@Injectable()
export class TransactionTableFactory {
  /** `transaction_<id>`, for a positive safe integer id; anything else throws. */
  static tableName(merchantId: number): string {
    if (!Number.isSafeInteger(merchantId) || merchantId <= 0)
      throw new TypeError(`Refusing a merchant table name for id ${String(merchantId)}`);
    return `transaction_${merchantId}`;
  }

  /** The quoted identifier, safe to place in SQL text. */
  static quotedTableName(merchantId: number): string {
    return `"${TransactionTableFactory.tableName(merchantId)}"`;
  }

  /** COPY into the merchant's table (bulk loading), for these columns (names from code only). */
  static copyInto(merchantId: number, columns: readonly string[]): string {
    for (const c of columns) if (!/^[a-z_]+$/.test(c)) throw new TypeError(`Refusing column ${c}`);
    return `COPY ${merchantTable(merchantId)} (${columns.join(', ')}) FROM STDIN`;
  }

  /** Creates the merchant's table inside the caller's transaction, so a merchant never exists without it. */
  async provision(manager: EntityManager, merchantId: number): Promise<void> {
    await this.provisionMany(manager, [merchantId]);
  }

  /**
   * Creates the tables of several merchants in the caller's transaction, one round trip per batch
   * (the bulk loader and the scale benchmark). Tables that exist already are left alone.
   */
  async provisionMany(manager: EntityManager, merchantIds: readonly number[]): Promise<void> {
    await this.lock(manager);
    const existing: { merchant_id: number }[] = await manager.query(
      `SELECT merchant_id FROM merchant_tables WHERE merchant_id = ANY($1::int[])`,
      [merchantIds.map(checkedId)],
    );
    const done = new Set(existing.map((r) => r.merchant_id));
    const todo = merchantIds.filter((id) => !done.has(id));
    if (!todo.length) return;
    const statements = todo.flatMap((id) => {
      const table = merchantTable(id);
      return [
        `CREATE TABLE ${table} (LIKE transaction_template INCLUDING ALL)`,
        ...MERCHANT_TABLE_TRIGGERS_V1(table),
      ];
    });
    await manager.query(statements.join(';\n'));
    // Created from the template, so at the template's version (row 0 of merchant_tables).
    await manager.query(
      `INSERT INTO merchant_tables (merchant_id, version)
       SELECT unnest($1::int[]), (SELECT version FROM merchant_tables WHERE merchant_id = 0)`,
      [todo],
    );
  }

  /**
   * Drops the merchant's table inside the caller's transaction (a merchant with no sales being
   * deleted). Gives up rather than queue behind other DDL.
   */
  async drop(manager: EntityManager, merchantId: number): Promise<void> {
    const table = merchantTable(merchantId);
    await manager.query(`SET LOCAL lock_timeout = '5s'`);
    await manager.query(`DROP TABLE IF EXISTS ${table}`);
    await manager.query(`DELETE FROM transaction_index WHERE merchant_id = $1`, [merchantId]);
    await manager.query(`DELETE FROM merchant_tables WHERE merchant_id = $1`, [merchantId]);
  }

  /**
   * Drops every merchant's table (emptying the database for a reseed), in batches so a database with
   * thousands of merchants stays within its lock table.
   */
  async dropAll(manager: EntityManager): Promise<number> {
    const rows: { merchant_id: number }[] = await manager.query(
      `SELECT merchant_id FROM merchant_tables WHERE merchant_id > 0 ORDER BY 1`,
    );
    for (let i = 0; i < rows.length; i += 100) {
      const batch = rows.slice(i, i + 100).map((r) => r.merchant_id);
      // One string of statements runs as one implicit transaction.
      await manager.query(
        `DROP TABLE IF EXISTS ${batch.map(merchantTable).join(', ')};
         DELETE FROM merchant_tables WHERE merchant_id IN (${batch.map(Number).join(', ')});`,
      );
    }
    await manager.query(`TRUNCATE transaction_index`);
    return rows.length;
  }

  /**
   * Writes the index rows of the merchant's sales that lack one (after a bulk load that skipped
   * triggers).
   */
  async backfillIndex(manager: EntityManager, merchantId: number): Promise<void> {
    await manager.query(
      `INSERT INTO transaction_index (merchant_id, id, user_id, guest_user_id, amount_paise, type, status, paid_paise,
                                     seq, occurred_at)
       SELECT merchant_id, id, user_id, guest_user_id, amount_paise, type, status, paid_paise, seq, occurred_at
         FROM ${merchantTable(merchantId)}
       ON CONFLICT (id) DO NOTHING`,
    );
  }

  /**
   * Takes the provisioning lock for the rest of the caller's transaction. Call it before writing the
   * merchant row, so concurrent registrations provision one after another.
   */
  async lock(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock($1)`, [PROVISION_LOCK_KEY]);
    // Never queue for long behind other DDL: fail the registration (it can be retried) instead.
    await manager.query(`SET LOCAL lock_timeout = '10s'`);
  }

  /** Whether the merchant's table exists. */
  async exists(manager: EntityManager, merchantId: number): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM merchant_tables WHERE merchant_id = $1`, [
      checkedId(merchantId),
    ]);
    return rows.length > 0;
  }
}

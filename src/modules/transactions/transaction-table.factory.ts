import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** One advisory-lock key for all provisioning: DDL on the parent serialises anyway, this makes it explicit. */
const PROVISION_LOCK_KEY = 0x67_73_70_72; // 'gspr'

export type ProvisionStrategy = 'attach' | 'partition-of';

/**
 * Owns the per-merchant tables `transaction_<merchant_id>`: each is a LIST partition of the
 * `transactions` parent, so it inherits every column, index, check and foreign key (and every later
 * migration). The name is built only from a checked positive integer and then quoted: never from text.
 */
@Injectable()
export class TransactionTableFactory {
  /**
   * How a new table joins the parent; see {@link provision}. The API always attaches: with
   * 'partition-of', registrations made concurrent sales wait and fail (measured by the benchmark
   * before the option was removed). Only the bulk loader, which owns the database while it
   * runs, uses 'partition-of'.
   */
  strategy: ProvisionStrategy = 'attach';

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

  /**
   * Creates the merchant's table inside the caller's database transaction, so a merchant never exists
   * without it. 'attach' creates a standalone copy (touching only the new table) and attaches it with a
   * SHARE UPDATE EXCLUSIVE lock on the parent, which does not block other merchants' reads and writes;
   * 'partition-of' takes ACCESS EXCLUSIVE on the parent for the rest of the transaction.
   */
  async provision(manager: EntityManager, merchantId: number): Promise<void> {
    const table = TransactionTableFactory.quotedTableName(merchantId);
    const id = Number(merchantId); // already checked by the name builder
    await this.lock(manager);
    if (this.strategy === 'partition-of') {
      await manager.query(
        `CREATE TABLE IF NOT EXISTS ${table} PARTITION OF transactions FOR VALUES IN (${id})`,
      );
      return;
    }
    const exists = await this.exists(manager, merchantId);
    if (exists) return;
    await manager.query(
      `CREATE TABLE ${table} (LIKE transactions INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING STORAGE)`,
    );
    // The partition bound as a CHECK lets ATTACH skip its validation scan.
    await manager.query(
      `ALTER TABLE ${table} ADD CONSTRAINT "${TransactionTableFactory.tableName(merchantId)}_bound" CHECK (merchant_id = ${id})`,
    );
    await manager.query(`ALTER TABLE transactions ATTACH PARTITION ${table} FOR VALUES IN (${id})`);
    await manager.query(
      `ALTER TABLE ${table} DROP CONSTRAINT "${TransactionTableFactory.tableName(merchantId)}_bound"`,
    );
  }

  /**
   * Takes the provisioning lock for the rest of the caller's transaction. Call it before writing the
   * merchant row: the new table's foreign keys need SHARE ROW EXCLUSIVE on `merchants`, so two
   * registrations that each inserted a merchant first would deadlock waiting for one another.
   */
  async lock(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock($1)`, [PROVISION_LOCK_KEY]);
    // Never queue for long behind other DDL: fail the registration (it can be retried) instead.
    await manager.query(`SET LOCAL lock_timeout = '10s'`);
  }

  /** Whether the merchant's table exists and is attached to the parent. */
  async exists(manager: EntityManager, merchantId: number): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'transactions'::regclass AND c.relname = $1`,
      [TransactionTableFactory.tableName(merchantId)],
    );
    return rows.length > 0;
  }
}

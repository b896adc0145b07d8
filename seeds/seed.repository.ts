import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { TransactionalConnection } from '../src/database/transactional-connection.js';
import { TransactionTableFactory } from '../src/modules/transactions/transaction-table.factory.js';
import { TransactionsRepository } from '../src/modules/transactions/transactions.repository.js';

/** Anything that runs a parameterised query and returns rows: a TypeORM DataSource or a pg Pool. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

export function fromDataSource(dataSource: DataSource): Queryable {
  return { query: (sql, params) => dataSource.query(sql, params) };
}

export function fromPool(pool: pg.Pool | pg.PoolClient): Queryable {
  return {
    query: async <R>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as R[],
  };
}

export interface Counts {
  admins: number;
  merchants: number;
  users: number;
  transactions: number;
  guests: number;
  settlements: number;
  customerLinks: number;
}

export interface Backdating {
  merchants: { id: number; createdAt: Date }[];
  users: { id: number; createdAt: Date }[];
  /** The guests created with these sales were created when the sale happened. */
  guestSales: { merchantId: number; transactionId: number }[];
  /** A settled bill's payments happened at these times (in the order they were made). */
  settlements: { merchantId: number; transactionId: number; at: Date[] }[];
}

/**
 * The seeder's SQL (the API has no endpoint for deleting everything or for backdating a payment, and
 * the seeder needs a few read-only look-ups the services do not offer). Values are always bound.
 */
export class SeedRepository {
  /** The merchant tables are read and dropped only through their owner, as the API does. */
  private readonly sales: TransactionsRepository;
  private readonly tables = new TransactionTableFactory();

  constructor(private readonly db: Queryable) {
    this.sales = new TransactionsRepository(db as unknown as TransactionalConnection);
  }

  async counts(): Promise<Counts> {
    const [row] = await this.db.query<Record<keyof Counts, string>>(
      `SELECT (SELECT count(*) FROM admins) AS admins,
              (SELECT count(*) FROM merchants) AS merchants,
              (SELECT count(*) FROM users) AS users,
              (SELECT count(*) FROM guest_users) AS guests,
              (SELECT count(*) FROM settlements) AS settlements,
              (SELECT count(*) FROM customer_merchants) AS "customerLinks"`,
    );
    const counts = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
    return { ...counts, transactions: await this.sales.countAll() } as unknown as Counts;
  }

  /** True when nobody has registered yet: the state in which first start loads the demo data. */
  async isEmpty(): Promise<boolean> {
    const [row] = await this.db.query<{ empty: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM merchants) AND NOT EXISTS (SELECT 1 FROM users) AS empty`,
    );
    return row.empty;
  }

  /** Ids of the merchants with these emails (compared case-insensitively, as registration does). */
  async merchantIds(emails: string[]): Promise<Map<string, number>> {
    const rows = await this.db.query<{ id: number; email: string }>(
      `SELECT id, lower(email) AS email FROM merchants WHERE lower(email) = ANY($1::text[])`,
      [emails.map((e) => e.toLowerCase())],
    );
    return new Map(rows.map((r) => [r.email, r.id]));
  }

  async userIds(emails: string[]): Promise<Map<string, number>> {
    const rows = await this.db.query<{ id: number; email: string }>(
      `SELECT id, lower(email) AS email FROM users WHERE lower(email) = ANY($1::text[])`,
      [emails.map((e) => e.toLowerCase())],
    );
    return new Map(rows.map((r) => [r.email, r.id]));
  }

  /** Which of these offline client ids the merchant already has (the demo sales already recorded). */
  existingClientIds(merchantId: number, clientIds: string[]): Promise<Set<string>> {
    return this.sales.clientIdsOf(merchantId, clientIds);
  }

  /** How many sales the merchant has in total. */
  transactionCount(merchantId: number): Promise<number> {
    return this.sales.countForMerchant(merchantId);
  }

  /**
   * Gives demo records the history they would have had: accounts registered before their first sale,
   * guests created with their sale, and payments made on the day they were made (the API stamps a
   * registration or a payment with the moment it is recorded, which for generated history is "now").
   */
  async backdate(b: Backdating): Promise<void> {
    if (b.merchants.length)
      await this.db.query(
        `UPDATE merchants m SET created_at = v.at, updated_at = v.at
           FROM unnest($1::int[], $2::timestamptz[]) AS v(id, at) WHERE m.id = v.id`,
        [b.merchants.map((m) => m.id), b.merchants.map((m) => m.createdAt)],
      );
    if (b.users.length)
      await this.db.query(
        `UPDATE users u SET created_at = v.at, updated_at = v.at
           FROM unnest($1::int[], $2::timestamptz[]) AS v(id, at) WHERE u.id = v.id`,
        [b.users.map((u) => u.id), b.users.map((u) => u.createdAt)],
      );
    await this.sales.backdateGuestsToSales(b.guestSales);
    const payments = b.settlements.flatMap((s) =>
      s.at.map((at, i) => ({ merchantId: s.merchantId, transactionId: s.transactionId, n: i + 1, at })),
    );
    if (payments.length) {
      // The n-th payment of a bill (in id order) gets the n-th planned time.
      await this.db.query(
        `WITH v AS (SELECT * FROM unnest($1::int[], $2::bigint[], $3::int[], $4::timestamptz[])
                      AS v(merchant_id, transaction_id, n, at)),
              s AS (SELECT id, merchant_id, transaction_id,
                           row_number() OVER (PARTITION BY merchant_id, transaction_id ORDER BY id) AS n
                      FROM settlements
                     WHERE (merchant_id, transaction_id) IN (SELECT merchant_id, transaction_id FROM v))
         UPDATE settlements x SET created_at = v.at
           FROM s JOIN v USING (merchant_id, transaction_id, n) WHERE x.id = s.id`,
        [
          payments.map((p) => p.merchantId),
          payments.map((p) => p.transactionId),
          payments.map((p) => p.n),
          payments.map((p) => p.at),
        ],
      );
      await this.sales.backdateSettledAt(b.settlements);
    }
  }

  /**
   * Recomputes the dashboards' rollups (when the schema has them) for these merchants, and builds the
   * khata accounts of buyers who have none: after bulk
   * loading with triggers skipped, or after backdating payments (rollups count money on the day it was
   * received, and an UPDATE of a payment's time is not a new payment to them). Merchant by merchant,
   * a batch per statement: a rebuild of everything at once would lock every merchant's table in one
   * transaction, more than the lock table holds with thousands of merchants.
   */
  async rebuildRollups(merchantIds: number[], onBatch?: (done: number) => void): Promise<boolean> {
    const [fn] = await this.db.query<{ exists: boolean }>(
      `SELECT to_regprocedure('dashboard_rebuild_rollups(integer)') IS NOT NULL AS exists`,
    );
    if (!fn.exists) return false;
    // The khata's accounts of bulk-loaded sales, when the schema has them.
    const [accounts] = await this.db.query<{ exists: boolean }>(
      `SELECT to_regprocedure('khata_backfill_accounts(integer)') IS NOT NULL AS exists`,
    );
    const khata = accounts.exists;
    for (let i = 0; i < merchantIds.length; i += 50) {
      const batch = merchantIds.slice(i, i + 50);
      await this.db.query(`SELECT dashboard_rebuild_rollups(m) FROM unnest($1::int[]) AS m`, [batch]);
      if (khata)
        await this.db.query(`SELECT khata_backfill_accounts(m) FROM unnest($1::int[]) AS m`, [batch]);
      onBatch?.(batch.length);
    }
    return true;
  }

  /**
   * Empties the application's data for a rebuild: every table except the migrations and the admin
   * panel's own (accounts, sessions, audit log) is truncated and its ids restarted, and every merchant's table is dropped
   * (through TransactionTableFactory; a table referenced by a foreign key, such as settlements, must be
   * emptied before the merchant tables can go).
   */
  async reset(): Promise<void> {
    await this.tables.dropAll(this.db as unknown as EntityManager);
    const tables = await this.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND c.relname NOT IN ('migrations', 'merchant_tables') AND c.relname NOT LIKE 'admin%' ORDER BY 1`,
    );
    if (tables.length)
      await this.db.query(
        `TRUNCATE ${tables.map((t) => pg.escapeIdentifier(t.name)).join(', ')} RESTART IDENTITY CASCADE`,
      );
  }
}

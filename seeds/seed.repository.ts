import pg from 'pg';
import type { DataSource } from 'typeorm';

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
  constructor(private readonly db: Queryable) {}

  async counts(): Promise<Counts> {
    const [row] = await this.db.query<Record<keyof Counts, string>>(
      `SELECT (SELECT count(*) FROM admins) AS admins,
              (SELECT count(*) FROM merchants) AS merchants,
              (SELECT count(*) FROM users) AS users,
              (SELECT count(*) FROM transactions) AS transactions,
              (SELECT count(*) FROM guest_users) AS guests,
              (SELECT count(*) FROM settlements) AS settlements,
              (SELECT count(*) FROM customer_merchants) AS "customerLinks"`,
    );
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as unknown as Counts;
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
  async existingClientIds(merchantId: number, clientIds: string[]): Promise<Set<string>> {
    const rows = await this.db.query<{ client_id: string }>(
      `SELECT client_id::text FROM transactions WHERE merchant_id = $1 AND client_id = ANY($2::uuid[])`,
      [merchantId, clientIds],
    );
    return new Set(rows.map((r) => r.client_id));
  }

  /** How many sales the merchant has in total. */
  async transactionCount(merchantId: number): Promise<number> {
    const [row] = await this.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM transactions WHERE merchant_id = $1`,
      [merchantId],
    );
    return Number(row.n);
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
    if (b.guestSales.length)
      await this.db.query(
        `UPDATE guest_users g SET created_at = t.occurred_at
           FROM unnest($1::int[], $2::bigint[]) AS v(merchant_id, id)
           JOIN transactions t ON t.merchant_id = v.merchant_id AND t.id = v.id
          WHERE g.id = t.guest_user_id`,
        [b.guestSales.map((s) => s.merchantId), b.guestSales.map((s) => s.transactionId)],
      );
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
      await this.db.query(
        `UPDATE transactions t SET settled_at = s.last
           FROM (SELECT merchant_id, transaction_id, max(created_at) AS last FROM settlements
                  WHERE (merchant_id, transaction_id) IN
                        (SELECT * FROM unnest($1::int[], $2::bigint[]))
                  GROUP BY 1, 2) s
          WHERE t.merchant_id = s.merchant_id AND t.id = s.transaction_id AND t.status = 'paid'`,
        [b.settlements.map((s) => s.merchantId), b.settlements.map((s) => s.transactionId)],
      );
    }
  }

  /**
   * Recomputes the dashboards' rollups (when the schema has them) for these merchants: after bulk
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
    for (let i = 0; i < merchantIds.length; i += 50) {
      const batch = merchantIds.slice(i, i + 50);
      await this.db.query(`SELECT dashboard_rebuild_rollups(m) FROM unnest($1::int[]) AS m`, [batch]);
      onBatch?.(batch.length);
    }
    return true;
  }

  /**
   * Empties the application's data for a rebuild: every table except the migrations and the admin
   * panel's own (accounts, sessions, audit log) is truncated and its ids restarted, and every merchant's table is detached and dropped
   * (in batches, so that a database with thousands of merchants stays within its lock table; a table
   * referenced by a foreign key, such as settlements, must be emptied before its partitions can go).
   */
  async reset(): Promise<void> {
    const referencing = await this.db.query<{ name: string }>(
      `SELECT DISTINCT c.conrelid::regclass::text AS name FROM pg_constraint c
        WHERE c.contype = 'f' AND c.confrelid = 'transactions'::regclass AND c.conrelid <> 'transactions'::regclass`,
    );
    if (referencing.length)
      await this.db.query(`TRUNCATE ${referencing.map((t) => t.name).join(', ')} RESTART IDENTITY`);
    const partitions = await this.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'transactions'::regclass ORDER BY 1`,
    );
    for (let i = 0; i < partitions.length; i += 100) {
      const batch = partitions.slice(i, i + 100).map((p) => pg.escapeIdentifier(p.name));
      // One string of statements runs as one implicit transaction.
      await this.db.query(
        batch.map((t) => `ALTER TABLE transactions DETACH PARTITION ${t};`).join('\n') +
          `\nDROP TABLE ${batch.join(', ')};`,
      );
    }
    const tables = await this.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND c.relname <> 'migrations' AND c.relname NOT LIKE 'admin%' ORDER BY 1`,
    );
    if (tables.length)
      await this.db.query(
        `TRUNCATE ${tables.map((t) => pg.escapeIdentifier(t.name)).join(', ')} RESTART IDENTITY CASCADE`,
      );
  }
}

import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { MIGRATIONS } from '../../src/database/migrations.js';
import { StandaloneMerchantTables1796200000000 } from '../../migrations/1796200000000-StandaloneMerchantTables.js';
import { createEmptyDatabase, type TestDatabase } from '../support/database.js';
import { allTransactions } from '../support/transactions.js';

/** Runs these migrations against the database, each in its own transaction (as the CLI does). */
async function migrate(url: string, migrations: (typeof MIGRATIONS)[number][]): Promise<void> {
  const dataSource = new DataSource({ ...dataSourceOptions({ url, poolSize: 2 }), migrations });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

describe('converting the partitioned transactions to standalone merchant tables', () => {
  let database: TestDatabase;
  let db: pg.Pool;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    db = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await db.end();
    await database.drop();
  });

  it('keeps every row, total and rollup, and leaves no parent and no foreign key', async () => {
    const index = MIGRATIONS.indexOf(StandaloneMerchantTables1796200000000);
    expect(index).toBeGreaterThan(0);
    await migrate(database.url, MIGRATIONS.slice(0, index));

    // The old shape: three merchants with partitions, sales of customers and guests, a settlement.
    for (const n of [1, 2, 3])
      await db.query(
        `INSERT INTO merchants (id, name, email, phone, password_hash, business_name)
         VALUES ($1::int, 'M' || $2, 'm' || $2 || '@example.com', '+9190000000' || $2, 'x', 'Shop ' || $2)`,
        [n, String(n)],
      );
    for (const n of [1, 2])
      await db.query(
        `INSERT INTO users (id, name, email, phone, password_hash)
         VALUES ($1::int, 'U' || $2, 'u' || $2 || '@example.com', '+9180000000' || $2, 'x')`,
        [n, String(n)],
      );
    for (const n of [1, 2, 3])
      await db.query(`CREATE TABLE transaction_${n} PARTITION OF transactions FOR VALUES IN (${n})`);
    await db.query(
      `INSERT INTO transactions (merchant_id, user_id, amount_paise, type, status, paid_paise, occurred_at)
       SELECT 1 + g % 3, 1 + g % 2, 100 * g + 1, CASE WHEN g % 4 = 0 THEN 'pay_later' ELSE 'paid' END,
              CASE WHEN g % 4 = 0 THEN 'due' ELSE 'paid' END, CASE WHEN g % 4 = 0 THEN 0 ELSE 100 * g + 1 END,
              now() - g * interval '5 hours'
         FROM generate_series(1, 60) g`,
    );
    const [guest] = (
      await db.query<{ id: number }>(`INSERT INTO guest_users (merchant_id) VALUES (2) RETURNING id`)
    ).rows;
    await db.query(
      `WITH t AS (INSERT INTO transactions (merchant_id, guest_user_id, amount_paise, type, status, paid_paise)
                  VALUES (2, $1, 777, 'paid', 'paid', 777) RETURNING id)
       UPDATE guest_users SET transaction_id = (SELECT id FROM t) WHERE id = $1`,
      [guest.id],
    );
    const [bill] = (
      await db.query<{ merchant_id: number; id: string }>(
        `SELECT merchant_id, id FROM transactions WHERE status = 'due' ORDER BY id LIMIT 1`,
      )
    ).rows;
    await db.query(
      `WITH s AS (INSERT INTO settlements (merchant_id, transaction_id, amount_paise, payment_method)
                  VALUES ($1, $2, 50, 'cash'))
       UPDATE transactions SET paid_paise = 50, status = 'partially_paid', seq = nextval('transactions_change_seq')
        WHERE merchant_id = $1 AND id = $2`,
      [bill.merchant_id, bill.id],
    );

    /** `from` names its rows `t`. */
    const snapshot = async (from: string) =>
      (
        await db.query(
          `SELECT merchant_id, count(*)::int AS n, sum(amount_paise)::text AS amount, sum(paid_paise)::text AS paid,
                  array_agg(id ORDER BY id)::text AS ids
             FROM ${from} GROUP BY 1 ORDER BY 1`,
        )
      ).rows;
    const rollups = async () =>
      (
        await db.query(
          `SELECT merchant_id, sum(sales_paise)::text AS sales, sum(due_paise)::text AS due,
                  sum(collected_paise)::text AS collected
             FROM merchant_daily_totals GROUP BY 1 ORDER BY 1`,
        )
      ).rows;
    const before = await snapshot('transactions t');
    const rollupsBefore = await rollups();
    const settlements = (await db.query(`SELECT count(*)::int AS n FROM settlements`)).rows[0].n;
    expect(before.map((r) => r.n)).toEqual([20, 21, 20]);

    await migrate(database.url, MIGRATIONS);

    expect((await db.query(`SELECT to_regclass('transactions') AS t`)).rows[0].t).toBeNull();
    expect(await snapshot(await allTransactions(db, 't'))).toEqual(before);
    expect((await db.query(`SELECT count(*)::int AS n FROM settlements`)).rows[0].n).toBe(settlements);
    const indexed = await db.query(
      `SELECT merchant_id, count(*)::int AS n FROM transaction_index GROUP BY 1 ORDER BY 1`,
    );
    expect(indexed.rows.map((r) => r.n)).toEqual([20, 21, 20]);
    // Each index row carries its sale's status, paid amount and change sequence (filled by
    // CustomerViewsFromIndex1796350000000 for rows written before it), the partly paid bill included.
    const carried = await db.query(
      `SELECT count(*)::int AS n,
              count(*) FILTER (WHERE (i.status, i.paid_paise, i.seq) IS DISTINCT FROM (t.status, t.paid_paise, t.seq))::int AS differ,
              count(*) FILTER (WHERE i.status = 'partially_paid' AND i.paid_paise = 50)::int AS partly_paid
         FROM ${await allTransactions(db, 't')} JOIN transaction_index i ON i.id = t.id`,
    );
    expect(carried.rows[0]).toEqual({ n: 61, differ: 0, partly_paid: 1 });
    const versions = await db.query(`SELECT merchant_id, version FROM merchant_tables ORDER BY 1`);
    expect(versions.rows).toEqual([0, 1, 2, 3].map((merchant_id) => ({ merchant_id, version: 1 })));
    const fks = await db.query(
      `SELECT count(*)::int AS n FROM pg_constraint
        WHERE contype = 'f' AND (conrelid::regclass::text LIKE 'transaction%' OR confrelid::regclass::text LIKE 'transaction%')`,
    );
    expect(fks.rows[0].n).toBe(0);

    // The rollups are unchanged, and rebuilding them from the standalone tables gives the same.
    expect(await rollups()).toEqual(rollupsBefore);
    await db.query(`SELECT dashboard_rebuild_rollups()`);
    expect(await rollups()).toEqual(rollupsBefore);

    // The triggers moved with the tables: a new sale reaches the rollups and the index.
    await db.query(
      `INSERT INTO transaction_3 (merchant_id, user_id, amount_paise, type, status, paid_paise)
       VALUES (3, 1, 1000, 'paid', 'paid', 1000)`,
    );
    const after = await rollups();
    expect(BigInt(after[2].sales) - BigInt(rollupsBefore[2].sales)).toBe(1000n);
    expect(
      (await db.query(`SELECT count(*)::int AS n FROM transaction_index WHERE merchant_id = 3`)).rows[0].n,
    ).toBe(21);
  });
});

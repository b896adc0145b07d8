import { DataSource } from 'typeorm';
import { dataSourceOptions, initializeWithPoolCaps } from '../../src/database/data-source-options.js';
import { TransactionTableFactory } from '../../src/modules/transactions/transaction-table.factory.js';
import { createTestDatabase } from '../support/database.js';
import { migratedDatabase, type MediumDatabase } from './database.js';

/**
 * The shared schema after every migration, for what makes a cost grow with every merchant
 * (docs/scaling.md): a foreign key with no index (PostgreSQL checks or cascades a delete of a
 * referenced row by looking up the referencing rows by the key's columns, a scan of the whole table
 * without one), and a function whose statements no index can serve.
 */
describe('schema (PostgreSQL)', () => {
  let m: MediumDatabase;

  beforeAll(async () => {
    m = await migratedDatabase();
  });

  afterAll(() => m.close());

  it('has an index led by the columns of every foreign key', async () => {
    // A partial index serves a one-column key when its only condition is that the column is set
    // (the lookup's equality implies it).
    const unindexed: { table: string; key: string }[] = await m.dataSource.query(`
      SELECT c.conrelid::regclass::text AS table, c.conname AS key
        FROM pg_constraint c
       WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
         AND NOT EXISTS (
           SELECT 1 FROM pg_index i
            WHERE i.indrelid = c.conrelid AND i.indisvalid
              AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
              AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey
              AND (i.indpred IS NULL
                   OR (cardinality(c.conkey) = 1
                       AND pg_get_expr(i.indpred, i.indrelid) =
                           format('(%I IS NOT NULL)', (SELECT a.attname FROM pg_attribute a
                                                        WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1])))))
       ORDER BY 1, 2`);
    expect(unindexed).toEqual([]);
    // The check itself sees foreign keys.
    const [keys]: { n: string }[] = await m.dataSource.query(
      `SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`,
    );
    expect(Number(keys.n)).toBeGreaterThan(10);
  });

  it('rebuilds rollups reaching only the merchant’s rollup rows by index, however often a session calls it', async () => {
    const shops: { id: number }[] = await m.dataSource.query(
      `INSERT INTO merchants (name, email, phone, password_hash, business_name)
       SELECT 'R' || i, 'rollup' || i || '@example.com', '+91720000000' || i, 'x', 'Shop ' || i
         FROM generate_series(1, 3) AS i RETURNING id`,
    );
    for (const shop of shops)
      await m.dataSource.transaction((manager) => new TransactionTableFactory().provision(manager, shop.id));
    const tables = ['merchant_daily_totals', 'merchant_outstanding', 'customer_merchant_totals'];
    const scans = async () => {
      const rows: { seq: string; idx: string }[] = await m.dataSource.query(
        `SELECT sum(seq_scan)::text AS seq, sum(coalesce(idx_scan, 0))::text AS idx FROM pg_stat_user_tables
          WHERE relname = ANY ($1)`,
        [tables],
      );
      return { seq: Number(rows[0].seq), idx: Number(rows[0].idx) };
    };
    const before = await scans();
    const runner = m.dataSource.createQueryRunner();
    try {
      // On tables this small a scan is cheapest; with scans priced out, only a condition no index
      // can serve (the generic plan PL/pgSQL keeps after five calls) still scans.
      await runner.query(`SET enable_seqscan = off`);
      for (let i = 0; i < 8; i++)
        await runner.query(`SELECT dashboard_rebuild_rollups($1)`, [shops[i % shops.length].id]);
      await runner.query(`SELECT pg_stat_force_next_flush()`);
      await runner.query(`SELECT 1`);
    } finally {
      await runner.release();
    }
    let after = await scans();
    for (let i = 0; i < 50 && after.idx === before.idx && after.seq === before.seq; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await m.dataSource.query(`SELECT pg_stat_clear_snapshot()`);
      after = await scans();
    }
    expect(after.idx).toBeGreaterThan(before.idx);
    expect(after.seq - before.seq).toBe(0);
  });
});

describe('merchant tables (PostgreSQL)', () => {
  let m: MediumDatabase;

  beforeAll(async () => {
    m = await migratedDatabase();
  });

  afterAll(() => m.close());

  /** A table's non-unique indexes as (columns after the constant merchant_id, predicate). */
  const indexes = async (table: string) =>
    (
      (await m.dataSource.query(
        `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
          WHERE i.indrelid = $1::regclass AND NOT i.indisunique`,
        [table],
      )) as { def: string }[]
    ).map(({ def }) => {
      const [, columns, predicate] = /USING btree \((.*?)\)(?: WHERE (.*))?$/.exec(def)!;
      return { def, columns: columns!.replace(/^merchant_id(, )?/, ''), predicate: predicate ?? '' };
    });

  it('gives each sale no index that another index of the table already makes redundant', async () => {
    const factory = new TransactionTableFactory();
    await m.dataSource.transaction((manager) => factory.provision(manager, 987_654));
    for (const table of ['transaction_template', TransactionTableFactory.tableName(987_654)]) {
      const all = await indexes(table);
      // Redundant: its columns lead another index with the same condition (merchant_id is one value).
      const redundant = all.filter((a) =>
        all.some(
          (b) => b !== a && b.predicate === a.predicate && `${b.columns}, `.startsWith(`${a.columns}, `),
        ),
      );
      expect(redundant.map((r) => r.def)).toEqual([]);
      expect(all.length).toBeGreaterThan(5);
    }
  });
});

describe('connection pool (PostgreSQL)', () => {
  it('replaces a connection once it has touched DB_POOL_MAX_MERCHANT_TABLES merchant tables, and only then', async () => {
    const database = await createTestDatabase();
    const dataSource = await initializeWithPoolCaps(
      new DataSource(dataSourceOptions({ url: database.url, poolSize: 1, maxMerchantTables: 3 })),
    );
    // The statement names a merchant table (here in a literal: the count is of tables named).
    const pidAt = async (merchantId: number) =>
      (
        await dataSource.query(`SELECT pg_backend_pid() AS pid, $1::text AS t`, [
          TransactionTableFactory.tableName(merchantId),
        ])
      )[0].pid as number;
    const pidNaming = async (merchantId: number) =>
      (
        await dataSource.query(
          `SELECT pg_backend_pid() AS pid FROM (SELECT 1) AS ${TransactionTableFactory.quotedTableName(merchantId)}`,
        )
      )[0].pid as number;
    try {
      const first = await pidNaming(1);
      // Many uses over the same two tables keep the connection (and its caches) warm.
      for (let i = 0; i < 20; i++) expect(await pidNaming(1 + (i % 2))).toBe(first);
      expect(await pidAt(7)).toBe(first); // a parameter names no table
      // The third table fills it: it serves that statement, then is replaced when handed back.
      expect(await pidNaming(3)).toBe(first);
      const second = await pidNaming(3);
      expect(second).not.toBe(first);
      expect(await pidNaming(4)).toBe(second);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});

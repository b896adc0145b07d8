import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
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

describe('connection pool (PostgreSQL)', () => {
  it('replaces a connection after DB_POOL_MAX_USES uses, so no backend caches every merchant table', async () => {
    const database = await createTestDatabase();
    const dataSource = new DataSource(dataSourceOptions({ url: database.url, poolSize: 1, maxUses: 3 }));
    await dataSource.initialize();
    try {
      const pids: number[] = [];
      for (let i = 0; i < 7; i++)
        pids.push((await dataSource.query(`SELECT pg_backend_pid() AS pid`))[0].pid as number);
      // One connection at a time: three uses each, then a new backend.
      expect(new Set(pids.slice(0, 3)).size).toBe(1);
      expect(new Set(pids.slice(3, 6)).size).toBe(1);
      expect(pids[3]).not.toBe(pids[0]);
      expect(pids[6]).not.toBe(pids[3]);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});

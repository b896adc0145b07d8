import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { createTestDatabase } from '../support/database.js';
import { migratedDatabase, type MediumDatabase } from './database.js';

/**
 * The shared schema after every migration. PostgreSQL checks or cascades a delete of a referenced row
 * by looking up the referencing rows by the foreign key's columns; with no index there, every such
 * delete scans the whole referencing table, a cost that grows with every merchant (docs/scaling.md).
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

import { migratedDatabase, type MediumDatabase } from './database.js';

/**
 * TransactionalConnection.transaction sends a transaction's first statement without waiting for the
 * answer to START TRANSACTION: these fail if that statement ever ran outside the transaction.
 */
describe('TransactionalConnection (PostgreSQL)', () => {
  let m: MediumDatabase;

  beforeAll(async () => {
    m = await migratedDatabase();
    await m.dataSource.query(`CREATE TABLE tx_probe (id int PRIMARY KEY)`);
  });

  afterAll(() => m.close());

  const probes = async () =>
    ((await m.dataSource.query(`SELECT id FROM tx_probe ORDER BY id`)) as { id: number }[]).map((r) => r.id);

  it('runs the first statement inside the transaction: a failure afterwards undoes it', async () => {
    await expect(
      m.db.transaction(async () => {
        await m.db.query(`INSERT INTO tx_probe (id) VALUES (1)`);
        await m.db.query(`INSERT INTO tx_probe (id) VALUES (2)`);
        throw new Error('after two statements');
      }),
    ).rejects.toThrow('after two statements');
    expect(await probes()).toEqual([]);
  });

  it('undoes everything when a statement fails, and commits when none does', async () => {
    await expect(
      m.db.transaction(async () => {
        await m.db.query(`INSERT INTO tx_probe (id) VALUES (3)`);
        await m.db.query(`INSERT INTO tx_probe (id) VALUES (3)`);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await probes()).toEqual([]);
    const seen = await m.db.transaction(async () => {
      const [first] = await m.db.query(`SELECT txid_current() AS x, now() AS t`);
      await m.db.query(`INSERT INTO tx_probe (id) VALUES (4)`);
      const [second] = await m.db.query(`SELECT txid_current() AS x, now() AS t`);
      return { first, second, inside: m.db.inTransaction };
    });
    // One transaction: one id and one start time for every statement in it.
    expect(seen.second.x).toBe(seen.first.x);
    expect(seen.second.t).toEqual(seen.first.t);
    expect(seen.inside).toBe(true);
    expect(await probes()).toEqual([4]);
  });

  it('joins a nested call to the outer transaction, and the pool gets its connection back', async () => {
    const before = m.dataSource.driver as unknown as { master: { idleCount: number; totalCount: number } };
    await expect(
      m.db.transaction(async () => {
        await m.db.transaction(() => m.db.query(`INSERT INTO tx_probe (id) VALUES (5)`));
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await probes()).toEqual([4]);
    expect(before.master.idleCount).toBe(before.master.totalCount);
  });
});

import { QueryFailedError } from 'typeorm';
import { pgErrorFields } from '../../src/common/errors/pg-error.js';
import { isDatabaseUnavailable, toProblem } from '../../src/common/errors/problem-details.filter.js';
import { poolOf } from '../../src/database/pg-direct.js';
import { migratedDatabase, type MediumDatabase } from './database.js';

/**
 * TransactionalConnection runs statements on the pg pool directly: it must answer exactly as
 * `DataSource.query` and `DataSource.transaction` do (rows, errors, commit and rollback).
 */
describe('TransactionalConnection on the pg pool (PostgreSQL)', () => {
  let m: MediumDatabase;

  beforeAll(async () => {
    m = await migratedDatabase();
    await m.dataSource.query(`CREATE TABLE tc_probe (id int PRIMARY KEY, v text)`);
  });
  afterAll(() => m.close());
  beforeEach(() => m.dataSource.query(`TRUNCATE tc_probe`));

  const count = async () =>
    Number(((await m.dataSource.query(`SELECT count(*) AS n FROM tc_probe`)) as { n: string }[])[0].n);

  it.each([
    ['SELECT', `SELECT 1 AS one`, []],
    ['INSERT … RETURNING', `INSERT INTO tc_probe VALUES ($1, 'a'), ($1 + 1, 'b') RETURNING id`, [3]],
    ['UPDATE', `UPDATE tc_probe SET v = 'c' WHERE id >= $1 RETURNING id`, [0]],
    ['DELETE', `DELETE FROM tc_probe WHERE id = $1`, [1]],
    ['several statements', `SELECT 1 AS a; SELECT 2 AS b`, undefined],
  ])('gives what DataSource.query gives for %s', async (_what, sql, params) => {
    await m.dataSource.query(`INSERT INTO tc_probe VALUES (1, 'x'), (2, 'y')`);
    const ours: unknown = await m.db.transaction(() => m.db.query(sql, params));
    await m.dataSource.query(`TRUNCATE tc_probe`);
    await m.dataSource.query(`INSERT INTO tc_probe VALUES (1, 'x'), (2, 'y')`);
    const typeorm: unknown = await m.dataSource.query(sql, params);
    const rows = (value: unknown) =>
      value === undefined ? value : (JSON.parse(JSON.stringify(value)) as unknown);
    expect(rows(ours)).toEqual(rows(typeorm));
    await m.dataSource.query(`TRUNCATE tc_probe`);
    await m.dataSource.query(`INSERT INTO tc_probe VALUES (1, 'x'), (2, 'y')`);
    expect(rows(await m.db.query(sql, params))).toEqual(rows(typeorm));
  });

  it('fails as DataSource.query fails: a QueryFailedError with PostgreSQL’s code and constraint', async () => {
    await m.db.query(`INSERT INTO tc_probe VALUES (1, 'x')`);
    const ours = await m.db.query(`INSERT INTO tc_probe VALUES (1, 'x')`).catch((e: unknown) => e);
    const typeorm = await m.dataSource.query(`INSERT INTO tc_probe VALUES (1, 'x')`).catch((e: unknown) => e);
    expect(ours).toBeInstanceOf(QueryFailedError);
    expect(pgErrorFields(ours)).toEqual(pgErrorFields(typeorm));
    expect(pgErrorFields(ours)).toMatchObject({ code: '23505', constraint: 'tc_probe_pkey' });
    expect(toProblem(ours, '/x')).toEqual(toProblem(typeorm, '/x'));
    expect(toProblem(ours, '/x').status).toBe(409);
  });

  it('keeps the connection after a failed statement (only a broken connection is closed)', async () => {
    const pid = async () => (await m.db.query<{ pid: number }[]>(`SELECT pg_backend_pid() AS pid`))[0].pid;
    const before = await pid();
    await expect(m.db.query(`SELECT 1 / 0`)).rejects.toBeInstanceOf(QueryFailedError);
    expect(await pid()).toBe(before);
  });

  it('commits the work of a transaction, and rolls all of it back when the work throws', async () => {
    await m.db.transaction(async () => {
      await m.db.query(`INSERT INTO tc_probe VALUES (1, 'x')`);
      await m.db.query(`INSERT INTO tc_probe VALUES (2, 'y')`);
    });
    expect(await count()).toBe(2);
    const failure = new Error('the work failed');
    await expect(
      m.db.transaction(async () => {
        await m.db.query(`INSERT INTO tc_probe VALUES (3, 'z')`);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await count()).toBe(2);
  });

  it('runs every statement of a transaction on one connection, nested calls joining it', async () => {
    const pids = await m.db.transaction(async () => {
      await m.db.query(`SET LOCAL lock_timeout = '1234ms'`);
      const inner = await m.db.transaction(async () => {
        expect(m.db.inTransaction).toBe(true);
        return m.db.query<{ pid: number; lt: string }[]>(
          `SELECT pg_backend_pid() AS pid, current_setting('lock_timeout') AS lt`,
        );
      });
      const outer = await m.db.query<{ pid: number }[]>(`SELECT pg_backend_pid() AS pid`);
      return [inner[0], outer[0]];
    });
    expect(pids[0].pid).toBe(pids[1].pid);
    expect(pids[0]).toMatchObject({ lt: '1234ms' });
    // SET LOCAL ended with the transaction: the connection goes back to the pool clean.
    const after = await m.db.transaction(() =>
      m.db.query<{ lt: string }[]>(`SELECT current_setting('lock_timeout') AS lt`),
    );
    expect(after[0].lt).toBe('0');
    expect(m.db.inTransaction).toBe(false);
  });

  it('joins a TypeORM transaction with join()', async () => {
    await expect(
      m.dataSource.transaction(async (manager) => {
        await m.db.join(manager, () => m.db.query(`INSERT INTO tc_probe VALUES (1, 'x')`));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await count()).toBe(0);
  });

  it('never returns a connection that died mid-transaction to the pool', async () => {
    const pool = poolOf(m.dataSource)!;
    const err = await m.db
      .transaction(async () => {
        await m.db.query(`SELECT pg_terminate_backend(pg_backend_pid())`);
      })
      .catch((e: unknown) => e);
    expect(isDatabaseUnavailable(err)).toBe(true);
    // Every connection the pool still has answers.
    const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
    await Promise.all(clients.map((c) => c.query('SELECT 1')));
    clients.forEach((c) => c.release());
    expect(await m.db.transaction(() => m.db.query(`SELECT 1 AS one`))).toEqual([{ one: 1 }]);
  });
});

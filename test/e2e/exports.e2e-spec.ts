import { jest } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { ExportPool } from '../../src/modules/transactions/transaction-export.repository.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';
import { parseCsv } from '../support/csv.js';
import { sleep } from '../support/realtime.js';
import { merchantTable } from '../support/transactions.js';

jest.setTimeout(60_000);

const STALL_MS = 1500;

/** CSV exports: one per merchant, a global cap on their own pool, a range limit, timeouts, safe cells. */
describe('CSV exports (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      listen: true,
      env: {
        EXPORT_STALL_TIMEOUT_MS: String(STALL_MS),
        EXPORT_MAX_CONCURRENT: '2',
        EXPORT_STATEMENT_TIMEOUT_MS: '45000',
      },
    });
  });
  afterAll(() => t.close());

  /** Enough rows that the statement cannot fit in the sockets' buffers: a client that stops reading stalls it. */
  async function bigBook(): Promise<Account> {
    const [m, buyer] = await Promise.all([registerMerchant(t), registerUser(t)]);
    const client = await t.db.connect();
    try {
      await client.query(`SET graminstore.rollups = 'off'`);
      await client.query(
        `INSERT INTO ${merchantTable(m.id)} (merchant_id, user_id, amount_paise, type, status, paid_paise, occurred_at, description)
         SELECT $1, $2, 100 + g, 'paid', 'paid', 100 + g, now() - g * interval '1 second', repeat('x', 400)
           FROM generate_series(1, 40000) g`,
        [m.id, buyer.id],
      );
    } finally {
      client.release();
    }
    return m;
  }

  /** Starts an export over a raw socket and never reads it. */
  function stalledExport(m: Account): Socket {
    const socket = connect(Number(new URL(t.baseUrl).port), '127.0.0.1');
    socket.write(
      `GET /api/v2/transactions/export.csv HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${m.token}\r\n\r\n`,
    );
    socket.pause();
    socket.on('error', () => undefined);
    return socket;
  }

  const runningCopies = async () =>
    (
      await t.db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'COPY (%' AND pid <> pg_backend_pid()`,
      )
    ).rows[0].n as number;

  async function waitFor(predicate: () => Promise<boolean>, timeoutMs: number, what: string) {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  it('neutralises cells a spreadsheet would run as formulas (= + - @ tab CR and full-width forms)', async () => {
    const m = await registerMerchant(t);
    const evil = await registerUser(t, { name: '=HYPERLINK("http://evil.test","Refund")' });
    const typed = ['+1+1', '-2+3', '@SUM(A1)', '＝1+1', '＋1', '－1', '＠x', '=cmd|x'];
    // The API trims a leading tab or CR; older or bulk-loaded rows may still start with one.
    const stored = ['\tTAB', '\rCR'];
    const payloads = [...typed, ...stored];
    for (const description of typed) {
      const res = await t.http
        .post('/api/v2/transactions/create')
        .set(m.auth)
        .send({ user_id: evil.id, amount: 1, type: 'paid', description });
      expect(res.status).toBe(201);
    }
    await t.http
      .post('/api/v2/transactions/create')
      .set(m.auth)
      .send({ user_id: evil.id, amount: 1, type: 'paid', description: 'Rice 5kg' });
    for (const description of stored)
      await t.db.query(
        `INSERT INTO ${merchantTable(m.id)} (merchant_id, user_id, amount_paise, type, status, paid_paise, description)
         VALUES ($1, $2, 100, 'paid', 'paid', 100, $3)`,
        [m.id, evil.id, description],
      );
    const res = await t.http.get('/api/v2/transactions/export.csv').set(m.auth).expect(200);
    const [header, ...rows] = parseCsv(res.text);
    const col = (name: string) => header.indexOf(name);
    const descriptions = rows.map((r) => r[col('description')]);
    for (const p of payloads) expect(descriptions).toContain(`'${p}`);
    expect(descriptions).toContain('Rice 5kg');
    for (const r of rows) expect(r[col('customer_name')]).toBe(`'=HYPERLINK("http://evil.test","Refund")`);
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+@\t\r＝＋－＠-]/);
  });

  it('covers at most 366 days (422 beyond)', async () => {
    const m = await registerMerchant(t);
    const ask = (from: string, to: string) =>
      t.http.get('/api/v2/transactions/export.csv').query({ from, to }).set(m.auth);
    expect((await ask('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z')).status).toBe(200); // 366 days
    const tooLong = await ask('2024-01-01T00:00:00Z', '2025-01-01T00:00:01Z');
    expectProblem(tooLong, 422);
    expect(tooLong.body.code).toBe('range-too-long');
  });

  it('runs its COPY with a server-side statement_timeout on a pool of its own', async () => {
    const pool = t.app.get(ExportPool);
    const connection = await pool.tryConnect();
    expect(connection).toMatchObject({ target: 'primary' });
    try {
      const { rows } = await connection!.reader.query(`SELECT current_setting('statement_timeout') AS s,
                                                   current_setting('application_name') AS a`);
      expect(rows[0]).toEqual({ s: '45s', a: 'graminstore-export' });
      // Without a replica the COPY runs on the connection that holds the lock.
      expect(connection!.reader).toBe(connection!.primary);
    } finally {
      pool.release(connection!);
    }
  });

  it('lets one export run per merchant (a second gets 429), caps them all, and cuts a stalled one after the timeout', async () => {
    const [a, b, c] = await Promise.all([bigBook(), bigBook(), bigBook()]);
    const sockets = [stalledExport(a)];
    try {
      await waitFor(async () => (await runningCopies()) === 1, 10_000, "a's export to start");
      const second = await t.http.get('/api/v2/transactions/export.csv').set(a.auth);
      expectProblem(second, 429);
      expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);

      sockets.push(stalledExport(b));
      await waitFor(async () => (await runningCopies()) === 2, 10_000, "b's export to start");
      // The cap (2 here) is reached: a third merchant waits its turn instead of taking a connection.
      expectProblem(await t.http.get('/api/v2/transactions/export.csv').set(c.auth), 503);
      // The API itself is untouched.
      expect((await t.http.get('/api/v2/dashboard/merchant').set(c.auth)).status).toBe(200);

      // Nobody reads: both are destroyed after the stall timeout and their connections closed.
      await waitFor(async () => (await runningCopies()) === 0, STALL_MS + 8000, 'the stalled exports to end');
      const again = await t.http.get('/api/v2/transactions/export.csv').set(a.auth);
      expect(again.status).toBe(200);
      expect(again.text.split('\n').length).toBeGreaterThan(40_000);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});

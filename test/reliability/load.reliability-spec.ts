import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { Client } from './support/http.js';
import { report } from './support/report.js';
import { NO_WRITE_LIMIT, spawnApp, type AppProcess } from './support/spawn.js';
import { verifyDatabase, verifyReportedBalances } from './support/verify.js';
import { createWorld, Ledger, runLoad } from './support/workload.js';

/** RELIABILITY_LOAD_SECONDS (default 60) and RELIABILITY_LOAD_CONCURRENCY (default 64). */
const SECONDS = Number(process.env.RELIABILITY_LOAD_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.RELIABILITY_LOAD_CONCURRENCY ?? 64);

describe('load with nothing lost', () => {
  let database: TestDatabase;
  let app: AppProcess;
  let client: Client;
  let db: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    // A flood of a few merchants' writes on purpose: the per-merchant write limit is tested elsewhere.
    app = await spawnApp({ databaseUrl: database.url, env: NO_WRITE_LIMIT });
    client = new Client(app.baseUrl, CONCURRENCY * 2, 30_000);
    db = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    client?.close();
    await app?.stop();
    await db?.end();
    await database?.drop();
  });

  it(`${SECONDS} s of mixed load at concurrency ${CONCURRENCY}: every 201 has its row, every row its 201, balances reconcile, no 5xx`, async () => {
    const world = await createWorld(client, 4, 24);
    const ledger = new Ledger();
    const started = Date.now();
    await runLoad({ client, world, ledger, mode: 'strict', concurrency: CONCURRENCY, seconds: SECONDS });
    const seconds = (Date.now() - started) / 1000;
    report('load', ledger, { seconds, rps: Math.round(ledger.latencies.length / seconds) });

    const failed = ledger.count((s) => s >= 500 || s === 0);
    expect({
      serverErrorsOrNoAnswer: failed,
      violations: ledger.violations,
      count: ledger.violationCount,
      appLog: failed || ledger.violationCount ? app.logs().split('\n').slice(-10) : [],
    }).toEqual({ serverErrorsOrNoAnswer: 0, violations: [], count: 0, appLog: [] });
    // The mix really happened: sales of every kind, deliberate replays, payments, concurrent duplicates.
    const ops = [...ledger.statuses.keys()];
    for (const op of [
      'sale (customer)',
      'sale (guest)',
      'sale (bound guest)',
      'sale (client_id resent)',
      'retry (same key)',
      'race (same key twice)',
      'settle (part)',
      'settle (in full)',
      'settle retry (same key)',
      'history (merchant)',
      'history (customer)',
    ])
      expect(ops).toContain(op);
    expect(ledger.sales.size).toBeGreaterThan(SECONDS * 5);

    expect({
      database: await verifyDatabase(db, ledger, world),
      reported: await verifyReportedBalances(client, ledger, world),
    }).toEqual({ database: [], reported: [] });
  });
});

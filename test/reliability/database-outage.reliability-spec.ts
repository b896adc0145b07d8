import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres.js';
import { Client } from './support/http.js';
import { report } from './support/report.js';
import { NO_WRITE_LIMIT, ROOT, spawnApp, type AppProcess } from './support/spawn.js';
import { verifyDatabase, verifyReportedBalances } from './support/verify.js';
import { createWorld, Ledger, resolveUnknown, runLoad } from './support/workload.js';

/** Each request during the outage must be answered within this (the pool's connect timeout is 3 s). */
const FAIL_FAST_MS = Number(process.env.RELIABILITY_FAIL_FAST_MS ?? 5000);
/** The app must be ready again this soon after PostgreSQL is back. */
const RECOVER_MS = 15_000;
const OUTAGE_MS = 6000;
const ARTIFACTS = join(ROOT, 'test/artifacts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('database outage: PostgreSQL stopped under load', () => {
  let dir: string;
  let server: EmbeddedDatabase;
  let app: AppProcess;
  let client: Client;

  beforeAll(async () => {
    // A PostgreSQL of this suite's own: the other suites' server must not be stopped.
    dir = await mkdtemp(join(tmpdir(), 'graminstore-outage-pg-'));
    server = await startEmbeddedPostgres({ dir, persistent: true });
    // A flood of a few merchants' writes on purpose: the per-merchant write limit is tested elsewhere.
    app = await spawnApp({ databaseUrl: server.url, env: NO_WRITE_LIMIT });
    client = new Client(app.baseUrl, 64, 20_000);
  });
  afterAll(async () => {
    client?.close();
    await app?.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails fast with 503 while it is down, reports not ready, recovers by itself, loses no acknowledged write', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const world = await createWorld(client, 3, 12);
    const ledger = new Ledger();
    ledger.trace = [];
    const control = { stop: false };
    // Every write carries an Idempotency-Key or client_id; a 503 leaves it to be replayed afterwards.
    const load = runLoad({
      client,
      world,
      ledger,
      mode: 'faulty',
      inconclusive: [503],
      concurrency: 32,
      seconds: 300,
      control,
    });
    await sleep(4000);
    const okBefore = ledger.count((s) => s >= 200 && s < 300);

    const stopping = Date.now();
    await server.stop();
    const down = Date.now();
    const ready: { status: number; ms: number; retryAfter?: string }[] = [];
    const live: number[] = [];
    while (Date.now() - down < OUTAGE_MS) {
      const r = await client.get('/health/ready', { timeoutMs: 10_000 });
      ready.push({ status: r.status, ms: Math.round(r.ms), retryAfter: r.headers['retry-after'] as string });
      // Liveness does not depend on the database: an orchestrator must not restart a healthy process.
      live.push((await client.get('/health/live', { timeoutMs: 10_000 })).status);
      await sleep(250);
    }
    const restarting = Date.now();
    server = await startEmbeddedPostgres({ dir, persistent: true, port: server.port });

    let recoveredAt = 0;
    while (!recoveredAt && Date.now() - restarting < RECOVER_MS + 10_000) {
      const r = await client.get('/health/ready', { timeoutMs: 5000 });
      if (r.status === 200) recoveredAt = Date.now();
      else await sleep(100);
    }
    await sleep(4000);
    control.stop = true;
    await load;
    const trace = ledger.trace;
    ledger.trace = undefined;
    await resolveUnknown(client, ledger);

    // While it was down: every request answered, 503 with Retry-After or a success, and quickly.
    const during = trace.filter((x) => x.end > stopping && x.start < restarting);
    // Fail fast: a request sent once the database is going away is answered within FAIL_FAST_MS.
    const slow = trace.filter(
      (x) => x.start >= stopping && x.start < restarting && x.end - x.start > FAIL_FAST_MS,
    );
    const afterStop = trace.filter((x) => x.start >= down && x.end <= restarting);
    await writeFile(
      join(ARTIFACTS, 'database-outage-trace.json'),
      JSON.stringify({ stopping, down, restarting, recoveredAt, app: app.logs(), trace }, null, 1),
    );
    report('database-outage', ledger, {
      ok_before_outage: okBefore,
      during_outage: during.length,
      during_statuses: afterStop.reduce<Record<number, number>>(
        (m, x) => ({ ...m, [x.status]: (m[x.status] ?? 0) + 1 }),
        {},
      ),
      slowest_after_stop_ms: Math.round(
        Math.max(
          0,
          ...trace.filter((x) => x.start >= stopping && x.start < restarting).map((x) => x.end - x.start),
        ),
      ),
      ready_probes_during: {
        count: ready.length,
        all_503: ready.every((r) => r.status === 503),
        max_ms: Math.max(0, ...ready.map((r) => r.ms)),
      },
      recovered_after_ms: recoveredAt ? recoveredAt - restarting : null,
    });
    const afterRecovery = recoveredAt ? trace.filter((x) => x.start > recoveredAt + 500) : [];
    const at = (x: { start: number; end: number }) => `+${x.start - down}ms..+${x.end - down}ms`;
    expect({
      violations: ledger.violations,
      violationCount: ledger.violationCount,
      // While it was down: every request answered, with a 503, quickly.
      notServiceUnavailable: afterStop
        .filter((x) => x.status !== 503)
        .map((x) => `${x.op}: ${x.status} ${x.error ?? ''} ${at(x)}`),
      slow: slow.map((x) => `${x.op}: ${x.status} after ${x.end - x.start} ms ${at(x)}`),
      readyNot503: ready.filter((r) => r.status !== 503 || r.ms > FAIL_FAST_MS || !r.retryAfter),
      liveNot200: live.filter((s) => s !== 200),
      // It came back by itself within RECOVER_MS, and stayed healthy under the same load.
      recovered: recoveredAt > 0 && recoveredAt - restarting < RECOVER_MS,
      failuresAfterRecovery: afterRecovery.filter((x) => x.status >= 300).map((x) => `${x.op}: ${x.status}`),
      process: { exitCode: app.child.exitCode, signal: app.child.signalCode },
    }).toEqual({
      violations: [],
      violationCount: 0,
      notServiceUnavailable: [],
      slow: [],
      readyNot503: [],
      liveNot200: [],
      recovered: true,
      failuresAfterRecovery: [],
      process: { exitCode: null, signal: null },
    });
    // The load really ran through all three phases.
    expect(okBefore).toBeGreaterThan(20);
    expect(afterStop.length).toBeGreaterThan(20);
    expect(ready.length).toBeGreaterThan(5);
    expect(afterRecovery.length).toBeGreaterThan(20);

    // Nothing the clients were told is missing, nothing half-written, balances exact.
    const db = new pg.Pool({ connectionString: server.url, max: 2 });
    try {
      expect({
        database: await verifyDatabase(db, ledger, world, {
          unknownGuestsAllowed: ledger.inconclusiveGuests,
        }),
        reported: await verifyReportedBalances(client, ledger, world),
      }).toEqual({ database: [], reported: [] });
    } finally {
      await db.end();
    }
  });
});

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { Client } from './support/http.js';
import { report } from './support/report.js';
import { NO_WRITE_LIMIT, spawnApp, type AppProcess } from './support/spawn.js';
import { verifyDatabase, verifyReportedBalances } from './support/verify.js';
import { createWorld, Ledger, resolveUnknown, runLoad } from './support/workload.js';

/** How many times the app is killed mid-load (RELIABILITY_CRASHES, default 3). */
const CRASHES = Number(process.env.RELIABILITY_CRASHES ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash: the app killed with SIGKILL mid-load and restarted', () => {
  let database: TestDatabase;
  let app: AppProcess;
  let client: Client;
  let db: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await spawnApp({ databaseUrl: database.url, env: NO_WRITE_LIMIT });
    client = new Client(app.baseUrl, 64, 20_000);
    db = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    client?.close();
    await app?.stop();
    await db?.end();
    await database?.drop();
  });

  it('keeps every acknowledged write and leaves no half-written sale', async () => {
    // Many customers, so new customer→merchant pairs keep forming (a missing link shows on a pair's first sale).
    const world = await createWorld(client, 3, 200);
    const ledger = new Ledger();
    ledger.trace = [];
    const control = { stop: false, paused: false };
    // Every write carries an Idempotency-Key or client_id; one cut off by the crash is replayed afterwards.
    const load = runLoad({ client, world, ledger, mode: 'faulty', concurrency: 32, seconds: 600, control });
    const kills: { inFlight: number; restartMs: number }[] = [];
    try {
      for (let i = 0; i < CRASHES; i++) {
        await sleep(2500 + Math.random() * 2500);
        const killedAt = Date.now();
        process.kill(app.pid, 'SIGKILL');
        const exit = await app.exited;
        expect(exit.signal).toBe('SIGKILL');
        // Clients back off while the process is away (a supervisor restarts it).
        control.paused = true;
        app = await spawnApp({ databaseUrl: database.url, port: app.port, env: NO_WRITE_LIMIT });
        control.paused = false;
        kills.push({
          inFlight: ledger.trace.filter((x) => x.status === 0 && x.start < killedAt && x.end >= killedAt)
            .length,
          restartMs: Date.now() - killedAt,
        });
      }
      await sleep(3000);
    } finally {
      control.stop = true;
      await load;
    }
    ledger.trace = undefined;
    const unresolved = ledger.unknown.length;
    await resolveUnknown(client, ledger);
    report('crash', ledger, { kills, unresolved });

    expect({
      violations: ledger.violations,
      count: ledger.violationCount,
      database: await verifyDatabase(db, ledger, world, { unknownGuestsAllowed: ledger.inconclusiveGuests }),
      reported: await verifyReportedBalances(client, ledger, world),
    }).toEqual({ violations: [], count: 0, database: [], reported: [] });
    // The kills really cut requests off in flight, and writes were left to be replayed.
    expect(kills.reduce((n, k) => n + k.inFlight, 0)).toBeGreaterThan(0);
    expect(unresolved).toBeGreaterThan(0);
    expect(ledger.sales.size).toBeGreaterThan(50);
  });
});

describe('crash with the embedded database (npm start without DATABASE_URL)', () => {
  let dir: string;
  let app: AppProcess | undefined;

  /** The embedded server's URL, from its lock file (the launcher's fixed local credentials). */
  const embeddedUrl = async () => {
    const port = (await readFile(join(dir, 'postmaster.pid'), 'utf8')).split('\n')[3];
    return `postgresql://postgres:graminstore@127.0.0.1:${port}/graminstore`;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'graminstore-crash-pg-'));
  });
  afterAll(async () => {
    await app?.stop();
    // If the test failed half-way, a server may still hold the directory.
    const pid = Number((await readFile(join(dir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
      await sleep(1500);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('the restarted app takes over the server the killed one left running, with every acknowledged write', async () => {
    const env = { EMBEDDED_PG_DIR: dir, ...NO_WRITE_LIMIT };
    app = await spawnApp({ env });
    const client = new Client(app.baseUrl, 16, 20_000);
    try {
      const world = await createWorld(client, 2, 40);
      const ledger = new Ledger();
      const control = { stop: false, paused: false };
      const load = runLoad({ client, world, ledger, mode: 'faulty', concurrency: 16, seconds: 600, control });
      await sleep(3000);
      const orphan = Number((await readFile(join(dir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      process.kill(app.pid, 'SIGKILL');
      await app.exited;
      control.paused = true;
      // kill -9 leaves the embedded PostgreSQL running without its parent.
      expect(() => process.kill(orphan, 0)).not.toThrow();
      app = await spawnApp({ env, port: app.port });
      control.paused = false;
      await sleep(2000);
      control.stop = true;
      await load;
      await resolveUnknown(client, ledger);
      const successor = Number((await readFile(join(dir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      report('crash (embedded database)', ledger, { orphan, successor });

      const db = new pg.Pool({ connectionString: await embeddedUrl(), max: 2 });
      // end() resolves before its sockets have closed; the server stopping just after may still
      // terminate one of them, which the pool reports as an 'error' event.
      db.on('error', () => undefined);
      try {
        expect({
          successor: successor !== orphan,
          violations: ledger.violations,
          database: await verifyDatabase(db, ledger, world, {
            unknownGuestsAllowed: ledger.inconclusiveGuests,
          }),
        }).toEqual({ successor: true, violations: [], database: [] });
      } finally {
        await db.end();
      }
      expect(ledger.sales.size).toBeGreaterThan(10);
    } finally {
      client.close();
    }
    // A clean stop takes its embedded server down with it.
    await app.stop();
    app = undefined;
    expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
  });
});

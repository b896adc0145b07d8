/**
 * `npm run bench` (`-- --quick` for a short run): GraminStore's benchmark (docs/architecture.md#benchmark).
 *
 * Against a real PostgreSQL on loopback (a throwaway embedded server in a temp directory, or a fresh
 * database on the server of BENCH_DATABASE_URL), with the API started as its own process exactly as in
 * production (`node dist/src/main.js`, NODE_ENV=production, migrations run first by the CLI) and
 * `autocannon` in a load-generator process of its own, it measures side by side in one run:
 * create-transaction throughput and latency against a bare node:http + pg server running the same SQL
 * (bench/bare-server.ts) and pgbench running the sale's INSERT, merchant and customer dashboard latency as history and merchants grow, real-time
 * delivery delay, registration with table provisioning and the API's peak memory.
 * It writes bench/results/latest.json and latest.md and prints the table.
 *
 * Options: `--quick`; `--only=create,pgbench,realtime,registration,dashboards,khata` (a partial run, written
 * to bench/results/partial.json instead). Environment: BENCH_DATABASE_URL (use that server instead of
 * an embedded one), BENCH_CPU_PROF=<dir> (the API processes write V8 CPU profiles there),
 * BENCH_VERSUS=<another build's dist/src/main.js> (the create phase runs that build of the API where it
 * runs the bare server, both under load at the same time: an A/B of two builds on a busy machine), BENCH_API=<a build's dist/src/main.js>
 * (instead of this one's), BENCH_ROUNDS=<n> (create rounds), BENCH_MEASURE_SEC and BENCH_WARM_SEC (their
 * lengths: many short alternating rounds cancel a loaded machine's drift better than a few long ones).
 */
import { JwtService } from '@nestjs/jwt';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { bulkLoad } from '../seeds/bulk-load.js';
import { AccessTokenService } from '../src/common/auth/access-token.js';
import { accessTokenKey } from '../src/common/auth/access-token-key.js';
import { AppConfig, loadConfig } from '../src/config/app-config.js';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';
import { benchCustomerDashboard, benchMerchantDashboard } from './dashboards.js';
import { benchKhata } from './khata.js';
import type { LoadJob, LoadResult, Shop } from './load-generator.js';
import { findPgbench, preparePgbench, runPgbench, type PgbenchResult } from './pgbench.js';
import { measureRealtimeDelay, type RealtimeDelayResult } from './realtime.js';
import { markdown, plainTable, type GoalLine } from './report.js';
import {
  Child,
  childrenCpuMs,
  cpuDelta,
  median,
  parentPid,
  PeakRssWatch,
  processCpuMs,
  round,
  sleep,
  waitForHttp,
} from './support.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = resolve(here, '../..');
const RESULTS = join(root, 'bench', 'results');
const quick = process.argv.includes('--quick');
const PHASES = ['create', 'pgbench', 'realtime', 'registration', 'dashboards', 'khata'] as const;
type Phase = (typeof PHASES)[number];
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice(7).split(',') as Phase[]) : undefined;
for (const p of only ?? [])
  if (!PHASES.includes(p)) throw new Error(`--only: unknown phase ${p}; phases: ${PHASES.join(', ')}`);
const runs = (p: Phase) => !only || only.has(p);
const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Sizes and durations; --quick trades precision (and the largest data sets) for time. */
const plan = quick
  ? {
      shops: 50,
      users: 1000,
      history: 5_000,
      rounds: 1,
      warmSec: 2,
      measureSec: 6,
      /** Warm-up requests per merchant and pooled connection (each backend meets each merchant's table). */
      warmPerShopConnection: 1,
      /** pgbench warm-up per 16 clients: its fresh sessions meet every merchant's table for the first time. */
      pgbenchWarmSecPer16: 4,
      registrationRounds: 1,
      registrationConnections: 2,
      dashboard: { smallRows: 10_000, largeRows: 50_000, few: 10, many: 100, requests: 100, warmup: 20 },
      khata: { rows: 50_000, requests: 100, warmup: 20 },
      realtime: { clients: 1000, sales: 20 },
      watchdogMin: 20,
    }
  : {
      shops: 200,
      users: 5000,
      history: 200_000,
      rounds: 3,
      warmSec: 5,
      measureSec: 15,
      warmPerShopConnection: 2,
      pgbenchWarmSecPer16: 15,
      registrationRounds: 3,
      registrationConnections: 2,
      dashboard: {
        smallRows: 10_000,
        largeRows: 1_000_000,
        few: 10,
        many: 10_000,
        requests: 1000,
        warmup: 100,
      },
      khata: { rows: 1_000_000, requests: 500, warmup: 50 },
      realtime: { clients: 1000, sales: 50 },
      watchdogMin: 150,
    };

if (process.env.BENCH_ROUNDS) plan.rounds = Number(process.env.BENCH_ROUNDS);
if (process.env.BENCH_MEASURE_SEC) plan.measureSec = Number(process.env.BENCH_MEASURE_SEC);
if (process.env.BENCH_WARM_SEC) plan.warmSec = Number(process.env.BENCH_WARM_SEC);
const versus = process.env.BENCH_VERSUS ? resolve(process.env.BENCH_VERSUS) : undefined;

const JWT_SECRET = 'graminstore-benchmark-secret-0123456789abcdef';
const ADMIN_PASSWORD = 'benchmark-admin-password';
const PRODUCT_DEFAULTS = loadConfig({});
const POOL_SIZE = PRODUCT_DEFAULTS.dbPoolSize;
const CREATE_CONCURRENCY = [16, 64] as const;
type Concurrency = (typeof CREATE_CONCURRENCY)[number];

// ---------------------------------------------------------------------------------------------------
// Cleanup: every process and the temp database go away, however the run ends.

const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    await Child.stopAll().catch(() => undefined);
    for (const step of cleanups.reverse()) await step().catch((err) => log(`cleanup: ${String(err)}`));
  })());
}
process.on('exit', () => Child.killAllNow());
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });

// ---------------------------------------------------------------------------------------------------
// The database server.

interface Database {
  url: string;
  adminUrl: string;
  settings: Record<string, string>;
  /** The postmaster, when it runs on this machine (for CPU accounting). */
  postmaster: number | undefined;
}

async function database(): Promise<Database> {
  const external = process.env.BENCH_DATABASE_URL;
  let url: string;
  let adminUrl: string;
  if (external) {
    const name = `gs_bench_${process.pid}`;
    const admin = new URL(external);
    admin.pathname = '/postgres';
    adminUrl = admin.toString();
    await onServer(adminUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
    cleanups.push(() =>
      onServer(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)),
    );
    const own = new URL(external);
    own.pathname = `/${name}`;
    url = own.toString();
  } else {
    // The product's own embedded server with its production settings (durable commits), in a
    // directory of its own: as root it runs as `postgres`, who must be able to reach it.
    const dir = await mkdtemp(join(tmpdir(), 'gs-bench-pg-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const server: EmbeddedDatabase = await startEmbeddedPostgres({ dir, persistent: false });
    cleanups.push(() => server.stop());
    url = server.url;
    adminUrl = server.adminUrl;
  }
  return onServer(adminUrl, async (c) => {
    const { rows } = await c.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings
        WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections')`,
    );
    const backend = (await c.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;
    return {
      url,
      adminUrl,
      settings: Object.fromEntries(rows.map((r) => [r.name, r.setting])),
      postmaster: parentPid(backend),
    };
  });
}

async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** On a server we do not own, drop the databases the dashboard benchmark creates, afterwards. */
async function dropDashboardDatabasesLater(adminUrl: string): Promise<void> {
  if (!process.env.BENCH_DATABASE_URL) return;
  const names = (c: pg.Client) =>
    c.query<{ datname: string }>(`SELECT datname FROM pg_database`).then((r) => r.rows.map((x) => x.datname));
  const before = new Set(await onServer(adminUrl, names));
  cleanups.push(() =>
    onServer(adminUrl, async (c) => {
      for (const name of await names(c))
        if (!before.has(name) && (name.startsWith('gs_bench_dash_') || name === 'gs_bench_khata'))
          await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// The processes: the API, the bare server, the load generator.

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'])
    if (process.env[key]) env[key] = process.env[key];
  return env;
}

function apiEnv(databaseUrl: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    JWT_SECRET,
    ADMIN_EMAIL: 'admin@graminstore.com',
    ADMIN_PASSWORD,
    ADMIN_PANEL: 'false',
    // Tokens signed at the start must outlive the run.
    ACCESS_TOKEN_EXPIRE_MINUTES: '600',
    DB_POOL_SIZE: String(POOL_SIZE),
    // The load comes from one address, a few merchants at rates no shop reaches: the limits are
    // checked on every write (their cost is measured) but never refuse.
    MERCHANT_WRITES_PER_SECOND: '1000000',
    MERCHANT_WRITE_BURST: '1000000',
    REGISTRATIONS_PER_HOUR: '0',
    ...extra,
  };
}

interface Server {
  name: string;
  url: string;
  child: Child;
  rss: PeakRssWatch;
}

async function startServer(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  port: number,
  tmp: string,
): Promise<Server> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const child = Child.node(name, script, [], env, {
    logFile: join(tmp, `${name}.log`),
    // No .env of the developer's may leak in: run from the temp directory.
    cwd: tmp,
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`] : [],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health/ready`, child, 120_000);
  return { name, url, child, rss: new PeakRssWatch(child.pid) };
}

const startApi = async (name: string, db: Database, tmp: string, extra: Record<string, string> = {}) => {
  const port = await freePort();
  const script = process.env.BENCH_API ? resolve(process.env.BENCH_API) : join(root, 'dist/src/main.js');
  return startServer(name, script, apiEnv(db.url, port, extra), port, tmp);
};

const peaks: Record<string, number> = {};
async function stopServer(server: Server): Promise<void> {
  peaks[server.name] = Math.max(peaks[server.name] ?? 0, server.rss.stop());
  await server.child.stop();
}

class LoadGenerator {
  private readonly pending = new Map<
    number,
    { resolve: (r: LoadResult) => void; reject: (e: Error) => void }
  >();
  private next = 1;

  constructor(private readonly child: Child) {
    child.proc.on('message', (m: { id: number; result?: LoadResult; error?: string }) => {
      const waiter = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) waiter?.reject(new Error(m.error));
      else waiter?.resolve(m.result!);
    });
    void child.exited.then((code) => {
      for (const w of this.pending.values()) w.reject(new Error(`the load generator exited (${code})`));
      this.pending.clear();
    });
  }

  static start(tmp: string): LoadGenerator {
    return new LoadGenerator(
      Child.node('load-generator', join(here, 'load-generator.js'), [], baseEnv(), {
        ipc: true,
        logFile: join(tmp, 'load-generator.log'),
      }),
    );
  }

  get pid(): number {
    return this.child.pid;
  }

  stop(): Promise<void> {
    return this.child.stop();
  }

  run(job: LoadJob): Promise<LoadResult> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.proc.send({ id, job });
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// CPU accounting: on a machine shared with the database (and perhaps with neighbours), where the CPU
// goes per request explains the throughput better than the throughput alone.

interface CpuPerRequest {
  server_ms: number | null;
  postgres_ms: number | null;
  load_generator_ms: number | null;
}

class CpuMeter {
  constructor(
    private readonly postmaster: number | undefined,
    private readonly loadPid: number,
  ) {}

  snap(serverPid?: number) {
    return {
      server: serverPid ? processCpuMs(serverPid) : undefined,
      load: processCpuMs(this.loadPid),
      postgres: this.postmaster ? childrenCpuMs(this.postmaster) : undefined,
    };
  }

  perRequest(
    a: ReturnType<CpuMeter['snap']>,
    b: ReturnType<CpuMeter['snap']>,
    requests: number,
  ): CpuPerRequest {
    const per = (x: number | undefined, y: number | undefined) =>
      x === undefined || y === undefined || !requests ? null : round((y - x) / requests, 3);
    return {
      server_ms: per(a.server, b.server),
      postgres_ms:
        a.postgres && b.postgres && requests ? round(cpuDelta(a.postgres, b.postgres) / requests, 3) : null,
      load_generator_ms: per(a.load, b.load),
    };
  }
}

type Measured = LoadResult & { cpu: CpuPerRequest };

async function measure(gen: LoadGenerator, meter: CpuMeter, server: Server, job: LoadJob): Promise<Measured> {
  const before = meter.snap(server.child.pid);
  const result = await gen.run(job);
  return { ...result, cpu: meter.perRequest(before, meter.snap(server.child.pid), result.ok) };
}

// ---------------------------------------------------------------------------------------------------
// The phases.

interface Population {
  shops: Shop[];
  shopRange: { first: number; count: number };
  users: { first: number; count: number };
  loadMs: number;
}

/** Merchants (with their tables), customers and some history, at COPY speed (the seeds' bulk loader). */
async function populate(url: string): Promise<Population> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    const loaded = await bulkLoad(pool, {
      merchants: plan.shops,
      users: plan.users,
      transactions: plan.history,
      seed: 8,
      progress: false,
    });
    // Tokens as the API issues them at login (same claims, key and algorithm).
    const tokens = new AccessTokenService(
      new JwtService({ secret: accessTokenKey(JWT_SECRET) }),
      loadConfig({ JWT_SECRET, ACCESS_TOKEN_EXPIRE_MINUTES: '600' }) as AppConfig,
    );
    const first = loaded.merchants.first!;
    const shops = Array.from({ length: plan.shops }, (_, i) => ({
      id: first + i,
      token: tokens.sign({ id: first + i, role: 'merchant' }).token,
    }));
    return {
      shops,
      shopRange: { first, count: plan.shops },
      users: { first: loaded.users.first!, count: plan.users },
      loadMs: loaded.ms.total,
    };
  } finally {
    await pool.end();
  }
}

function assertClean(what: string, r: LoadResult): void {
  if (r.non2xx || r.errors || r.timeouts)
    throw new Error(
      `${what}: ${r.non2xx} non-2xx (${JSON.stringify(r.statusCodes)}), ${r.errors} errors, ${r.timeouts} timeouts` +
        (r.firstFailure ? `; first failure: ${r.firstFailure}` : ''),
    );
  if (!r.ok) throw new Error(`${what}: no request completed in ${r.durationSec} s`);
}

const brief = (r: LoadResult) => ({ rps: r.rps, p50_ms: r.p50, p99_ms: r.p99, requests: r.ok });
const medianOf = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? round(median(known), 3) : null;
};

interface CreateSide {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  cpu_ms_per_request: CpuPerRequest;
  runs: (ReturnType<typeof brief> & { cpu: CpuPerRequest })[];
}

function combine(runs: Measured[]): CreateSide {
  return {
    rps: round(median(runs.map((r) => r.rps)), 1),
    p50_ms: round(median(runs.map((r) => r.p50))),
    p99_ms: round(median(runs.map((r) => r.p99))),
    cpu_ms_per_request: {
      server_ms: medianOf(runs.map((r) => r.cpu.server_ms)),
      postgres_ms: medianOf(runs.map((r) => r.cpu.postgres_ms)),
      load_generator_ms: medianOf(runs.map((r) => r.cpu.load_generator_ms)),
    },
    runs: runs.map((r) => ({ ...brief(r), cpu: r.cpu })),
  };
}

const createJob = (url: string, pop: Population, connections: number, durationSec: number): LoadJob => ({
  kind: 'create',
  url,
  connections,
  durationSec,
  shops: pop.shops,
  users: pop.users,
});

/**
 * Warm-up until every pooled database session has written to every merchant's table: a session's first
 * write to a table loads its catalog entries and compiles its triggers and foreign-key checks.
 */
/** Things that went wrong outside the measurements, reported with the results. */
const incidents: string[] = [];

async function warmUp(gen: LoadGenerator, server: Server, pop: Population): Promise<void> {
  const amount = plan.shops * POOL_SIZE * plan.warmPerShopConnection;
  const r = await gen.run({ ...createJob(server.url, pop, 64, 600), amount });
  if (!r.ok) assertClean(`warm-up of ${server.name}`, r);
  // A cold pool opening its connections on a busy machine may miss the 3 s connect timeout (a 503):
  // reported, not fatal, in the warm-up.
  const failed = r.non2xx + r.errors + r.timeouts;
  if (failed)
    incidents.push(
      `warm-up of ${server.name}: ${failed} of ${r.ok + failed} creates failed: ${r.firstFailure ?? ''}`,
    );
  log(
    `warm-up of ${server.name}: ${r.ok} creates at ${r.rps}/s` +
      (failed ? `; ${failed} failed (${JSON.stringify(r.statusCodes)}): ${r.firstFailure ?? ''}` : ''),
  );
}

async function benchCreates(
  gen: LoadGenerator,
  meter: CpuMeter,
  ours: Server,
  bare: Server,
  pop: Population,
) {
  for (const s of [ours, bare]) await warmUp(gen, s, pop);
  const runs: Record<'ours' | 'bare', Record<Concurrency, Measured[]>> = {
    ours: { 16: [], 64: [] },
    bare: { 16: [], 64: [] },
  };
  for (let round = 0; round < plan.rounds; round++)
    for (const c of CREATE_CONCURRENCY) {
      // Alternate who goes first, so drift over the run (a growing table, the neighbours' load) hits both.
      const order = round % 2 ? [bare, ours] : [ours, bare];
      // Two builds of the API (BENCH_VERSUS) are loaded at the same time, each by its own connections:
      // the same moment of a shared machine for both, so their CPU per request compares.
      const together = versus
        ? await Promise.all(
            order.map(async (s) => {
              await gen.run(createJob(s.url, pop, c, plan.warmSec));
              return measure(gen, meter, s, createJob(s.url, pop, c, plan.measureSec));
            }),
          )
        : undefined;
      for (const [i, s] of order.entries()) {
        if (!together) await gen.run(createJob(s.url, pop, c, plan.warmSec));
        const r = together?.[i] ?? (await measure(gen, meter, s, createJob(s.url, pop, c, plan.measureSec)));
        assertClean(`create on ${s.name} at concurrency ${c}`, r);
        log(
          `create ${s.name} c=${c}: ${r.rps} rps, p50 ${r.p50} ms, p99 ${r.p99} ms; CPU ms/request ` +
            `server ${r.cpu.server_ms}, postgres ${r.cpu.postgres_ms}, load ${r.cpu.load_generator_ms}`,
        );
        runs[s === ours ? 'ours' : 'bare'][c].push(r);
      }
    }
  return {
    ours: { 16: combine(runs.ours[16]), 64: combine(runs.ours[64]) },
    bare: { 16: combine(runs.bare[16]), 64: combine(runs.bare[64]) },
  };
}

async function benchPgbench(db: Database, tmp: string, pop: Population) {
  const bin = findPgbench();
  if (!bin) return undefined;
  const setup = await preparePgbench(bin, db.url, tmp, pop.shopRange, pop.users);
  const results = {} as Record<Concurrency, PgbenchResult>;
  for (const c of CREATE_CONCURRENCY) {
    results[c] = await runPgbench(setup, db.url, c, (plan.pgbenchWarmSecPer16 * c) / 16, plan.measureSec);
    log(
      `pgbench c=${c}: ${results[c].tps} tps over the last ${plan.measureSec} s ` +
        `(${results[c].tpsWholeRun} over the whole run), avg ${results[c].latencyAvgMs} ms`,
    );
  }
  return { bin, results };
}

async function benchRealtime(api: Server, pop: Population): Promise<RealtimeDelayResult> {
  return measureRealtimeDelay({
    createUrl: api.url,
    merchant: { token: pop.shops[0].token, userId: pop.users.first },
    clients: plan.realtime.clients,
    sales: plan.realtime.sales,
    log,
  });
}

interface RegistrationResult {
  create_p99_idle_ms: number;
  create_p99_during_ms: number;
  create_p99_ratio_during_vs_idle: number;
  create_p50_idle_ms: number;
  create_p50_during_ms: number;
  create_rps_idle: number;
  create_rps_during: number;
  /** Creates that failed (non-2xx or errors) without and with registrations alongside. */
  create_failures_idle: number;
  create_failures_during: number;
  create_failure_example?: string;
  registration_p50_ms: number;
  registration_p99_ms: number;
  registrations_per_sec: number;
  registrations: number;
  registration_failures: number;
  rounds: {
    idle: ReturnType<typeof brief>;
    during: ReturnType<typeof brief>;
    registration: ReturnType<typeof brief>;
  }[];
}

let registrationBatch = 0;
const failures = (r: LoadResult) => r.non2xx + r.errors + r.timeouts;

/**
 * Create p99 at concurrency 16 without and with merchants registering alongside (each registration
 * hashes the password and provisions the merchant's table). Failed requests are counted, not fatal:
 * registrations that make sales fail must show it.
 */
async function benchRegistration(
  gen: LoadGenerator,
  api: Server,
  pop: Population,
): Promise<RegistrationResult> {
  const registrations = (durationSec: number): LoadJob => {
    const batch = registrationBatch++;
    return {
      kind: 'register',
      url: api.url,
      connections: plan.registrationConnections,
      durationSec,
      tag: `${process.pid}-${batch}`,
      // +91 7xxxxxxxxx: a block of a million numbers per batch.
      phoneBase: 7_000_000_000 + batch * 1_000_000,
    };
  };
  // The load generator stops sending at the end of a run, but registrations still in flight hold
  // their locks: wait for them before anything is measured as idle.
  const drain = (r: LoadResult) => sleep(Math.min(15_000, (Number.isFinite(r.max) ? r.max : 5000) + 1000));
  const alongside = async () => {
    const [creates, registration] = await Promise.all([
      gen.run(createJob(api.url, pop, 16, plan.measureSec)),
      gen.run(registrations(plan.measureSec)),
    ]);
    await drain(registration);
    return { creates, registration };
  };
  await warmUp(gen, api, pop);
  const [, warmRegistrations] = await Promise.all([
    gen.run(createJob(api.url, pop, 16, plan.warmSec)),
    gen.run(registrations(plan.warmSec)),
  ]);
  await drain(warmRegistrations);
  const rounds: { idle: LoadResult; during: LoadResult; registration: LoadResult }[] = [];
  for (let r = 0; r < plan.registrationRounds; r++) {
    // Alternate which goes first, so drift over the phase hits both.
    let idle: LoadResult;
    let during: { creates: LoadResult; registration: LoadResult };
    if (r % 2 === 0) {
      idle = await gen.run(createJob(api.url, pop, 16, plan.measureSec));
      during = await alongside();
    } else {
      during = await alongside();
      idle = await gen.run(createJob(api.url, pop, 16, plan.measureSec));
    }
    for (const [what, result] of [
      ['create (idle)', idle],
      ['create (during registrations)', during.creates],
      ['registration', during.registration],
    ] as const)
      if (failures(result))
        log(
          `registration phase: ${what}: ${failures(result)} failed (${JSON.stringify(result.statusCodes)}) ${result.firstFailure ?? ''}`,
        );
    if (!idle.ok || !during.creates.ok || !during.registration.ok)
      throw new Error(`registration phase: no request completed in a ${plan.measureSec} s run`);
    log(
      `create p99 idle ${idle.p99} ms, during registrations ${during.creates.p99} ms; ` +
        `registration p50 ${during.registration.p50} ms, p99 ${during.registration.p99} ms (${during.registration.rps}/s)`,
    );
    rounds.push({ idle, during: during.creates, registration: during.registration });
  }
  const idleP99 = median(rounds.map((r) => r.idle.p99));
  const duringP99 = median(rounds.map((r) => r.during.p99));
  return {
    create_p99_idle_ms: round(idleP99),
    create_p99_during_ms: round(duringP99),
    create_p99_ratio_during_vs_idle: round(duringP99 / idleP99),
    create_p50_idle_ms: round(median(rounds.map((r) => r.idle.p50))),
    create_p50_during_ms: round(median(rounds.map((r) => r.during.p50))),
    create_rps_idle: round(median(rounds.map((r) => r.idle.rps)), 1),
    create_rps_during: round(median(rounds.map((r) => r.during.rps)), 1),
    create_failures_idle: rounds.reduce((n, r) => n + failures(r.idle), 0),
    create_failures_during: rounds.reduce((n, r) => n + failures(r.during), 0),
    create_failure_example: rounds.map((r) => r.during.firstFailure ?? r.idle.firstFailure).find(Boolean),
    registration_p50_ms: round(median(rounds.map((r) => r.registration.p50))),
    registration_p99_ms: round(median(rounds.map((r) => r.registration.p99))),
    registrations_per_sec: round(median(rounds.map((r) => r.registration.rps)), 1),
    registrations: rounds.reduce((n, r) => n + r.registration.ok, 0),
    registration_failures: rounds.reduce((n, r) => n + failures(r.registration), 0),
    rounds: rounds.map((r) => ({
      idle: brief(r.idle),
      during: brief(r.during),
      registration: brief(r.registration),
    })),
  };
}

// ---------------------------------------------------------------------------------------------------
// Results.

type Json = Record<string, unknown>;
const fmtCount = (n: number) => (n >= 1e6 ? `${n / 1e6} M` : n >= 1e3 ? `${n / 1e3} k` : String(n));

interface Outcome {
  pop: Population;
  db: Database;
  creates?: Awaited<ReturnType<typeof benchCreates>>;
  pgbench?: Awaited<ReturnType<typeof benchPgbench>>;
  pgbenchMissing: boolean;
  realtime?: RealtimeDelayResult;
  registration?: RegistrationResult;
  merchantDash?: Awaited<ReturnType<typeof benchMerchantDashboard>>;
  userDash?: Awaited<ReturnType<typeof benchCustomerDashboard>>;
  khata?: Awaited<ReturnType<typeof benchKhata>>;
  errors: Record<string, string>;
}

function report(
  o: Outcome,
  startedAt: number,
): { json: Json; lines: GoalLine[]; context: string[]; notes: string[] } {
  const json: Json = {};
  const lines: GoalLine[] = [];
  const notes: string[] = [];
  const failed = (phase: string) => (o.errors[phase] ? 'error (see notes)' : 'not run');

  // create_transaction
  if (o.creates) {
    const { ours, bare } = o.creates;
    const pg = (c: Concurrency) => o.pgbench?.results[c].tps ?? null;
    const ratio = round(ours[64].rps / bare[64].rps);
    const side = (c: Concurrency) => ({
      rps: ours[c].rps,
      p50_ms: ours[c].p50_ms,
      p99_ms: ours[c].p99_ms,
      bare_rps: bare[c].rps,
      bare_p50_ms: bare[c].p50_ms,
      bare_p99_ms: bare[c].p99_ms,
      ratio_vs_bare: round(ours[c].rps / bare[c].rps),
      pgbench_tps: pg(c),
      cpu_ms_per_request: { api: ours[c].cpu_ms_per_request, bare: bare[c].cpu_ms_per_request },
      runs: { api: ours[c].runs, bare: bare[c].runs },
    });
    json.create_transaction = {
      concurrency_16: side(16),
      concurrency_64: side(64),
      bare_rps: bare[64].rps,
      bare_jwt_verification: 'included: HS256 signature, expiry and claims checked with node:crypto',
      ratio_vs_bare: ratio,
      pgbench_tps: pg(64),
      pgbench_ratio: pg(64) ? round(ours[64].rps / pg(64)!) : null,
      pgbench: o.pgbench
        ? { bin: o.pgbench.bin, ...o.pgbench.results }
        : o.pgbenchMissing
          ? 'pgbench is not installed'
          : failed('pgbench'),
      pool_size: POOL_SIZE,
      workload:
        `${plan.shops} merchants, each request with its own merchant's token; ${plan.users} customers buying at ` +
        `3 regular shops each; 1 sale in 5 a walk-in guest on credit`,
    };
    for (const c of CREATE_CONCURRENCY) {
      const cpu = ours[c].cpu_ms_per_request;
      const bcpu = bare[c].cpu_ms_per_request;
      lines.push({
        measurement: `create_transaction, concurrency ${c}`,
        value:
          `${ours[c].rps} rps, p50 ${ours[c].p50_ms} ms, p99 ${ours[c].p99_ms} ms ` +
          `(bare: ${bare[c].rps} rps, p99 ${bare[c].p99_ms} ms${pg(c) ? `; pgbench: ${pg(c)} tps` : ''})`,
        goal: '',
        pass: null,
      });
      if (c === 64 && cpu.server_ms !== null)
        lines.push({
          measurement: 'CPU per create, c=64: API / bare server / PostgreSQL',
          value: `${cpu.server_ms} / ${bcpu.server_ms} / ${cpu.postgres_ms} ms`,
          goal: '',
          pass: null,
        });
    }
    lines.push({
      measurement: 'create ratio_vs_bare (c=64)',
      value: String(ratio),
      goal: '≥ 0.6',
      pass: ratio >= 0.6,
    });
    lines.push({
      measurement: 'create vs pgbench, same INSERT (c=64)',
      value: pg(64)
        ? `${ours[64].rps} / ${pg(64)} tps = ${round(ours[64].rps / pg(64)!)}`
        : o.pgbenchMissing
          ? 'pgbench not installed'
          : failed('pgbench'),
      goal: '',
      pass: null,
    });
  } else
    lines.push({
      measurement: 'create ratio_vs_bare (c=64)',
      value: failed('create'),
      goal: '≥ 0.6',
      pass: false,
    });

  // dashboards
  if (o.merchantDash) {
    const m = o.merchantDash;
    json.merchant_dashboard = {
      endpoint: m.endpoint,
      rows_small: m.small.rows,
      rows_large: m.large.rows,
      p50_ms_10k: m.small.p50,
      p99_ms_10k: m.small.p99,
      p50_ms_1m: m.large.p50,
      p99_ms_1m: m.large.p99,
      p99_ratio_1m_vs_10k: m.p99Ratio,
      detail: m,
    };
    lines.push({
      measurement: `merchant_dashboard p99, ${fmtCount(m.large.rows)} vs ${fmtCount(m.small.rows)} rows`,
      value: `${m.large.p99} / ${m.small.p99} ms = ${m.p99Ratio} (p50 ${m.large.p50} / ${m.small.p50} ms)`,
      goal: '≤ 2',
      pass: m.p99Ratio <= 2,
    });
  } else
    lines.push({
      measurement: 'merchant_dashboard p99_ratio_1m_vs_10k',
      value: failed('dashboards'),
      goal: '≤ 2',
      pass: false,
    });
  if (o.userDash) {
    const u = o.userDash;
    json.user_dashboard = {
      endpoint: u.endpoint,
      merchants_few: u.few.merchants,
      merchants_many: u.many.merchants,
      p99_ms_10_merchants: u.few.p99,
      p99_ms_10k_merchants: u.many.p99,
      p99_ratio_10k_vs_10_merchants: u.p99Ratio,
      detail: u,
    };
    lines.push({
      measurement: `user_dashboard p99, ${fmtCount(u.many.merchants)} vs ${fmtCount(u.few.merchants)} merchants`,
      value: `${u.many.p99} / ${u.few.p99} ms = ${u.p99Ratio} (p50 ${u.many.p50} / ${u.few.p50} ms)`,
      goal: '≤ 2',
      pass: u.p99Ratio <= 2,
    });
  } else
    lines.push({
      measurement: 'user_dashboard p99_ratio_10k_vs_10_merchants',
      value: failed('dashboards'),
      goal: '≤ 2',
      pass: false,
    });

  // the khata at a busy shop
  if (o.khata) {
    const k = o.khata;
    json.khata = k;
    for (const [name, line] of [
      ['customers list', k.customers],
      ['ledger page', k.ledger],
      ['payment on account', k.payment],
    ] as const)
      lines.push({
        measurement: `khata ${name} p99, ${line.endpoint}`,
        value: `${line.busy.p99} / ${line.fresh.p99} ms = ${line.p99Ratio} (p50 ${line.busy.p50} / ${line.fresh.p50} ms)`,
        goal: '≤ 2',
        pass: line.p99Ratio <= 2,
      });
  } else lines.push({ measurement: 'khata p99 ratios', value: failed('khata'), goal: '≤ 2', pass: false });

  // realtime
  if (o.realtime) {
    const r = o.realtime;
    json.realtime = r;
    lines.push({
      measurement: `realtime: 201 → receipt at ${r.clients} Socket.IO clients`,
      value: `p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms (${r.deliveries} deliveries, ${r.lost} lost)`,
      goal: 'p99 ≤ 100 ms',
      pass: r.p99_ms <= 100 && r.lost === 0,
    });
  } else {
    json.realtime = {
      clients: plan.realtime.clients,
      p50_ms: null,
      p99_ms: null,
      error: o.errors.realtime ?? 'not run',
    };
    lines.push({ measurement: 'realtime p99', value: failed('realtime'), goal: 'p99 ≤ 100 ms', pass: false });
  }

  // registration
  const r = o.registration;
  if (r) {
    json.registration = {
      p50_ms: r.registration_p50_ms,
      p99_ms: r.registration_p99_ms,
      per_sec: r.registrations_per_sec,
      create_p99_idle_ms: r.create_p99_idle_ms,
      create_p99_during_ms: r.create_p99_during_ms,
      create_p99_ratio_during_vs_idle: r.create_p99_ratio_during_vs_idle,
      registration_connections: plan.registrationConnections,
      create_connections: 16,
      detail: r,
    };
    lines.push({
      measurement: 'registration (with table provisioning)',
      value: `p50 ${r.registration_p50_ms} ms, p99 ${r.registration_p99_ms} ms, ${r.registrations_per_sec}/s at concurrency ${plan.registrationConnections}`,
      goal: '',
      pass: null,
    });
  } else json.registration = { error: o.errors.registration ?? 'not run' };
  const name = 'create p99 during registrations vs idle';
  lines.push(
    r
      ? {
          measurement: name,
          value:
            `${r.create_p99_during_ms} / ${r.create_p99_idle_ms} ms = ${r.create_p99_ratio_during_vs_idle}` +
            (r.create_failures_during + r.create_failures_idle
              ? `; ${r.create_failures_during + r.create_failures_idle} creates FAILED`
              : '; no create failed') +
            (r.registration_failures ? `, ${r.registration_failures} registrations failed` : ''),
          goal: '≤ 2, no failure',
          pass:
            r.create_p99_ratio_during_vs_idle <= 2 &&
            r.create_failures_during + r.create_failures_idle + r.registration_failures === 0,
        }
      : { measurement: name, value: failed('registration'), goal: '≤ 2, no failure', pass: false },
  );

  // memory
  const apiPeaks = Object.entries(peaks).filter(([name]) => name.startsWith('api'));
  const apiPeak = apiPeaks.length ? Math.max(...apiPeaks.map(([, v]) => v)) : null;
  json.memory = { api_peak_rss_mib: apiPeak, per_process_peak_rss_mib: peaks };
  lines.push({
    measurement: 'memory: API peak RSS (VmHWM)',
    value: apiPeak === null ? 'not measured' : `${apiPeak} MiB`,
    goal: '',
    pass: null,
  });

  const cpu = cpus();
  const generatedAt = new Date().toISOString();
  Object.assign(json, {
    generated_at: generatedAt,
    mode: quick ? 'quick' : 'full',
    only: only ? [...only] : undefined,
    duration_sec: round((Date.now() - startedAt) / 1000, 1),
    machine: {
      cpus: cpu.length,
      cpu_model: cpu[0]?.model,
      memory_gib: round(totalmem() / 2 ** 30, 1),
      load_average_at_end: loadavg().map((l) => round(l, 1)),
      node: process.version,
      postgres: o.db.settings,
    },
    plan,
    errors: Object.keys(o.errors).length ? o.errors : undefined,
    incidents: incidents.length ? incidents : undefined,
  });
  const context = [
    `${json.mode} run of ${generatedAt.slice(0, 16).replace('T', ' ')} UTC, ${json.duration_sec} s, on ${cpu.length} CPUs (${cpu[0]?.model ?? 'unknown'}), Node ${process.version}, PostgreSQL ${o.db.settings.server_version} on loopback (fsync=${o.db.settings.fsync}, synchronous_commit=${o.db.settings.synchronous_commit})`,
    `API: \`node dist/src/main.js\`, NODE_ENV=production, LOG_LEVEL=warn, pool ${POOL_SIZE}; load: autocannon in its own process; creates: medians of ${plan.rounds} alternated ${plan.measureSec} s runs per side after warm-up, over ${plan.shops} merchants`,
    'bare server: node:http + pg, the same SQL in one transaction (the API’s own statements: the sale with its account entry, an advance applied), JWT verified, same pool size; pgbench: the sale’s INSERT alone, steady state after its sessions warmed up',
  ];
  if (quick)
    notes.push(
      `--quick: ${fmtCount(plan.dashboard.largeRows)} rows and ${fmtCount(plan.dashboard.many)} merchants stand in for 1 M and 10 k; \`npm run bench\` measures the real sizes.`,
    );
  for (const i of incidents) notes.push(i);
  if (o.registration?.create_failure_example)
    notes.push(`registration phase: a failed create answered ${o.registration.create_failure_example}`);
  for (const [name, err] of Object.entries(o.errors)) notes.push(`${name} failed: ${err.split('\n')[0]}`);
  return { json, lines, context, notes };
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const startedAt = Date.now();
  const tmp = await mkdtemp(join(tmpdir(), 'gs-bench-'));
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));
  const watchdog = setTimeout(() => {
    log(`watchdog: the run took longer than ${plan.watchdogMin} minutes; stopping`);
    void cleanup().finally(() => process.exit(124));
  }, plan.watchdogMin * 60_000);
  watchdog.unref();

  const errors: Record<string, string> = {};
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T | undefined> => {
    const t = Date.now();
    log(`${name}…`);
    try {
      const value = await work();
      log(`${name}: done in ${round((Date.now() - t) / 1000, 1)} s`);
      return value;
    } catch (err) {
      errors[name] = (err as Error)?.stack ?? String(err);
      log(`${name} FAILED: ${errors[name]}`);
      return undefined;
    }
  };

  const db = await database();
  log(
    `PostgreSQL ${db.settings.server_version} (fsync=${db.settings.fsync}, synchronous_commit=${db.settings.synchronous_commit})`,
  );
  const migrate = Child.node(
    'migrate',
    join(root, 'dist/src/database/migrate.js'),
    ['run'],
    apiEnv(db.url, 0),
    {
      cwd: tmp,
    },
  );
  if ((await migrate.exited) !== 0) throw new Error(`migrations failed:\n${migrate.lastLines()}`);
  const pop = await phase('load merchants, customers and history', () => populate(db.url));
  if (!pop) throw new Error('could not load the data set');

  const gen = LoadGenerator.start(tmp);
  const meter = new CpuMeter(db.postmaster, gen.pid);
  const outcome: Outcome = { pop, db, errors, pgbenchMissing: !findPgbench() };

  if (runs('create') || runs('realtime') || runs('registration')) {
    // The API as shipped: creates, real time, then registrations.
    const api = await startApi('api', db, tmp);
    try {
      if (runs('create')) {
        const barePort = await freePort();
        const bare = versus
          ? await startServer('versus', versus, apiEnv(db.url, barePort), barePort, tmp)
          : await startServer(
              'bare',
              join(here, 'bare-server.js'),
              {
                ...baseEnv(),
                DATABASE_URL: db.url,
                PORT: String(barePort),
                POOL_SIZE: String(POOL_SIZE),
                JWT_SECRET,
              },
              barePort,
              tmp,
            );
        outcome.creates = await phase('create', () => benchCreates(gen, meter, api, bare, pop));
        await stopServer(bare);
      }
      if (runs('realtime')) outcome.realtime = await phase('realtime', () => benchRealtime(api, pop));
      if (runs('registration')) {
        outcome.registration = await phase('registration', () => benchRegistration(gen, api, pop));
      }
    } finally {
      await stopServer(api);
    }
  }
  if (runs('pgbench') && !outcome.pgbenchMissing)
    outcome.pgbench = await phase('pgbench', () => benchPgbench(db, tmp, pop));
  await gen.stop();

  if (runs('dashboards')) {
    await dropDashboardDatabasesLater(db.adminUrl);
    const common = {
      adminUrl: db.adminUrl,
      requests: plan.dashboard.requests,
      warmup: plan.dashboard.warmup,
      log,
    };
    outcome.merchantDash = await phase('merchant_dashboard', () =>
      benchMerchantDashboard({
        ...common,
        smallRows: plan.dashboard.smallRows,
        largeRows: plan.dashboard.largeRows,
      }),
    );
    outcome.userDash = await phase('user_dashboard', () =>
      benchCustomerDashboard({
        ...common,
        fewMerchants: plan.dashboard.few,
        manyMerchants: plan.dashboard.many,
      }),
    );
  }

  if (runs('khata')) {
    if (!runs('dashboards')) await dropDashboardDatabasesLater(db.adminUrl);
    outcome.khata = await phase('khata', () => benchKhata({ adminUrl: db.adminUrl, log, ...plan.khata }));
  }

  const { json, lines, context, notes } = report(outcome, startedAt);
  await mkdir(RESULTS, { recursive: true });
  if (only) {
    await writeFile(join(RESULTS, 'partial.json'), JSON.stringify(json, null, 2) + '\n');
    log('a partial run (--only): wrote bench/results/partial.json');
  } else {
    await writeFile(join(RESULTS, 'latest.json'), JSON.stringify(json, null, 2) + '\n');
    await writeFile(join(RESULTS, 'latest.md'), markdown('GraminStore benchmark', context, lines, notes));
    log('wrote bench/results/latest.json and bench/results/latest.md');
  }
  console.log(`\n${plainTable(lines)}\n`);
  for (const n of notes) console.log(`- ${n}`);
  return Object.keys(errors).length ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  log(`the benchmark failed: ${(err as Error)?.stack ?? String(err)}`);
} finally {
  await cleanup();
}
process.exit(code);

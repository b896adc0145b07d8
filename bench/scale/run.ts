/**
 * `npm run bench:scale`: grows one database through 100, 10,000 and 50,000 merchants (20 sales each) and
 * at each size measures the API (production build, NODE_ENV=production) and the database, then writes
 * the figures with their ratios against the smallest size to bench/results/scale.json and scale.md.
 *
 * Options: `--sizes 100,2000` (any ascending list), `--max 50000` (the default sizes up to that),
 * `--out scale-before` (result file names), `--keep` (leave the grown database for inspection; it is
 * dropped otherwise). Environment: BENCH_SCALE_DATABASE_URL, the database to
 * drop, recreate and grow (default postgresql://postgres@127.0.0.1:5432/gs_bench_scale). Failures of a
 * measurement are recorded as errors in the table; they do not stop the run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../../src/database/embedded-postgres.js';
import { Child, PeakRssWatch, round, waitForHttp } from '../support.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, Api, JWT_SECRET } from './api.js';
import {
  adminList,
  apiBackendsRss,
  backendMemory,
  catalog,
  customerDashboard,
  deletions,
  khata,
  loadPhases,
  Merchants,
  migrationUnderWrites,
  schemaDump,
  settle,
  type Customer,
  type Plan,
} from './measure.js';
import { report, type SizeResult } from './report.js';
import { grow, layout } from './structure.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench/scale
const root = resolve(here, '../../..');
const RESULTS = join(root, 'bench', 'results');
const DEFAULT_SIZES = [100, 10_000, 50_000];
const log = (line: string) => console.error(`[scale ${new Date().toISOString().slice(11, 19)}] ${line}`);

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function sizes(): number[] {
  const listed = option('sizes');
  const max = Number(option('max') ?? Infinity);
  const chosen = listed
    ? listed.split(',').map((s) => Number(s.trim()))
    : DEFAULT_SIZES.filter((s) => s <= max);
  if (
    !chosen.length ||
    chosen.some((s, i) => !Number.isSafeInteger(s) || s < 10 || (i > 0 && s <= chosen[i - 1]))
  )
    throw new Error('--sizes: an ascending list of merchant counts, each at least 10 (e.g. 100,2000)');
  return chosen;
}

// A p99 of n samples is their maximum below n = 100: 20 registrations and 30 reads made those lines
// one outlier each (run 3 of bench/results/scale.md), so they take at least 100 now.
const plan: Plan = {
  concurrency: 8,
  loadSec: 10,
  registrations: 100,
  registrationRate: 2,
  settles: 50,
  reads: 200,
  deletes: 3,
  touchAllCap: 50_000,
};

function apiEnv(databaseUrl: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'])
    if (process.env[key]) env[key] = process.env[key];
  return {
    ...env,
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    JWT_SECRET,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ADMIN_PANEL: 'true',
    // The admin panel is reached as through a TLS-terminating proxy here (its cookie is Secure).
    TRUST_PROXY: '127.0.0.1',
    ACCESS_TOKEN_EXPIRE_MINUTES: '600',
    // One client address and a few shops at rates no shop reaches: the limits never refuse here.
    MERCHANT_WRITES_PER_SECOND: '0',
    REGISTRATIONS_PER_HOUR: '0',
  };
}

/** Drops and recreates the benchmark's own database, then applies the migrations with the app's CLI. */
async function freshDatabase(url: string, tmp: string): Promise<void> {
  await dropDatabase(url, true);
  const migrate = Child.node('migrate', join(root, 'dist/src/database/migrate.js'), ['run'], apiEnv(url, 0), {
    cwd: tmp,
  });
  if ((await migrate.exited) !== 0) throw new Error(`migrations failed:\n${migrate.lastLines()}`);
}

/** Drops the benchmark's database (only a `gs_…` one), and creates it anew when asked. */
async function dropDatabase(url: string, recreate = false): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^gs_[a-z0-9_]+$/.test(name)) throw new Error(`Refusing to drop database ${name}: use a gs_… name`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const server = new pg.Pool({ connectionString: admin.toString(), max: 1 });
  try {
    await server.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    if (recreate) await server.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await server.end();
  }
}

async function startApi(url: string, tmp: string) {
  const port = await freePort();
  const started = performance.now();
  // From the repository's root, as the Docker image runs it: the admin panel's bundler resolves its
  // plugins from the working directory.
  const child = Child.node('api', join(root, 'dist/src/main.js'), [], apiEnv(url, port), {
    cwd: root,
    logFile: join(tmp, 'api.log'),
  });
  await waitForHttp(`http://127.0.0.1:${port}/health/ready`, child, 600_000);
  return { child, startupMs: round(performance.now() - started), api: new Api(`http://127.0.0.1:${port}`) };
}

/** Runs a measurement; a failure becomes a recorded error instead of ending the run. */
async function attempt<T>(what: string, work: () => Promise<T>): Promise<T | { missing: string }> {
  try {
    return await work();
  } catch (err) {
    log(`${what} failed: ${String(err)}`);
    return { missing: `error: ${String(err).slice(0, 200)}` };
  }
}

async function main(): Promise<void> {
  const chosen = sizes();
  const url = process.env.BENCH_SCALE_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/gs_bench_scale';
  const database = new URL(url).pathname.slice(1);
  const out = option('out') ?? 'scale';
  const tmp = await mkdtemp(join(tmpdir(), 'gs-bench-scale-'));
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const results: SizeResult[] = [];
  const began = Date.now();
  try {
    log(`fresh database ${database}, migrations`);
    await freshDatabase(url, tmp);
    const shape = await layout(pool);
    const settings = await serverSettings(pool);
    const merchants = new Merchants();
    let customer: Customer | undefined;
    for (const size of chosen) {
      const add = size - merchants.size;
      log(`growing to ${size} merchants (+${add}, ${add * 20} sales)`);
      const grown = await grow(pool, add, size);
      merchants.add(grown.first, grown.count);
      log(`grown in ${grown.totalMs} ms (tables ${grown.provisionMs} ms); starting the API`);
      await pool.query('CHECKPOINT');
      const server = await startApi(url, tmp);
      const rss = new PeakRssWatch(server.child.pid);
      const { api } = server;
      try {
        if (!customer) customer = await makeCustomer(api, merchants);
        const c = customer;
        log('load phases');
        const load = await loadPhases(api, merchants, c, plan);
        log('settle, dashboards, admin');
        const settled = await attempt('settle', () => settle(api, load.open, plan));
        const dashboard = await attempt('customer dashboard', () => customerDashboard(api, c, plan));
        const onAccount = await attempt('khata', () => khata(api, c, plan));
        const admin = await attempt('admin sign-in', () => api.adminSession());
        const list = 'missing' in admin ? admin : await attempt('admin list', () => adminList(admin, plan));
        const deleted =
          'missing' in admin
            ? { deleteUser: admin, deleteMerchant: admin }
            : await deletions(api, admin, plan);
        const apiBackendMiB = await attempt('backend memory', () => apiBackendsRss(pool, database));
        log('schema migration under writes');
        const migration = await attempt('migration', () =>
          migrationUnderWrites(api, url, merchants, `bench_probe_${size}`),
        );
        log('catalog and backend probes');
        const memory = await attempt('fresh backend', () => backendMemory(url, merchants, plan));
        const dump = await schemaDump(url);
        const result: SizeResult = {
          merchants: size,
          provisionMs: grown.provisionMs,
          startupMs: server.startupMs,
          registrationIdle: load.registrationIdle,
          registrationUnderLoad: load.registrationUnderLoad,
          createIdle: load.createIdle,
          createDuringRegistrations: load.createDuringRegistrations,
          settle: settled,
          paymentOnAccount: 'missing' in onAccount ? onAccount : onAccount.paymentOnAccount,
          customerDashboard: dashboard,
          customerLedger: 'missing' in onAccount ? onAccount : onAccount.customerLedger,
          adminList: list,
          deleteUser: deleted.deleteUser,
          deleteMerchant: deleted.deleteMerchant,
          migration,
          apiBackendMiB,
          freshBackend: memory,
          catalog: await catalog(pool),
          schemaDumpMs: dump,
          apiPeakRssMiB: rss.stop(),
        };
        results.push(result);
        log(`size ${size} done`);
        await write(out, { shape, settings, started: began, results });
      } finally {
        await server.child.stop();
      }
    }
  } finally {
    await pool.end();
    await Child.stopAll();
    await rm(tmp, { recursive: true, force: true });
    if (!process.argv.includes('--keep')) await dropDatabase(url);
  }
}

/** One customer billed on account by ten shops (the dashboards read those shops' tables). */
async function makeCustomer(api: Api, merchants: Merchants): Promise<Customer> {
  const made = await api.registerUser();
  if (made.status !== 201) throw new Error(`customer registration answered ${made.status}`);
  const id = (made.body as { user_id: number }).user_id;
  const shops = [...merchants.all()].slice(0, 10);
  for (const shop of shops) {
    const sale = await api.createSale(shop, id);
    if (sale.status !== 201) throw new Error(`a sale to the customer answered ${sale.status}`);
  }
  return { id, shops };
}

/** The server's version and the settings docs/scaling.md sizes for tens of thousands of merchants. */
async function serverSettings(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ v: string; sb: string; ml: string; mc: string }>(
    `SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb,
            current_setting('max_locks_per_transaction') AS ml, current_setting('max_connections') AS mc`,
  );
  const [s] = rows;
  return `PostgreSQL ${s!.v.split(' ')[0]} on loopback (fsync on; shared_buffers ${s!.sb}, max_locks_per_transaction ${s!.ml}, max_connections ${s!.mc})`;
}

async function write(
  out: string,
  run: { shape: string; settings: string; started: number; results: SizeResult[] },
) {
  const context = [
    `run of ${new Date(run.started).toISOString().slice(0, 16).replace('T', ' ')} UTC, ${round((Date.now() - run.started) / 1000, 0)} s, on ${cpus().length} CPUs, Node ${process.version}`,
    `per-merchant tables: ${run.shape}; ${run.settings}; API: node dist/src/main.js, NODE_ENV=production`,
    `creates: ${plan.concurrency} loops for ${plan.loadSec} s over every merchant at random; registrations: ${plan.registrations} one after another, and ${plan.registrationRate}/s during creates`,
  ];
  const { json, md } = report(run.results, context);
  await writeFile(join(RESULTS, `${out}.json`), JSON.stringify({ ...json, plan }, null, 2) + '\n');
  await writeFile(join(RESULTS, `${out}.md`), md);
  console.log(md);
}

process.on('exit', () => Child.killAllNow());
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`${signal}: stopping`);
    process.exit(130);
  });
main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

/**
 * Real-time delivery (docs/architecture.md#benchmark): the delay from the 201 of `POST /transactions/create` to the receipt
 * of its `new_transaction` at N connected Socket.IO dashboards of that merchant, p50/p99 over every
 * (sale, dashboard) pair.
 *
 * - measureRealtimeDelay(options): against instances that are already running (the benchmark's own):
 *   sales are recorded on `createUrl`, dashboards connect to `dashboardUrls` (round robin); give a
 *   second instance there, sharing a Redis with the first, to measure delivery across instances.
 * - runRealtimeBench(options): starts the API itself (`node dist/src/main.js`, production settings)
 *   on a PostgreSQL (a scratch embedded one by default) and measures one instance without Redis and,
 *   with a Redis URL, one instance with Redis and two instances through Redis (sales on the first,
 *   every dashboard on the second).
 *
 * The dashboards live in this process; each sale is recorded only after the previous one reached
 * every dashboard (or timed out), so each measures one fan-out on a quiet system.
 *
 * Run alone: `npm run build && npx tsc -p bench/tsconfig.json && node dist/bench/realtime.js
 * [redis://127.0.0.1:6379/9]` (a Redis database of its own: the instances use the default prefix).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient } from 'redis';
import { io, type Socket } from 'socket.io-client';
import { freePort, startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { Child, round, sleep, summarize, waitForHttp, type LatencySummary } from './support.js';

export interface RealtimeDelayOptions {
  /** Base URL of the instance that records the sales. */
  createUrl: string;
  /** Base URLs the dashboards connect to, round robin; default `[createUrl]`. */
  dashboardUrls?: string[];
  /** A merchant (access token) and optionally a customer of theirs; default: registered here. */
  merchant?: { token: string; userId?: number };
  /** Connected dashboards (all the merchant's); default 1000. */
  clients?: number;
  /** Measured sales; default 50 (so 50 × clients samples). */
  sales?: number;
  /** Sales before measuring; default 5. */
  warmup?: number;
  /** How long one sale may take to reach every dashboard before it counts as lost; default 10 s. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface RealtimeDelayResult {
  clients: number;
  dashboard_instances: number;
  sales: number;
  /** (sale, dashboard) receipts measured, and those that never arrived. */
  deliveries: number;
  lost: number;
  /** 201 → receipt at each dashboard. */
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  max_ms: number;
  /** 201 → receipt at the last of the dashboards (how long a whole fan-out takes). */
  fanout_p50_ms: number;
  fanout_p99_ms: number;
  /** Request sent → receipt, and the create's own latency. */
  from_request_p50_ms: number;
  from_request_p99_ms: number;
  create_p50_ms: number;
  create_p99_ms: number;
  /** Receipts before the 201 had arrived (counted with a negative delay). */
  before_201: number;
  connect_ms: number;
}

const json = { 'content-type': 'application/json' };

async function post(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: token ? { ...json, authorization: `Bearer ${token}` } : json,
    body: JSON.stringify(body),
  });
  const payload = (await res.json()) as Record<string, unknown>;
  if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${JSON.stringify(payload)}`);
  return payload;
}

/** A fresh merchant and customer through the public API. */
async function registerShop(baseUrl: string): Promise<{ token: string; userId: number }> {
  const tag = `${Date.now().toString(36)}${process.pid}`;
  const phone = () => `+919${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  const shop = await post(`${baseUrl}/api/v2/auth/register/merchant`, {
    name: `Realtime Bench ${tag}`,
    email: `rt.bench.${tag}@example.com`,
    phone: phone(),
    password: 'merchant123',
    business_name: `Bench Kirana ${tag}`,
    business_type: 'kirana',
    city: 'Pune',
    state: 'Maharashtra',
    zip_code: '411001',
    aadhar_number: '123456789012',
  });
  const user = await post(`${baseUrl}/api/v2/auth/register/user`, {
    name: `Bench Customer ${tag}`,
    email: `rt.bench.user.${tag}@example.com`,
    phone: phone(),
    password: 'till-roll-4821',
  });
  return { token: String(shop.access_token), userId: Number(user.user_id) };
}

/** Connects one dashboard and resolves once it has joined its room (the `ready` event). */
function dashboard(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}/realtime`, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
    });
    socket.once('ready', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** One sale's timings: when it was sent, when its 201 arrived, when each dashboard got it. */
interface SaleSample {
  sentAt: number;
  createdAt: number;
  times: Float64Array;
}

/**
 * `clients` dashboards of one merchant, connected and listening, and a way to record one sale and
 * wait until every dashboard has it. Several fleets (scenarios) can be measured interleaved, so the
 * machine's noise hits them alike.
 */
export class DashboardFleet {
  private readonly receipts = new Map<string, { times: Float64Array; pending: number; done: () => void }>();
  private readonly sockets: Socket[] = [];
  private readonly tag = `rt-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private count = 0;
  connectMs = 0;

  private constructor(
    readonly createUrl: string,
    readonly dashboardUrls: string[],
    readonly clients: number,
    private readonly merchant: { token: string; userId?: number },
    private readonly timeoutMs: number,
  ) {}

  static async connect(options: RealtimeDelayOptions): Promise<DashboardFleet> {
    const fleet = new DashboardFleet(
      options.createUrl,
      options.dashboardUrls ?? [options.createUrl],
      options.clients ?? 1000,
      options.merchant ?? (await registerShop(options.createUrl)),
      options.timeoutMs ?? 10_000,
    );
    try {
      await fleet.open();
    } catch (err) {
      fleet.close();
      throw err;
    }
    return fleet;
  }

  private async open(): Promise<void> {
    const started = performance.now();
    for (let i = 0; i < this.clients; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, this.clients - i) }, (_, j) =>
          dashboard(this.dashboardUrls[(i + j) % this.dashboardUrls.length]!, this.merchant.token),
        ),
      );
      batch.forEach((socket, j) => {
        const index = i + j;
        socket.on('new_transaction', (event: { data: { description: string | null } }) => {
          const at = performance.now();
          const sale = this.receipts.get(event.data.description ?? '');
          if (!sale || !Number.isNaN(sale.times[index])) return;
          sale.times[index] = at;
          if (--sale.pending === 0) sale.done();
        });
        this.sockets.push(socket);
      });
    }
    this.connectMs = performance.now() - started;
  }

  /** Records one sale through REST and waits until every dashboard has it (or the timeout). */
  async sale(): Promise<SaleSample> {
    const description = `${this.tag}-${this.count++}`;
    const times = new Float64Array(this.clients).fill(Number.NaN);
    const all = new Promise<void>((done) =>
      this.receipts.set(description, { times, pending: this.clients, done }),
    );
    const body = { amount: 25.5, type: 'paid', payment_method: 'upi', description };
    const sentAt = performance.now();
    await post(
      `${this.createUrl}/api/v2/transactions/create`,
      this.merchant.userId
        ? { ...body, user_id: this.merchant.userId }
        : { ...body, is_guest_transaction: true },
      this.merchant.token,
    );
    const createdAt = performance.now();
    await Promise.race([all, sleep(this.timeoutMs)]);
    this.receipts.delete(description);
    return { sentAt, createdAt, times };
  }

  close(): void {
    for (const socket of this.sockets) socket.close();
  }
}

/** Summarises measured sales of one fleet. */
export function summarizeSales(fleet: DashboardFleet, samples: SaleSample[]): RealtimeDelayResult {
  const delays: number[] = [];
  const fromRequest: number[] = [];
  const fanouts: number[] = [];
  let lost = 0;
  let early = 0;
  for (const { sentAt, createdAt, times } of samples) {
    let last = Number.NEGATIVE_INFINITY;
    for (const at of times) {
      if (Number.isNaN(at)) {
        lost += 1;
        continue;
      }
      delays.push(at - createdAt);
      fromRequest.push(at - sentAt);
      if (at < createdAt) early += 1;
      last = Math.max(last, at);
    }
    if (last > Number.NEGATIVE_INFINITY) fanouts.push(last - createdAt);
  }
  const d: LatencySummary = summarize(delays);
  const creates = summarize(samples.map((s) => s.createdAt - s.sentAt));
  return {
    clients: fleet.clients,
    dashboard_instances: fleet.dashboardUrls.length,
    sales: samples.length,
    deliveries: d.samples,
    lost,
    p50_ms: d.p50,
    p99_ms: d.p99,
    mean_ms: d.mean,
    max_ms: d.max,
    fanout_p50_ms: summarize(fanouts).p50,
    fanout_p99_ms: summarize(fanouts).p99,
    from_request_p50_ms: summarize(fromRequest).p50,
    from_request_p99_ms: summarize(fromRequest).p99,
    create_p50_ms: creates.p50,
    create_p99_ms: creates.p99,
    before_201: early,
    connect_ms: round(fleet.connectMs, 0),
  };
}

const describe = (r: RealtimeDelayResult) =>
  `delay 201 → receipt at ${r.clients} dashboards: p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms ` +
  `(whole fan-out p50 ${r.fanout_p50_ms} ms, p99 ${r.fanout_p99_ms} ms; lost ${r.lost})`;

/** Measures delivery delay at `clients` dashboards; see the file comment. */
export async function measureRealtimeDelay(options: RealtimeDelayOptions): Promise<RealtimeDelayResult> {
  const log = options.log ?? (() => undefined);
  const fleet = await DashboardFleet.connect(options);
  try {
    log(`${fleet.clients} dashboards connected in ${Math.round(fleet.connectMs)} ms`);
    const samples: SaleSample[] = [];
    for (let k = 0; k < (options.warmup ?? 5) + (options.sales ?? 50); k++) {
      const sample = await fleet.sale();
      if (k >= (options.warmup ?? 5)) samples.push(sample);
      await sleep(50);
    }
    const result = summarizeSales(fleet, samples);
    log(describe(result));
    return result;
  } finally {
    fleet.close();
  }
}

export interface RealtimeBenchOptions {
  /** A database URL to run against (migrated here); default: a scratch embedded PostgreSQL. */
  databaseUrl?: string;
  /** Redis for the scenarios through Redis; without it only the single instance is measured. */
  redisUrl?: string;
  clients?: number;
  sales?: number;
  log?: (line: string) => void;
}

export interface RealtimeBenchResult {
  /** The machine is shared by the API, the dashboards and whatever else runs: its 1-minute load. */
  machine: { cpus: number; load_before: number; load_after?: number };
  one_instance: RealtimeDelayResult;
  one_instance_with_redis?: RealtimeDelayResult;
  two_instances_through_redis?: RealtimeDelayResult;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..'); // from dist/bench

/** Starts instances of the API and measures the scenarios of the file comment. */
export async function runRealtimeBench(options: RealtimeBenchOptions = {}): Promise<RealtimeBenchResult> {
  const log = options.log ?? ((line: string) => console.error(`[realtime] ${line}`));
  const tmp = await mkdtemp(join(tmpdir(), 'gs-bench-rt-'));
  const stops: (() => Promise<unknown>)[] = [() => rm(tmp, { recursive: true, force: true })];
  try {
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      // A directory of its own: as root, the server runs as `postgres`, who must be able to reach it.
      const dir = await mkdtemp(join(tmpdir(), 'gs-bench-rt-pg-'));
      stops.unshift(() => rm(dir, { recursive: true, force: true }));
      const pg = await startEmbeddedPostgres({ dir, persistent: false });
      stops.unshift(() => pg.stop());
      databaseUrl = pg.url;
    }
    const env = (port: number, redisUrl?: string): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      JWT_SECRET: 'graminstore-realtime-benchmark-secret-0123456789',
      ADMIN_PASSWORD: 'realtime-benchmark-admin',
      ADMIN_PANEL: 'false',
      LOG_LEVEL: 'warn',
      ACCESS_TOKEN_EXPIRE_MINUTES: '600',
      REGISTRATIONS_PER_HOUR: '0',
      ...(redisUrl && { REDIS_URL: redisUrl }),
    });
    const migrate = Child.node('migrate', join(root, 'dist/src/database/migrate.js'), ['run'], env(0), {
      cwd: tmp,
    });
    if ((await migrate.exited) !== 0) throw new Error(`migrations failed:\n${migrate.lastLines()}`);

    const start = async (name: string, redisUrl?: string) => {
      const port = await freePort();
      const child = Child.node(name, join(root, 'dist/src/main.js'), [], env(port, redisUrl), {
        cwd: tmp,
        logFile: join(tmp, `${name}.log`),
      });
      const url = `http://127.0.0.1:${port}`;
      await waitForHttp(`${url}/health/ready`, child);
      return { url, stop: () => child.stop() };
    };
    const machine: RealtimeBenchResult['machine'] = {
      cpus: cpus().length,
      load_before: round(loadavg()[0]!),
    };
    const alone = await start('api-alone');
    stops.unshift(alone.stop);
    const scenarios: [keyof Omit<RealtimeBenchResult, 'machine'>, string, string][] = [
      ['one_instance', alone.url, alone.url],
    ];
    if (options.redisUrl) {
      const first = await start('api-1', options.redisUrl);
      stops.unshift(first.stop);
      const second = await start('api-2', options.redisUrl);
      stops.unshift(second.stop);
      scenarios.push(['one_instance_with_redis', first.url, first.url]);
      // Sales on the first instance, every dashboard on the second.
      scenarios.push(['two_instances_through_redis', first.url, second.url]);
    }
    const fleets: DashboardFleet[] = [];
    stops.unshift(async () => fleets.forEach((f) => f.close()));
    for (const [name, createUrl, dashboardUrl] of scenarios) {
      const fleet = await DashboardFleet.connect({
        createUrl,
        dashboardUrls: [dashboardUrl],
        clients: options.clients,
      });
      log(`${name}: ${fleet.clients} dashboards connected in ${Math.round(fleet.connectMs)} ms`);
      fleets.push(fleet);
    }
    // Interleaved, in a rotating order, so the machine's noise falls on every scenario alike.
    const samples = fleets.map((): SaleSample[] => []);
    const warmup = 5;
    const sales = options.sales ?? 50;
    for (let k = 0; k < warmup + sales; k++)
      for (let j = 0; j < fleets.length; j++) {
        const i = (j + k) % fleets.length;
        const sample = await fleets[i]!.sale();
        if (k >= warmup) samples[i]!.push(sample);
        await sleep(50);
      }
    const result = { machine } as RealtimeBenchResult;
    scenarios.forEach(([name], i) => {
      result[name] = summarizeSales(fleets[i]!, samples[i]!);
      log(`${name}: ${describe(result[name]!)}`);
    });
    for (const fleet of fleets) fleet.close();
    if (options.redisUrl) {
      // Everything but the temporary directory stops first, so nothing writes to Redis after this.
      for (const stop of stops.splice(0, stops.length - 1)) await stop().catch(() => undefined);
      // The instances' stream and recovery sessions (default prefix) in this Redis database.
      const redis = createClient({ url: options.redisUrl });
      await redis.connect();
      for await (const keys of redis.scanIterator({ MATCH: 'graminstore:socket.io*' }))
        if (keys.length) await redis.del(keys);
      await redis.close();
    }
    machine.load_after = round(loadavg()[0]!);
    return result;
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const redisUrl = process.argv[2] ?? process.env.REDIS_URL;
  runRealtimeBench({ redisUrl })
    .then((result) => {
      const { machine, ...scenarios } = result;
      console.error(`[realtime] ${machine.cpus} CPUs, load ${machine.load_before} → ${machine.load_after}`);
      const rows = Object.entries(scenarios).map(([scenario, r]) => ({
        scenario,
        clients: r.clients,
        'p50 ms': r.p50_ms,
        'p99 ms': r.p99_ms,
        'fan-out p99 ms': r.fanout_p99_ms,
        'create p50 ms': r.create_p50_ms,
        lost: r.lost,
      }));
      console.table(rows);
      console.log(JSON.stringify(result, null, 2));
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}

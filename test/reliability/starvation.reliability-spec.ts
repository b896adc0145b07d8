import { connect, type Socket } from 'node:net';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { Client, type Reply } from './support/http.js';
import { spawnApp, type AppProcess } from './support/spawn.js';
import { createWorld, type World } from './support/workload.js';
import { merchantTable } from '../support/transactions.js';

/**
 * No tenant can starve the others: while one merchant floods the server with writes and 24 CSV
 * exports are opened and never read, another merchant's creates and dashboards keep their p99 under
 * 3 × their idle p99 and never fail. Every bound is a ratio measured in the same run (the idle p99 is
 * the worse of a window before and one after the load), so a loaded 2-core machine slows both sides.
 * Knobs: RELIABILITY_STARVATION_SECONDS (length of each window, default 8) and
 * RELIABILITY_STARVATION_FLOOD (the flooding merchant's attempted writes per second, default 100: five times
 * the sustained per-merchant limit).
 */
const WINDOW_S = Number(process.env.RELIABILITY_STARVATION_SECONDS ?? 8);
const STALLED_EXPORTS = 24;
const EXPORTING_MERCHANTS = 6;
const FLOOD_PER_SECOND = Number(process.env.RELIABILITY_STARVATION_FLOOD ?? 100);
/** Two quiet workers, one sale each per round: 10 sales a second, half the per-merchant limit. */
const QUIET_ROUND_MS = 200;
const ROWS_PER_BOOK = 25_000;

const p99 = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Window {
  create: number[];
  dashboard: number[];
  failures: string[];
}

describe('no tenant starves the others', () => {
  let database: TestDatabase;
  let app: AppProcess;
  let client: Client;
  /** The flooding merchant's own connections: its queue must not be the quiet merchant's queue. */
  let floodClient: Client;
  let db: pg.Pool;
  let world: World;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await spawnApp({
      databaseUrl: database.url,
      // The exports stay stalled through the whole measurement.
      env: { EXPORT_STALL_TIMEOUT_MS: '120000' },
    });
    client = new Client(app.baseUrl, 64, 30_000);
    floodClient = new Client(app.baseUrl, 32, 30_000);
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    world = await createWorld(client, 2 + EXPORTING_MERCHANTS, 4);
    // Books big enough that an unread export cannot drain into the sockets' buffers: it stalls.
    const loader = await db.connect();
    try {
      await loader.query(`SET graminstore.rollups = 'off'`);
      for (const m of world.merchants.slice(2))
        await loader.query(
          `INSERT INTO ${merchantTable(m.id)} (merchant_id, user_id, amount_paise, type, status, paid_paise, occurred_at, description)
           SELECT $1, $2, 100 + g, 'paid', 'paid', 100 + g, now() - g * interval '1 second', repeat('x', 600)
             FROM generate_series(1, ${ROWS_PER_BOOK}) g`,
          [m.id, world.users[0].id],
        );
    } finally {
      loader.release();
    }
  }, 180_000);
  afterAll(async () => {
    client?.close();
    floodClient?.close();
    await app?.stop();
    await db?.end();
    await database?.drop();
  });

  /**
   * The quiet merchant's work: a sale, then its dashboard, by two workers, each starting one round at
   * most every QUIET_ROUND_MS: a busy counter, well inside the per-merchant write limit.
   */
  async function measure(seconds: number): Promise<Window> {
    const b = world.merchants[1];
    const out: Window = { create: [], dashboard: [], failures: [] };
    const until = Date.now() + seconds * 1000;
    const note = (what: string, r: Reply) => {
      if (r.status < 200 || r.status >= 300)
        out.failures.push(`${what}: ${r.status} ${r.error ?? r.text.slice(0, 120)}`);
    };
    const worker = async () => {
      for (let next = Date.now(); Date.now() < until; next += QUIET_ROUND_MS) {
        await sleep(next - Date.now());
        const sale = await client.post('/api/v2/transactions/create', {
          headers: b.auth,
          body: { user_id: world.users[1].id, amount: 12.5, type: 'paid', payment_method: 'cash' },
        });
        note('create', sale);
        out.create.push(sale.ms);
        const dash = await client.get('/api/v2/dashboard/merchant?days=30', { headers: b.auth });
        note('dashboard', dash);
        out.dashboard.push(dash.ms);
      }
    };
    await Promise.all([worker(), worker()]);
    return out;
  }

  /** An export opened over a raw socket and never read. */
  function stalledExport(auth: Record<string, string>): Socket {
    const socket = connect(Number(new URL(app.baseUrl).port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(
      `GET /api/v2/transactions/export.csv HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${auth.Authorization}\r\n\r\n`,
    );
    socket.pause();
    return socket;
  }

  /**
   * One merchant's writes, open loop at a fixed rate, far beyond what a shop needs. `limited` resolves
   * at the first refusal (429): from then on the flood is held to the sustained per-merchant rate.
   */
  function flood(seconds: number): {
    done: Promise<Map<number, number>>;
    limited: Promise<void>;
    stop: () => void;
  } {
    const a = world.merchants[0];
    const statuses = new Map<number, number>();
    const pending: Promise<void>[] = [];
    let onLimited = () => undefined as void;
    const limited = new Promise<void>((resolve) => (onLimited = resolve));
    let until = Date.now() + seconds * 1000;
    const done = new Promise<Map<number, number>>((resolve) => {
      const timer = setInterval(() => {
        if (Date.now() >= until) {
          clearInterval(timer);
          void Promise.all(pending).then(() => resolve(statuses));
          return;
        }
        for (let i = 0; i < FLOOD_PER_SECOND / 20; i++)
          pending.push(
            floodClient
              .post('/api/v2/transactions/create', {
                headers: a.auth,
                body: { user_id: world.users[2].id, amount: 1, type: 'pay_later', description: 'flood' },
              })
              .then((r) => {
                statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
                if (r.status === 429) onLimited();
              }),
          );
      }, 50);
    });
    return { done, limited, stop: () => (until = 0) };
  }

  it(`${STALLED_EXPORTS} stalled exports and a write flood leave another merchant's p99 under 3 × idle`, async () => {
    await measure(2); // warm-up
    const idleBefore = await measure(WINDOW_S);

    const sockets: Socket[] = [];
    const exporters = world.merchants.slice(2);
    for (let i = 0; i < STALLED_EXPORTS; i++)
      sockets.push(stalledExport(exporters[i % exporters.length].auth));
    // Measured once the flood's burst allowance is spent: the sustained state of a flood.
    const flooding = flood(WINDOW_S + 30);
    await Promise.race([flooding.limited, sleep(20_000)]);
    await sleep(1000);
    let loaded: Window;
    let copies: number;
    try {
      loaded = await measure(WINDOW_S);
      copies = (await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'COPY (%'`))
        .rows[0].n as number;
    } finally {
      flooding.stop();
      const floodStatuses = await flooding.done;
      for (const s of sockets) s.destroy();
      console.log(`[reliability] starvation flood statuses ${JSON.stringify([...floodStatuses])}`);
    }
    const idleAfter = await measure(WINDOW_S);

    const idle = {
      create: Math.max(p99(idleBefore.create), p99(idleAfter.create)),
      dashboard: Math.max(p99(idleBefore.dashboard), p99(idleAfter.dashboard)),
    };
    const underLoad = { create: p99(loaded.create), dashboard: p99(loaded.dashboard) };
    console.log(
      `[reliability] starvation ${JSON.stringify({
        idle,
        underLoad,
        ratio: {
          create: +(underLoad.create / idle.create).toFixed(2),
          dashboard: +(underLoad.dashboard / idle.dashboard).toFixed(2),
        },
        samples: { idle: idleBefore.create.length + idleAfter.create.length, loaded: loaded.create.length },
        copies,
      })}`,
    );

    // The load was real: exports were running (stalled) while we measured.
    expect(copies).toBeGreaterThan(0);
    expect(loaded.create.length).toBeGreaterThan(20);
    expect([...idleBefore.failures, ...loaded.failures, ...idleAfter.failures]).toEqual([]);
    expect(underLoad.create).toBeLessThan(3 * idle.create);
    expect(underLoad.dashboard).toBeLessThan(3 * idle.dashboard);
  });
});

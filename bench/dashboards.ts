/**
 * Dashboard benchmarks: does the cost grow with history or with the number of merchants?
 *
 * - benchMerchantDashboard: GET /dashboard/merchant for a merchant with 10 k rows and one with 1 M rows
 *   in their table (same database, requests alternated so the machine's noise hits both alike).
 * - benchCustomerDashboard: GET /dashboard/user for a customer of 5 merchants in a system of 10
 *   merchants and in one of 10 k merchants (two databases on one server, requests alternated).
 *
 * Data is generated with set-based SQL (INSERT ... SELECT generate_series) with the rollup triggers
 * switched off for the session, then the rollups are rebuilt, as a bulk loader would. Each scenario
 * runs the real application (AppModule + configureApp) on a loopback port and measures sequential
 * requests over keep-alive HTTP. Without `adminUrl` a scratch embedded PostgreSQL is started.
 *
 * Run alone: compile (`npx tsc -p tsconfig.json --outDir <dir>`), then
 * `node <dir>/bench/dashboards.js [all|merchant|customer] [<maintenance database URL>] [--reuse]`.
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { configureApp } from '../src/app.setup.js';
import { AccessTokenService } from '../src/common/auth/access-token.js';
import type { Role } from '../src/common/auth/role.js';
import { loadConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';
import type { EntityManager } from 'typeorm';
import { TransactionTableFactory } from '../src/modules/transactions/transaction-table.factory.js';

export interface BenchOptions {
  /** Maintenance-database URL of a PostgreSQL server to use; default: a scratch embedded one. */
  adminUrl?: string;
  /**
   * With `adminUrl`: keep the scenario databases and reuse them when they were built with the same
   * parameters (building 10 k merchant tables takes many minutes).
   */
  reuse?: boolean;
  /** Measured requests per target (after the warm-up). */
  requests?: number;
  warmup?: number;
  log?: (line: string) => void;
}

export interface LatencyStats {
  samples: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export interface MerchantDashboardBench {
  endpoint: string;
  small: LatencyStats & { rows: number };
  large: LatencyStats & { rows: number };
  /** large.p99 / small.p99: the goal is at most 2. */
  p99Ratio: number;
}

export interface CustomerDashboardBench {
  endpoint: string;
  customerMerchants: number;
  few: LatencyStats & { merchants: number };
  many: LatencyStats & { merchants: number };
  /** many.p99 / few.p99: the goal is at most 2. */
  p99Ratio: number;
}

const ROLLUPS_OFF = `SET graminstore.rollups = 'off'`;

/** Merchant dashboard p50/p99 with `smallRows` and `largeRows` rows in the merchant's table. */
export async function benchMerchantDashboard(
  options: BenchOptions & { smallRows?: number; largeRows?: number } = {},
): Promise<MerchantDashboardBench> {
  const smallRows = options.smallRows ?? 10_000;
  const largeRows = options.largeRows ?? 1_000_000;
  const log = options.log ?? (() => undefined);
  return withServer(options, async (adminUrl) => {
    const key = `merchant:${smallRows}:${largeRows}`;
    const { url, meta } = await scenarioDatabase(
      adminUrl,
      'gs_bench_dash_merchant',
      key,
      options,
      async (db) => {
        const users = await insertUsers(db, 2000);
        const [small, large] = await insertMerchants(db, 2);
        for (const [merchant, rows] of [
          [small, smallRows],
          [large, largeRows],
        ] as const) {
          const started = Date.now();
          await insertHistory(db, merchant, rows, users, 365);
          log(`merchant ${merchant}: ${rows} rows in ${Date.now() - started} ms`);
          await db.query(`SELECT dashboard_rebuild_rollups($1)`, [merchant]);
        }
        await linkCustomers(db, [small, large]);
        await db.query(`ANALYZE`);
        return { small, large };
      },
    );
    const { small, large } = meta;
    return withApp(url, async (app) => {
      const endpoint = '/api/v2/dashboard/merchant?days=30';
      const [s, l] = await measureAlternating(
        app.baseUrl,
        endpoint,
        [app.token(small, 'merchant'), app.token(large, 'merchant')],
        options,
      );
      return {
        endpoint,
        small: { rows: smallRows, ...s },
        large: { rows: largeRows, ...l },
        p99Ratio: round(l.p99 / s.p99),
      };
    });
  });
}

/** Customer dashboard p99 with `fewMerchants` and `manyMerchants` merchants in the system. */
export async function benchCustomerDashboard(
  options: BenchOptions & { fewMerchants?: number; manyMerchants?: number } = {},
): Promise<CustomerDashboardBench> {
  const sizes = [options.fewMerchants ?? 10, options.manyMerchants ?? 10_000];
  const customerMerchants = 5;
  const log = options.log ?? (() => undefined);
  return withServer(options, async (adminUrl) => {
    const urls: string[] = [];
    const customers: number[] = [];
    for (const size of sizes) {
      const started = Date.now();
      const { url, meta } = await scenarioDatabase(
        adminUrl,
        `gs_bench_dash_customers_${size}`,
        `customers:${size}`,
        options,
        async (db) => {
          const users = await insertUsers(db, 1000);
          const merchants = await insertMerchants(db, size);
          log(`${size} merchant tables in ${Date.now() - started} ms`);
          // Everyone else: 20 sales per merchant by other customers, over a year. In chunks of
          // merchants: one transaction writing thousands of tables would lock them all at once.
          for (const chunk of chunks(merchants, 200))
            await db.query(
              chunk
                .map(
                  (m) =>
                    `INSERT INTO ${TransactionTableFactory.quotedTableName(m)} (merchant_id, user_id, amount_paise, type, status, paid_paise, payment_method, occurred_at)
                     SELECT ${Number(m)}, ${users.first} + 1 + (${Number(m)} * 31 + g) % (${users.count} - 1),
                            100 + (${Number(m)} * 7919 + g * 104729) % 500000,
                            CASE WHEN g % 4 = 0 THEN 'pay_later' ELSE 'paid' END, CASE WHEN g % 4 = 0 THEN 'due' ELSE 'paid' END,
                            CASE WHEN g % 4 = 0 THEN 0 ELSE 100 + (${Number(m)} * 7919 + g * 104729) % 500000 END,
                            'upi', now() - ((${Number(m)} + g * 17) % 365) * interval '1 day'
                       FROM generate_series(1, 20) g`,
                )
                .join(';\n'),
            );
          // The measured customer: 200 purchases at each of 5 merchants over the last 90 days.
          const customer = users.first;
          for (const m of merchants.slice(0, customerMerchants))
            await db.query(
              `INSERT INTO ${TransactionTableFactory.quotedTableName(m)} (merchant_id, user_id, amount_paise, type, status, paid_paise, payment_method, occurred_at)
               SELECT $1::integer, $2::integer, 100 + (g * 104729) % 50000, CASE WHEN g % 5 = 0 THEN 'pay_later' ELSE 'paid' END,
                      CASE WHEN g % 5 = 0 THEN 'due' ELSE 'paid' END,
                      CASE WHEN g % 5 = 0 THEN 0 ELSE 100 + (g * 104729) % 50000 END, 'cash',
                      now() - (g * 97 % 2160) * interval '1 hour'
                 FROM generate_series(1, 200) g`,
              [m, customer],
            );
          for (const chunk of chunks(merchants, 200)) {
            await db.query(`SELECT dashboard_rebuild_rollups(id) FROM unnest($1::integer[]) id`, [chunk]);
            await linkCustomers(db, chunk);
          }
          await db.query(`ANALYZE merchants, users, customer_merchants, customer_merchant_totals`);
          for (const m of merchants.slice(0, customerMerchants))
            await db.query(`ANALYZE ${TransactionTableFactory.quotedTableName(m)}`);
          return { customer };
        },
      );
      log(`${size} merchants ready in ${Date.now() - started} ms`);
      urls.push(url);
      customers.push(meta.customer);
    }
    return withApp(urls[0], (few) =>
      withApp(urls[1], async (many) => {
        const endpoint = '/api/v2/dashboard/user?tz=Asia/Kolkata';
        const [f, m] = await measureAlternating(
          [few.baseUrl, many.baseUrl],
          endpoint,
          [few.token(customers[0], 'user'), many.token(customers[1], 'user')],
          options,
        );
        return {
          endpoint,
          customerMerchants,
          few: { merchants: sizes[0], ...f },
          many: { merchants: sizes[1], ...m },
          p99Ratio: round(m.p99 / f.p99),
        };
      }),
    );
  });
}

export async function withServer<T>(
  options: BenchOptions,
  run: (adminUrl: string) => Promise<T>,
): Promise<T> {
  if (options.adminUrl) return run(options.adminUrl);
  const dir = await mkdtemp(join(tmpdir(), 'gs-bench-dash-'));
  let server: EmbeddedDatabase | undefined;
  try {
    server = await startEmbeddedPostgres({ dir, persistent: false, fast: true, database: 'postgres' });
    return await run(server.adminUrl);
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The scenario's database, migrated and seeded by `seed` (on one session with the rollup triggers off),
 * or, with `reuse`, the one a previous run built for the same `key`.
 */
export async function scenarioDatabase<T>(
  adminUrl: string,
  name: string,
  key: string,
  options: BenchOptions,
  seed: (db: pg.Client) => Promise<T>,
): Promise<{ url: string; meta: T }> {
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  const url = target.toString();
  if (options.reuse && options.adminUrl) {
    const meta = await readMarker<T>(url, key);
    if (meta) return { url, meta };
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const dataSource = new DataSource(dataSourceOptions({ url, poolSize: 1 }));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(ROLLUPS_OFF);
    const meta = await seed(db);
    await db.query(`CREATE TABLE bench_marker (key text PRIMARY KEY, meta jsonb NOT NULL)`);
    await db.query(`INSERT INTO bench_marker VALUES ($1, $2)`, [key, JSON.stringify(meta)]);
    return { url, meta };
  } finally {
    await db.end();
  }
}

async function readMarker<T>(url: string, key: string): Promise<T | undefined> {
  const db = new pg.Client({ connectionString: url });
  try {
    await db.connect();
    const { rows } = await db.query(`SELECT meta FROM bench_marker WHERE key = $1`, [key]);
    return rows[0]?.meta as T | undefined;
  } catch {
    return undefined; // no such database or marker: build it
  } finally {
    await db.end().catch(() => undefined);
  }
}

export async function insertUsers(db: pg.Client, count: number): Promise<{ first: number; count: number }> {
  const { rows } = await db.query(
    `INSERT INTO users (name, email, phone, password_hash)
     SELECT 'Customer ' || g, 'customer' || g || '@bench.example', '+91' || (7000000000 + g)::text, 'x'
       FROM generate_series(1, $1::integer) g
     RETURNING id`,
    [count],
  );
  return { first: Math.min(...rows.map((r) => r.id as number)), count };
}

/** Merchants with their tables, as registration provisions them (through TransactionTableFactory). */
export async function insertMerchants(db: pg.Client, count: number): Promise<number[]> {
  const { rows } = await db.query(
    `INSERT INTO merchants (name, email, phone, password_hash, business_name)
     SELECT 'Merchant ' || g, 'merchant' || g || '@bench.example', '+91' || (6000000000 + g)::text, 'x',
            'Store ' || g
       FROM generate_series(1, $1::integer) g
     RETURNING id`,
    [count],
  );
  const ids = rows.map((r) => r.id as number).sort((a, b) => a - b);
  // A few hundred per transaction: every new table and index takes a lock until commit.
  const factory = new TransactionTableFactory();
  const manager = {
    query: async (sql: string, params?: unknown[]) => (await db.query(sql, params)).rows,
  } as unknown as EntityManager;
  for (let i = 0; i < ids.length; i += 200) {
    await db.query('BEGIN');
    await factory.provisionMany(manager, ids.slice(i, i + 200));
    await db.query('COMMIT');
  }
  return ids;
}

/** `rows` sales over the last `days` days: 80 % registered customers, 20 % guests, a quarter pay-later. */
export async function insertHistory(
  db: pg.Client,
  merchantId: number,
  rows: number,
  users: { first: number; count: number },
  days: number,
): Promise<void> {
  const guests = Math.floor(rows / 5);
  const { rows: g } = await db.query(
    `WITH i AS (INSERT INTO guest_users (merchant_id) SELECT $1 FROM generate_series(1, $2::integer) RETURNING id)
     SELECT min(id) AS first FROM i`,
    [merchantId, guests],
  );
  const firstGuest = Number(g[0].first);
  await db.query(
    `INSERT INTO ${TransactionTableFactory.quotedTableName(merchantId)}
       (merchant_id, user_id, guest_user_id, amount_paise, type, status, paid_paise, payment_method, occurred_at)
     SELECT $1::integer,
            CASE WHEN g % 5 = 0 THEN NULL ELSE $3::integer + (g * 7919) % $4::integer END,
            CASE WHEN g % 5 = 0 THEN $5::integer + g / 5 - 1 END,
            100 + (g * 104729) % 500000,
            CASE WHEN g % 8 IN (1, 3) THEN 'pay_later' ELSE 'paid' END,
            CASE WHEN g % 8 = 1 THEN 'due' ELSE 'paid' END,
            CASE WHEN g % 8 = 1 THEN 0 ELSE 100 + (g * 104729) % 500000 END,
            (ARRAY['cash', 'upi', 'card', 'online', 'bank_transfer', 'other'])[1 + (g % 6)::integer],
            now() - (g::float8 / $2::integer) * ($6::integer * interval '1 day')
       FROM generate_series(1, $2::bigint) g`,
    [merchantId, rows, users.first, users.count, firstGuest, days],
  );
}

/** The customer→merchant links the application writes with each sale, for these merchants' rows. */
async function linkCustomers(db: pg.Client, merchants: number[]): Promise<void> {
  await db.query(
    `INSERT INTO customer_merchants (user_id, merchant_id, first_transaction_at, last_transaction_at)
     SELECT user_id, merchant_id, min(occurred_at), max(occurred_at)
       FROM transaction_index WHERE merchant_id = ANY($1::integer[]) AND user_id IS NOT NULL GROUP BY 1, 2
     ON CONFLICT DO NOTHING`,
    [merchants],
  );
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface RunningApp {
  baseUrl: string;
  token(id: number, role: Role): string;
}

export async function withApp<T>(databaseUrl: string, run: (app: RunningApp) => Promise<T>): Promise<T> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: 'graminstore-bench-secret-0123456789abcdef',
    LOG_LEVEL: 'fatal',
    ADMIN_EMAIL: 'admin@graminstore.com',
    ADMIN_PASSWORD: 'bench-admin-password',
    ADMIN_PANEL: 'false',
    SEED_ON_FIRST_START: 'false',
    // The khata's payment line writes back to back for one shop, faster than a counter ever does.
    MERCHANT_WRITES_PER_SECOND: '0',
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const tokens = app.get(AccessTokenService);
  try {
    return await run({ baseUrl, token: (id, role) => tokens.sign({ id, role }).token });
  } finally {
    await app.close();
  }
}

/** One request of a measured series: a GET, or a POST with a JSON body. */
export interface BenchTarget {
  method: 'GET' | 'POST';
  /** The full URL, or a path when `baseUrl` is given to measureTargets. */
  path: string;
  token: string;
  body?: object;
}

/**
 * Sequential GETs, alternating between the targets (one base URL, or one per target), after a warm-up;
 * latencies in milliseconds per target.
 */
function measureAlternating(
  baseUrls: string | string[],
  path: string,
  tokens: string[],
  options: BenchOptions,
): Promise<LatencyStats[]> {
  return measureTargets(
    tokens.map((token, i) => ({
      method: 'GET',
      path: `${Array.isArray(baseUrls) ? baseUrls[i] : baseUrls}${path}`,
      token,
    })),
    options,
  );
}

/** Sequential requests alternating between the targets, after a warm-up; milliseconds per target. */
export async function measureTargets(
  targets: BenchTarget[],
  options: BenchOptions,
  baseUrl = '',
): Promise<LatencyStats[]> {
  const requests = options.requests ?? 1000;
  const warmup = options.warmup ?? 100;
  const samples: number[][] = targets.map(() => []);
  for (let round = 0; round < warmup + requests; round++) {
    for (const [i, target] of targets.entries()) {
      const url = `${baseUrl}${target.path}`;
      const started = process.hrtime.bigint();
      const res = await fetch(url, {
        method: target.method,
        headers: {
          Authorization: `Bearer ${target.token}`,
          ...(target.body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: target.body ? JSON.stringify(target.body) : undefined,
      });
      const body = await res.arrayBuffer();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (res.status >= 300)
        throw new Error(`${target.method} ${url} answered ${res.status}: ${Buffer.from(body).toString()}`);
      if (round >= warmup) samples[i].push(ms);
    }
  }
  return samples.map(stats);
}

export function stats(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    samples: sorted.length,
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    max: round(sorted[sorted.length - 1]),
  };
}

export const round = (n: number) => Math.round(n * 100) / 100;

// node bench/dashboards.js [all|merchant|customer] [postgresql://…/postgres] [--reuse]
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const which = args.find((a) => ['all', 'merchant', 'customer'].includes(a)) ?? 'all';
  const options: BenchOptions = {
    adminUrl: args.find((a) => a.startsWith('postgres')),
    reuse: args.includes('--reuse'),
    log: (line: string) => console.error(`[bench:dashboards] ${line}`),
  };
  const results: Record<string, unknown> = {};
  if (which !== 'customer') results.merchantDashboard = await benchMerchantDashboard(options);
  if (which !== 'merchant') results.customerDashboard = await benchCustomerDashboard(options);
  console.log(JSON.stringify(results, null, 2));
}

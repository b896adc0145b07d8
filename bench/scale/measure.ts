/**
 * What the scale benchmark measures at each size: through the running API over HTTP (registrations,
 * sales, settlements, payments on account, dashboards and ledgers, the admin panel's list and deletions) and
 * by plain SQL probes (catalog size, a fresh backend's memory and cold plan, pg_dump of the schema).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { round, sleep } from '../support.js';
import type { AdminSession, Api, Timed } from './api.js';
import { Samples } from './api.js';
import { addColumnEverywhere, NotBuilt, oneMerchantQuery } from './structure.js';

export interface Plan {
  /** Sales loops running at once for the create load. */
  concurrency: number;
  /** Seconds of each create-load phase. */
  loadSec: number;
  /** Registrations measured one after another, idle. */
  registrations: number;
  /** Registrations per second started during the mixed phase (the 2/s). */
  registrationRate: number;
  settles: number;
  reads: number;
  deletes: number;
  /** Merchants whose tables a fresh backend opens for the "touching all" probe (capped for time). */
  touchAllCap: number;
}

/** A set of merchant ids drawn at random (bulk-loaded ranges and registered ones). */
export class Merchants {
  private readonly ranges: { first: number; count: number }[] = [];
  private total = 0;

  add(first: number, count: number): void {
    this.ranges.push({ first, count });
    this.total += count;
  }

  get size(): number {
    return this.total;
  }

  pick(): number {
    let n = Math.floor(Math.random() * this.total);
    for (const r of this.ranges) {
      if (n < r.count) return r.first + n;
      n -= r.count;
    }
    throw new Error('no merchants');
  }

  *all(): Generator<number> {
    for (const r of this.ranges) for (let i = 0; i < r.count; i++) yield r.first + i;
  }
}

/** The customer that the dashboards and settlements use, with the shops that billed them. */
export interface Customer {
  id: number;
  shops: number[];
}

export type Result = ReturnType<Samples['summary']>;
/** A figure that could not be taken, with the reason (printed instead of a number). */
export interface Missing {
  missing: string;
}

/**
 * Sales loops for `sec` seconds over every merchant at random; every fourth sale is on account to the
 * customer at one of the customer's own shops (for settling later), so the customer's dashboard and
 * ledger read the same ten shops at every size and only the size of the database differs.
 */
async function createLoad(
  api: Api,
  merchants: Merchants,
  customer: Customer,
  plan: Plan,
  sec: number,
  open: { merchant: number; id: number }[],
  samples = new Samples(),
): Promise<Samples> {
  const until = Date.now() + sec * 1000;
  let n = 0;
  const loop = async () => {
    while (Date.now() < until) {
      const onAccount = n++ % 4 === 0;
      const merchant = onAccount
        ? customer.shops[Math.floor(Math.random() * customer.shops.length)]
        : merchants.pick();
      const res = await api.createSale(merchant, onAccount ? customer.id : undefined);
      samples.add(res, res.status === 201);
      if (res.status === 201 && onAccount) open.push({ merchant, id: (res.body as { id: number }).id });
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, loop));
  return samples;
}

/** Registrations started at `rate` per second for `sec` seconds, each timed to its answer. */
async function registrationsAt(api: Api, rate: number, sec: number, samples: Samples): Promise<void> {
  const started: Promise<void>[] = [];
  const count = Math.round(rate * sec);
  for (let i = 0; i < count; i++) {
    started.push(api.registerMerchant().then((r) => samples.add(r, r.status === 201)));
    await sleep(1000 / rate);
  }
  await Promise.all(started);
}

async function repeat(
  times: number,
  once: () => Promise<Timed>,
  ok?: (r: Timed) => boolean,
): Promise<Result> {
  const samples = new Samples();
  for (let i = 0; i < times; i++) {
    const res = await once();
    samples.add(res, ok?.(res));
  }
  return samples.summary();
}

/** The load phases: creates idle, registrations idle, and both together. */
export async function loadPhases(api: Api, merchants: Merchants, customer: Customer, plan: Plan) {
  const open: { merchant: number; id: number }[] = [];
  // A short warm-up: the API's pooled backends meet some tables and the JIT settles.
  await createLoad(api, merchants, customer, plan, 3, open);
  const createIdle = (await createLoad(api, merchants, customer, plan, plan.loadSec, open)).summary();
  const registrationIdle = await repeat(
    plan.registrations,
    () => api.registerMerchant(),
    (r) => r.status === 201,
  );
  const registrationsLoaded = new Samples();
  const [createDuring] = await Promise.all([
    createLoad(api, merchants, customer, plan, plan.loadSec, open),
    registrationsAt(api, plan.registrationRate, plan.loadSec, registrationsLoaded),
  ]);
  return {
    createIdle,
    registrationIdle,
    registrationUnderLoad: registrationsLoaded.summary(),
    createDuringRegistrations: createDuring.summary(),
    open,
  };
}

/** Settling bills on account (in full, cash), one after another. */
export function settle(api: Api, open: { merchant: number; id: number }[], plan: Plan): Promise<Result> {
  const bills = open.slice(0, plan.settles);
  let i = 0;
  return repeat(bills.length, () => {
    const bill = bills[i++];
    return api.request('POST', `/api/v2/transactions/${bill.id}/settle`, {
      token: api.token('merchant', bill.merchant),
      json: { payment_method: 'cash' },
    });
  });
}

export async function customerDashboard(api: Api, customer: Customer, plan: Plan): Promise<Result> {
  const token = api.token('user', customer.id);
  return repeat(plan.reads, () => api.request('GET', '/api/v2/dashboard/user', { token }));
}

/** The admin panel's transaction list (every merchant's sales, newest first), as the panel loads it. */
export function adminList(admin: AdminSession, plan: Plan): Promise<Result> {
  return repeat(plan.reads, () => admin.get('/resources/transactions/actions/list?page=1&perPage=50'));
}

/** Deleting a fresh customer and a fresh merchant (no sales) through the admin panel. */
export async function deletions(api: Api, admin: AdminSession, plan: Plan) {
  const run = async (resource: 'users' | 'merchants') => {
    const samples = new Samples();
    for (let i = 0; i < plan.deletes; i++) {
      const made = resource === 'users' ? await api.registerUser() : await api.registerMerchant();
      if (made.status !== 201) {
        samples.add(made, false);
        continue;
      }
      const id = (made.body as { user_id: number }).user_id;
      const res = await admin.submit(`/resources/${resource}/records/${id}/delete`);
      samples.add(res, res.ok);
    }
    return samples.summary();
  };
  return { deleteUser: await run('users'), deleteMerchant: await run('merchants') };
}

/**
 * The khata through the API: payments on account (₹1, the merchant paying in a customer's account at
 * each of the customer's shops in turn, allocated to the oldest bill there) and the customer's own
 * ledger at those shops (the first page, as the app opens it).
 */
export async function khata(
  api: Api,
  customer: Customer,
  plan: Plan,
): Promise<{ paymentOnAccount: Result | Missing; customerLedger: Result | Missing }> {
  const token = api.token('user', customer.id);
  const mine = await api.request('GET', '/api/v2/me/shops', { token });
  const shops = (
    (mine.body as { shops?: { merchant_id: number; account?: { id: number } | null }[] })?.shops ?? []
  )
    .filter((s) => customer.shops.includes(s.merchant_id) && s.account)
    .map((s) => ({ merchant: s.merchant_id, account: s.account!.id }));
  if (!shops.length) {
    const missing = { missing: `error: GET /api/v2/me/shops answered ${mine.status} with no account` };
    return { paymentOnAccount: missing, customerLedger: missing };
  }
  let i = 0;
  const paymentOnAccount = await repeat(plan.settles, () => {
    const shop = shops[i++ % shops.length];
    return api.request('POST', `/api/v2/customers/${shop.account}/payments`, {
      token: api.token('merchant', shop.merchant),
      json: { amount: 1, payment_method: 'upi' },
    });
  });
  let j = 0;
  const customerLedger = await repeat(plan.reads, () =>
    api.request('GET', `/api/v2/me/shops/${shops[j++ % shops.length].merchant}/ledger`, { token }),
  );
  return { paymentOnAccount, customerLedger };
}

export interface MigrationUnderWrites {
  totalMs: number;
  /** The slowest sale of the writers, whatever it waited for. */
  longestStallMs: number;
  /** The longest an API statement was seen waiting on a lock (sampled every 20 ms). */
  longestLockWaitMs: number;
  /** What API statements older than 100 ms were seen waiting on (`type:event`), the longest each. */
  slowWaits: Record<string, number>;
  writerErrors: number;
  firstError?: string;
}

/**
 * The schema migration: a column added to every merchant's table while a writer keeps selling in other
 * shops. Reports the total time, the longest any single sale took, and, from pg_stat_activity sampled
 * every 20 ms, the longest an API statement waited on a lock and what slow statements waited on (the
 * goal is about locks: a sale that waits for a disk flush during a checkpoint is slow, not blocked).
 */
export async function migrationUnderWrites(
  api: Api,
  url: string,
  merchants: Merchants,
  column: string,
): Promise<MigrationUnderWrites | Missing> {
  let running = true;
  const writer = new Samples();
  const loop = async () => {
    while (running) {
      const res = await api.createSale(merchants.pick());
      writer.add(res, res.status === 201);
    }
  };
  const monitor = new pg.Client({ connectionString: url, application_name: 'graminstore-bench-monitor' });
  await monitor.connect();
  let longestLockWaitMs = 0;
  const slowWaits: Record<string, number> = {};
  const sampler = (async () => {
    while (running) {
      const { rows } = await monitor.query<{ wait: string | null; ms: number }>(
        `SELECT wait_event_type || ':' || wait_event AS wait,
                extract(epoch FROM clock_timestamp() - query_start) * 1000 AS ms
           FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'graminstore' AND state = 'active'`,
      );
      for (const { wait, ms } of rows) {
        if (wait?.startsWith('Lock:')) longestLockWaitMs = Math.max(longestLockWaitMs, ms);
        if (ms > 100) slowWaits[wait ?? 'CPU'] = round(Math.max(slowWaits[wait ?? 'CPU'] ?? 0, ms));
      }
      await sleep(20);
    }
  })();
  const writers = [loop(), loop()];
  await sleep(1000);
  const started = performance.now();
  let outcome: { totalMs: number } | Missing;
  try {
    await addColumnEverywhere(url, column);
    outcome = { totalMs: round(performance.now() - started) };
  } catch (err) {
    outcome = { missing: err instanceof NotBuilt ? `n/a (${err.message})` : `error: ${String(err)}` };
  }
  await sleep(1000);
  running = false;
  await Promise.all([...writers, sampler]);
  await monitor.end();
  if ('missing' in outcome) return outcome;
  const summary = writer.summary();
  return {
    totalMs: outcome.totalMs,
    longestStallMs: summary.max,
    longestLockWaitMs: round(longestLockWaitMs),
    slowWaits,
    writerErrors: summary.errors,
    firstError: summary.firstError,
  };
}

/** pg_class rows and the size of pg_catalog's tables (with their indexes and TOAST). */
export async function catalog(pool: pg.Pool): Promise<{ pgClassRows: number; catalogMiB: number }> {
  const { rows } = await pool.query<{ rows: number; bytes: string }>(
    `SELECT (SELECT count(*)::int FROM pg_class) AS rows,
            (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'pg_catalog' AND c.relkind = 'r')::text AS bytes`,
  );
  return { pgClassRows: rows[0].rows, catalogMiB: round(Number(rows[0].bytes) / 2 ** 20, 1) };
}

/**
 * A fresh backend's memory (all its memory contexts) before and after reading one merchant's sales, and
 * after reading every merchant's (up to a cap), with the cold planning time of the first one-merchant
 * query.
 */
export async function backendMemory(url: string, merchants: Merchants, plan: Plan) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const mib = async () => {
    const { rows } = await client.query<{ bytes: string }>(
      `SELECT sum(total_bytes)::text AS bytes FROM pg_backend_memory_contexts`,
    );
    return round(Number(rows[0].bytes) / 2 ** 20, 2);
  };
  try {
    const fresh = await mib();
    const one = oneMerchantQuery(merchants.pick());
    const explained = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (SUMMARY) ${one.sql}`,
      one.params,
    );
    const planning = explained.rows.map((r) => r['QUERY PLAN']).find((l) => l.startsWith('Planning Time'));
    const coldPlanMs = planning ? Number(/([\d.]+) ms/.exec(planning)?.[1]) : NaN;
    await client.query(one.sql, one.params);
    const afterOne = await mib();
    let touched = 0;
    const started = performance.now();
    for (const id of merchants.all()) {
      if (touched >= plan.touchAllCap) break;
      const q = oneMerchantQuery(id);
      await client.query(q.sql, q.params);
      touched += 1;
    }
    const touchMs = performance.now() - started;
    return {
      freshMiB: fresh,
      afterOneMiB: afterOne,
      afterAllMiB: await mib(),
      touched,
      touchAllMs: round(touchMs),
      coldPlanMs,
    };
  } finally {
    await client.end();
  }
}

/** Private (anonymous) memory of the API's own database backends, from /proc: the largest one, MiB. */
export async function apiBackendsRss(pool: pg.Pool, database: string): Promise<number | Missing> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    [database],
  );
  let largest = 0;
  for (const { pid } of rows) {
    try {
      const kb = /^RssAnon:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (kb) largest = Math.max(largest, Number(kb[1]) / 1024);
    } catch {
      return { missing: 'n/a (the database server is not on this machine)' };
    }
  }
  return round(largest, 1);
}

/** `pg_dump --schema-only` of the whole database, timed (the dump itself is discarded). */
export async function schemaDump(url: string): Promise<number | Missing> {
  const started = performance.now();
  try {
    await promisify(execFile)('pg_dump', ['--schema-only', '--dbname', url], { maxBuffer: 1 << 30 });
    return round(performance.now() - started);
  } catch (err) {
    return { missing: `error: ${String(err).slice(0, 200)}` };
  }
}

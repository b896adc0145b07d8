// The prebuilt en_IN instance (with its en fallback) loads in a fraction of the full package's time.
import { faker } from '@faker-js/faker/locale/en_IN';
import bcrypt from 'bcryptjs';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import { TransactionTableFactory } from '../src/modules/transactions/transaction-table.factory.js';
import { TRANSACTION_COLUMNS as MERCHANT_TABLE_COLUMNS } from '../src/modules/transactions/transactions.repository.js';
import { DEMO_MERCHANT_PASSWORD, DEMO_USER_PASSWORD } from './demo-plan.js';
import {
  BUSINESS_TYPES,
  DAY_MS,
  DEITIES,
  PLACES,
  SHOPS,
  shopName,
  STREETS,
  type ShopProfile,
} from './india.js';
import { ProgressBar, type ProgressSink } from './progress.js';
import { Random } from './random.js';
import { draftSale, saleClock, shopMoment, type SaleClock } from './sales.js';
import { fromPool, SeedRepository } from './seed.repository.js';

export interface BulkLoadOptions {
  /** New merchants (each with its table `transaction_<id>`). */
  merchants?: number;
  /** New customers. */
  users?: number;
  /**
   * New sales, spread over the new merchants (busier and quieter shops), or over `into`, or over every
   * existing merchant when no merchant is created. Registered sales go to the new customers, or to the
   * existing ones when none is created; without any customer every sale is a guest sale.
   */
  transactions?: number;
  /** Existing merchant ids to receive the sales (e.g. `[1]` for a million rows in one merchant's table). */
  into?: number[];
  /** Share of guest (walk-in) sales; default 1/3, as in the demo data. */
  guestShare?: number;
  /** Sales fall in this many days up to `now` (default 90). */
  days?: number;
  seed?: number;
  now?: Date;
  /** Every new merchant's and customer's password (hashed once each); default merchant123 / user123. */
  merchantPassword?: string;
  userPassword?: string;
  bcryptRounds?: number;
  /** Where the progress bars go (default: stderr); false for none. */
  progress?: ProgressSink | false;
  /**
   * Skip trigger work (foreign-key checks and any row triggers) while loading, with
   * `session_replication_role = replica`. The loader writes consistent rows, so the checks add nothing
   * but time. 'auto' (default) does so when the role may set it (a superuser) and checks otherwise.
   */
  skipTriggers?: boolean | 'auto';
  /** Connections loading sales at once (default: the machine's cores, 2 to 4). */
  parallel?: number;
}

export interface BulkLoadResult {
  merchants: { first: number | null; count: number };
  users: { first: number | null; count: number };
  transactions: number;
  guests: number;
  settlements: number;
  customerLinks: number;
  triggersSkipped: boolean;
  /** Milliseconds per phase; `copyWait` is time spent waiting for the database to take COPY data. */
  ms: Record<
    'total' | 'merchants' | 'provision' | 'users' | 'transactions' | 'rollups' | 'rest' | 'copyWait',
    number
  >;
}

/** Bulk merchants' and customers' logins: `bulk.merchant<id>@example.com`, `bulk.user<id>@example.com`. */
export const bulkMerchantEmail = (id: number) => `bulk.merchant${id}@example.com`;
export const bulkUserEmail = (id: number) => `bulk.user${id}@example.com`;

const CHUNK_BYTES = 1 << 18;
/** Merchants' tables created per database transaction (one round trip each). */
const PROVISION_BATCH = 50;
/** Sales generated from one generator; a merchant with more is cut into several slices. */
const SLICE_SIZE = 50_000;
/** A database transaction of sales touches at most this many merchants' tables (lock table). */
const GROUP_MERCHANTS = 100;
const GROUP_ROWS = 100_000;

/** COPY text format: backslash, tab and line breaks escaped; null as \N. */
function esc(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}

const dayPrefixes = new Map<number, string>();
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** An instant as COPY text (`2026-11-24 04:30:00.000+00`), ten times faster than toISOString(). */
function iso(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = `${new Date(day * DAY_MS).toISOString().slice(0, 10)} `;
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const milli = Math.floor(rest - s * 1000);
  return `${prefix}${pad2(h)}:${pad2(m)}:${pad2(s)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}+00`;
}

/** Milliseconds spent waiting for the database to take COPY data (back-pressure), across writers. */
let copyWaitMs = 0;

/**
 * COPY text gathered straight into 256 kB buffers: each row's string dies young, so generating
 * millions of rows costs little garbage collection (concatenated strings would live on and be copied).
 */
class Lines {
  private readonly chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private at = 0;

  add(row: string): void {
    if (this.at + row.length * 3 > this.buf.length) this.cut();
    this.at += this.buf.write(row, this.at);
  }

  /** The buffers filled so far, handed over (and forgotten here). */
  full(): Buffer[] {
    return this.chunks.splice(0);
  }

  /** Everything, the partly filled buffer included. */
  take(): Buffer[] {
    this.cut();
    return this.chunks.splice(0);
  }

  get empty(): boolean {
    return this.at === 0 && this.chunks.length === 0;
  }

  private cut(): void {
    if (!this.at) return;
    if (this.at < CHUNK_BYTES / 4) {
      // A small remainder (a small shop's sales) is copied out, and the buffer is used again.
      this.chunks.push(Buffer.from(this.buf.subarray(0, this.at)));
    } else {
      this.chunks.push(this.buf.subarray(0, this.at));
      this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    }
    this.at = 0;
  }
}

/** A COPY FROM STDIN stream fed in large chunks, honouring back-pressure. */
class CopyWriter {
  private readonly lines = new Lines();
  private constructor(private readonly stream: Writable) {}

  static open(client: pg.PoolClient, sql: string): CopyWriter {
    return new CopyWriter(client.query(copyFrom(sql)));
  }

  /** One row of COPY text (ending in a newline). */
  async line(text: string): Promise<void> {
    this.lines.add(text);
    for (const chunk of this.lines.full()) await this.write(chunk);
  }

  async write(chunk: Buffer): Promise<void> {
    if (!this.stream.write(chunk)) {
      const t = Date.now();
      await once(this.stream, 'drain');
      copyWaitMs += Date.now() - t;
    }
  }

  async end(): Promise<void> {
    for (const chunk of this.lines.take()) await this.write(chunk);
    this.stream.end();
    await finished(this.stream);
  }
}

/**
 * The shared tables a bulk load grows, analyzed at its end (those an older schema lacks are left
 * out). Merchants' own tables are left to autovacuum: with thousands of them, analyzing each would take
 * longer than the load. The customer views plan on the cross-merchant index, and the admin panel pages
 * every shop's sales by its row estimate.
 */
const GROWN_TABLES = [
  'merchants',
  'users',
  'guest_users',
  'settlements',
  'customer_merchants',
  'transaction_index',
  'customer_accounts',
  'account_entries',
  'account_payments',
];

/** Reserves `count` consecutive values of a sequence and returns the first. */
async function reserve(client: pg.PoolClient, sequence: string, count: number): Promise<number> {
  const { rows } = await client.query<{ first: string }>(
    `SELECT setval($1::regclass, nextval($1::regclass) + $2 - 1) - $2 + 1 AS first`,
    [sequence, count],
  );
  return Number(rows[0].first);
}

async function serialSequence(client: pg.PoolClient, table: string): Promise<string> {
  const { rows } = await client.query<{ seq: string }>(`SELECT pg_get_serial_sequence($1, 'id') AS seq`, [
    table,
  ]);
  return rows[0].seq;
}

/** The TransactionTableFactory works on an EntityManager; on a plain connection only `query` is used. */
function managerOn(client: pg.PoolClient): EntityManager {
  return {
    query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows,
  } as unknown as EntityManager;
}

/** Spreads `total` over `count` shops, some busier than others (weights 0.5–1.5), deterministically. */
function shares(total: number, count: number, rng: Random): number[] {
  const weights = Array.from({ length: count }, () => 0.5 + rng.next());
  const sum = weights.reduce((a, b) => a + b, 0);
  const out = weights.map((w) => Math.floor((total * w) / sum));
  let rest = total - out.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % count, rest--) out[i]++;
  return out;
}

/**
 * Loads large data sets at COPY speed, for benchmarks and scale tests: merchants and customers by
 * COPY (one bcrypt hash per password, shared), each merchant's table provisioned by the same
 * TransactionTableFactory the API uses, then sales with their guests and payments by COPY into the
 * merchant's own table (one COPY per merchant slice), and the customer→merchant links.
 * Sequences are advanced past the loaded ids, so the API carries on after them.
 *
 * The rows are what the API would have written (status, paid amount, settled_at, one guest per guest
 * sale, customer_merchants), drawn from a seed: the same options give the same data. Sales are loaded
 * in groups of merchants, one database transaction each (so thousands of merchants' tables stay within
 * the lock table), by `parallel` connections at once. A failed load can leave the groups it finished.
 */
export async function bulkLoad(pool: pg.Pool, options: BulkLoadOptions = {}): Promise<BulkLoadResult> {
  const started = Date.now();
  const seed = options.seed ?? 1;
  const sink = options.progress === false ? undefined : (options.progress ?? process.stderr);
  const ms: BulkLoadResult['ms'] = {
    total: 0,
    merchants: 0,
    provision: 0,
    users: 0,
    transactions: 0,
    rollups: 0,
    rest: 0,
    copyWait: 0,
  };
  const waitedBefore = copyWaitMs;
  const merchantCount = options.merchants ?? 0;
  const userCount = options.users ?? 0;
  const txCount = options.transactions ?? 0;
  const rounds = options.bcryptRounds ?? 10;
  const now = (options.now ?? new Date()).getTime();
  const rng = Random.derive(seed, 101);
  faker.seed(seed);
  const firstNames = Array.from({ length: 400 }, () => esc(faker.person.firstName()));
  const lastNames = Array.from({ length: 400 }, () => esc(faker.person.lastName()));

  const client = await pool.connect();
  let broken = false;
  try {
    const triggersSkipped = await prepareSession(client, options.skipTriggers ?? 'auto');

    // Merchants.
    let merchantFirst: number | null = null;
    if (merchantCount > 0) {
      const hash = await bcrypt.hash(options.merchantPassword ?? DEMO_MERCHANT_PASSWORD, rounds);
      merchantFirst = await reserve(client, await serialSequence(client, 'merchants'), merchantCount);
      const bar = new ProgressBar('merchants', merchantCount, sink);
      await client.query('BEGIN');
      const out = CopyWriter.open(
        client,
        `COPY merchants (id, name, email, phone, password_hash, business_name, business_type, address, city,
                         state, zip_code, aadhar_number, created_at, updated_at) FROM STDIN`,
      );
      for (let i = 0; i < merchantCount; i++) {
        const id = merchantFirst + i;
        const type = rng.pick(BUSINESS_TYPES);
        const first = rng.pick(firstNames);
        const last = rng.pick(lastNames);
        const place = rng.pick(PLACES);
        const business = shopName(rng.pick(SHOPS[type].names), {
          first,
          last,
          deity: rng.pick(DEITIES),
          city: place.city,
        });
        const created = iso(now - (options.days ?? 90) * DAY_MS - rng.int(1, 400) * DAY_MS);
        await out.line(
          `${id}\t${first} ${last}\t${bulkMerchantEmail(id)}\t+916${String(id).padStart(9, '0')}\t${hash}\t` +
            `${business}\t${type}\tShop ${rng.int(1, 120)}, ${rng.pick(STREETS)}\t${place.city}\t${place.state}\t` +
            `${place.pin}${rng.digits(3)}\t${rng.int(2, 9)}${rng.digits(11)}\t${created}\t${created}\n`,
        );
        bar.tick();
      }
      await out.end();
      await client.query('COMMIT');
      ms.merchants = bar.done();

      // Their tables, through the factory the API uses, a few merchants per database transaction.
      const factory = new TransactionTableFactory();
      const manager = managerOn(client);
      const firstId = merchantFirst;
      const provisionBar = new ProgressBar('tables', merchantCount, sink);
      for (let i = 0; i < merchantCount; i += PROVISION_BATCH) {
        const batch = Array.from(
          { length: Math.min(merchantCount, i + PROVISION_BATCH) - i },
          (_, j) => firstId + i + j,
        );
        await client.query('BEGIN');
        await factory.provisionMany(manager, batch);
        await client.query('COMMIT');
        provisionBar.tick(batch.length);
      }
      ms.provision = provisionBar.done();
    }

    // Customers.
    let userFirst: number | null = null;
    if (userCount > 0) {
      const hash = await bcrypt.hash(options.userPassword ?? DEMO_USER_PASSWORD, rounds);
      userFirst = await reserve(client, await serialSequence(client, 'users'), userCount);
      const bar = new ProgressBar('users', userCount, sink);
      await client.query('BEGIN');
      const out = CopyWriter.open(
        client,
        `COPY users (id, name, email, phone, password_hash, address, city, state, created_at, updated_at) FROM STDIN`,
      );
      for (let i = 0; i < userCount; i++) {
        const id = userFirst + i;
        const place = rng.pick(PLACES);
        const created = iso(now - rng.int(1, 500) * DAY_MS);
        await out.line(
          `${id}\t${rng.pick(firstNames)} ${rng.pick(lastNames)}\t${bulkUserEmail(id)}\t` +
            `+918${String(id).padStart(9, '0')}\t${hash}\t${rng.int(1, 400)}, ${rng.pick(STREETS)}\t` +
            `${place.city}\t${place.state}\t${created}\t${created}\n`,
        );
        bar.tick();
      }
      await out.end();
      await client.query('COMMIT');
      ms.users = bar.done();
    }

    // Sales.
    const counts = { transactions: 0, guests: 0, settlements: 0, customerLinks: 0 };
    let loadedInto: number[] = [];
    if (txCount > 0) {
      const t0 = Date.now();
      const targets = await targetMerchants(client, options.into, merchantFirst, merchantCount);
      if (!targets.length) throw new Error('There is no merchant to load sales into: add --merchants N.');
      const customers = await customerIds(client, userFirst, userCount);
      loadedInto = targets.map((t) => t.id);
      Object.assign(
        counts,
        await loadSales(pool, client, {
          targets,
          customers,
          total: txCount,
          guestShare: options.guestShare ?? 1 / 3,
          clock: saleClock(now, options.days ?? 90),
          seed,
          rng,
          sink,
          skipTriggers: triggersSkipped,
          // Workers plus this connection fit in the pool.
          parallel: Math.max(
            1,
            Math.min(
              options.parallel ?? Math.min(4, Math.max(2, availableParallelism())),
              (pool.options.max ?? 10) - 1,
            ),
          ),
          newMerchants: !options.into?.length && merchantCount > 0,
        }),
      );
      ms.transactions = Date.now() - t0;
    }

    const t1 = Date.now();
    // The pool's connections go back as they came: triggers and durable commits on again.
    await client.query(`RESET ALL`);
    if (counts.transactions > 0) {
      // The dashboards' rollups, recomputed for the merchants that got sales.
      const bar = new ProgressBar('rollups', loadedInto.length, sink);
      const rebuilt = await new SeedRepository(fromPool(client)).rebuildRollups(loadedInto, (n) =>
        bar.tick(n),
      );
      ms.rollups = rebuilt ? bar.done() : 0;
    }
    // Fresh statistics for the planner on the shared tables that just grew (see GROWN_TABLES).
    const { rows: grown } = await client.query<{ name: string }>(
      `SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NOT NULL`,
      [GROWN_TABLES],
    );
    await client.query(`ANALYZE ${grown.map((r) => r.name).join(', ')}`);
    ms.rest = Date.now() - t1 - ms.rollups;
    ms.total = Date.now() - started;
    ms.copyWait = copyWaitMs - waitedBefore;
    return {
      merchants: { first: merchantFirst, count: merchantCount },
      users: { first: userFirst, count: userCount },
      ...counts,
      triggersSkipped,
      ms,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    // A connection that failed mid-COPY is not handed back to the pool; others go back reset.
    if (!broken) await client.query(`RESET ALL`).catch(() => (broken = true));
    client.release(broken || undefined);
  }
}

/**
 * Session settings for loading: commits need not wait for the disk (a failed load is simply run
 * again), and, where allowed, triggers (foreign-key checks) are skipped. Returns whether they are.
 */
async function prepareSession(client: pg.PoolClient, skipTriggers: boolean | 'auto'): Promise<boolean> {
  await client.query(`SET synchronous_commit = off`);
  // The dashboards' rollup triggers stand aside for this session; the rollups are rebuilt at the end.
  await client.query(`SET graminstore.rollups = 'off'`);
  if (skipTriggers === false) return false;
  try {
    await client.query(`SET session_replication_role = replica`);
    return true;
  } catch (err) {
    if (skipTriggers === true) throw err;
    return false;
  }
}

interface Customers {
  /** Ids are `first + i` for i < count, or the explicit list. */
  first: number;
  count: number;
  list?: number[];
}

async function targetMerchants(
  client: pg.PoolClient,
  into: number[] | undefined,
  first: number | null,
  count: number,
): Promise<{ id: number; type: string }[]> {
  const sql = into?.length
    ? [`SELECT id, business_type AS type FROM merchants WHERE id = ANY($1::int[]) ORDER BY id`, [into]]
    : first !== null
      ? [
          `SELECT id, business_type AS type FROM merchants WHERE id BETWEEN $1 AND $2 ORDER BY id`,
          [first, first + count - 1],
        ]
      : [`SELECT id, business_type AS type FROM merchants ORDER BY id`, []];
  const { rows } = await client.query<{ id: number; type: string | null }>(
    sql[0] as string,
    sql[1] as unknown[],
  );
  if (into?.length && rows.length !== new Set(into).size)
    throw new Error(`Unknown merchant id in ${into.join(', ')}.`);
  return rows.map((r) => ({ id: r.id, type: r.type ?? 'kirana' }));
}

async function customerIds(client: pg.PoolClient, first: number | null, count: number): Promise<Customers> {
  if (first !== null) return { first, count };
  const { rows } = await client.query<{ id: number }>(`SELECT id FROM users WHERE is_active ORDER BY id`);
  return { first: 0, count: rows.length, list: rows.map((r) => r.id) };
}

interface SalesJob {
  targets: { id: number; type: string }[];
  customers: Customers;
  total: number;
  guestShare: number;
  clock: SaleClock;
  seed: number;
  rng: Random;
  sink: ProgressSink | undefined;
  /** Foreign keys are not checked: guests may follow the sales that name them. */
  skipTriggers: boolean;
  parallel: number;
  /** Every target merchant is new: no customer link can exist yet. */
  newMerchants: boolean;
}

/**
 * A shop's regulars: the customers who buy there (some far more often than others), with the first
 * and last time each was seen while loading, which become its customer_merchants rows.
 */
interface Regulars {
  merchantId: number;
  ids: Int32Array;
  first: Float64Array;
  last: Float64Array;
}

/**
 * A run of one merchant's sales, generated from generators of its own (so the data does not depend
 * on how the work is split or interleaved), with its ids decided up front.
 */
interface Slice {
  merchantId: number;
  shop: ShopProfile;
  /** Index of this slice within the merchant, and how many sales it has. */
  index: number;
  count: number;
  regulars: Regulars;
  /** Which of the slice's sales are guest sales. */
  guest: Uint8Array;
  guests: number;
  firstTxId: number;
  firstSeq: number;
  firstGuestId: number;
}

/**
 * Generates one slice's rows into `out` (the sales, their guests, their payments: whichever are
 * given) and returns the number of payments. With `track`, customers' first and last sales are noted.
 */
function generateSlice(
  job: SalesJob,
  slice: Slice,
  out: { tx?: Lines; guests?: Lines; settlements?: Lines },
  track: boolean,
): number {
  const r = Random.derive(job.seed, 7, slice.merchantId, slice.index);
  // Sales in time order within the slice: ids grow with time, and the time index is appended to.
  const times = new Float64Array(slice.count);
  for (let k = 0; k < slice.count; k++) times[k] = shopMoment(r, slice.shop, job.clock);
  times.sort();
  const { ids, first, last } = slice.regulars;
  const merchant = slice.merchantId;
  let txId = slice.firstTxId;
  let guestId = slice.firstGuestId;
  let payments = 0;
  for (let k = 0; k < slice.count; k++, txId++) {
    const guest = slice.guest[k] === 1;
    const sale = draftSale(r, slice.shop, job.clock, guest, times[k]);
    const occurred = iso(sale.occurredAt);
    let userCol = '\\N';
    let guestCol = '\\N';
    if (guest) {
      guestCol = String(guestId);
      out.guests?.add(`${guestId}\t${merchant}\t${txId}\t${occurred}\n`);
      guestId++;
    } else {
      const slot = Math.floor(ids.length * r.next() * r.next());
      userCol = String(ids[slot]);
      if (track) {
        if (sale.occurredAt < first[slot]) first[slot] = sale.occurredAt;
        if (sale.occurredAt > last[slot]) last[slot] = sale.occurredAt;
      }
    }
    let status = 'paid';
    let paid = sale.amountPaise;
    let settledAt = occurred;
    if (sale.type === 'pay_later') {
      paid = 0;
      for (const p of sale.settlements) {
        paid += p.amountPaise;
        out.settlements?.add(
          `${merchant}\t${txId}\t${p.amountPaise}\t${p.paymentMethod}\t${p.referenceNumber ?? '\\N'}\t${iso(p.at)}\n`,
        );
      }
      payments += sale.settlements.length;
      status = paid === 0 ? 'due' : paid >= sale.amountPaise ? 'paid' : 'partially_paid';
      settledAt = status === 'paid' ? iso(sale.settlements[sale.settlements.length - 1].at) : '\\N';
    }
    out.tx?.add(
      `${txId}\t${merchant}\t${userCol}\t${guestCol}\t${sale.amountPaise}\t${sale.type}\t${status}\t${paid}\t` +
        `${sale.description}\t${sale.paymentMethod ?? '\\N'}\t${sale.referenceNumber ?? '\\N'}\t` +
        `${slice.firstSeq + (txId - slice.firstTxId)}\t${occurred}\t${occurred}\t${settledAt}\n`,
    );
  }
  return payments;
}

/**
 * Cuts every merchant's share of the sales into slices, decides who buys (registered customer or
 * guest) and the ids of every row, then lets `parallel` workers load groups of slices, each group in
 * one database transaction: its guests, its sales and its payments.
 */
async function loadSales(pool: pg.Pool, client: pg.PoolClient, job: SalesJob) {
  const { targets, customers } = job;
  const perMerchant = shares(job.total, targets.length, job.rng);
  const slices: Slice[] = [];
  const allRegulars: Regulars[] = [];
  let offset = 0;
  let guestOffset = 0;
  for (const [m, merchant] of targets.entries()) {
    const n = perMerchant[m];
    if (n === 0) continue;
    const shop = SHOPS[(merchant.type in SHOPS ? merchant.type : 'kirana') as keyof typeof SHOPS];
    // The pool of regulars is sized to the shop's trade.
    const poolRng = Random.derive(job.seed, 9, merchant.id);
    const poolSize = Math.min(customers.count, Math.max(10, Math.min(5000, Math.round(n / 3))));
    const regulars: Regulars = {
      merchantId: merchant.id,
      ids: new Int32Array(poolSize),
      first: new Float64Array(poolSize).fill(Infinity),
      last: new Float64Array(poolSize).fill(-Infinity),
    };
    for (let k = 0; k < poolSize; k++) {
      const i = poolRng.int(0, customers.count - 1);
      regulars.ids[k] = customers.list ? customers.list[i] : customers.first + i;
    }
    allRegulars.push(regulars);
    for (let index = 0, done = 0; done < n; index++) {
      const count = Math.min(SLICE_SIZE, n - done);
      const guestRng = Random.derive(job.seed, 8, merchant.id, index);
      const guest = new Uint8Array(count);
      let guests = 0;
      for (let k = 0; k < count; k++)
        if (poolSize === 0 || guestRng.chance(job.guestShare)) {
          guest[k] = 1;
          guests++;
        }
      slices.push({
        merchantId: merchant.id,
        shop,
        index,
        count,
        regulars,
        guest,
        guests,
        firstTxId: offset,
        firstSeq: offset,
        firstGuestId: guestOffset,
      });
      offset += count;
      guestOffset += guests;
      done += count;
    }
  }
  // Ids: one block of each sequence; every slice's ids are its offsets into the blocks.
  const txFirst = await reserve(client, 'transactions_id_seq', job.total);
  const seqFirst = await reserve(client, 'transactions_change_seq', job.total);
  const guestFirst = guestOffset
    ? await reserve(client, await serialSequence(client, 'guest_users'), guestOffset)
    : 0;
  for (const s of slices) {
    s.firstTxId += txFirst;
    s.firstSeq += seqFirst;
    s.firstGuestId += guestFirst;
  }

  // Groups of consecutive slices: at most GROUP_MERCHANTS merchants' tables and about GROUP_ROWS rows.
  const groups: Slice[][] = [];
  let group: Slice[] = [];
  let rows = 0;
  let merchants = new Set<number>();
  for (const s of slices) {
    const full =
      rows + s.count > GROUP_ROWS || (!merchants.has(s.merchantId) && merchants.size >= GROUP_MERCHANTS);
    if (group.length && full) {
      groups.push(group);
      group = [];
      rows = 0;
      merchants = new Set();
    }
    group.push(s);
    rows += s.count;
    merchants.add(s.merchantId);
  }
  if (group.length) groups.push(group);

  const bar = new ProgressBar('transactions', job.total, job.sink);
  let settlements = 0;
  let next = 0;
  const worker = async () => {
    const conn = await pool.connect();
    let broken = false;
    try {
      await prepareSession(conn, job.skipTriggers);
      for (let g = next++; g < groups.length; g = next++) {
        await conn.query('BEGIN');
        const guests = new Lines();
        const payments = new Lines();
        if (!job.skipTriggers) {
          // The guests go in first (a first, cheaper pass), as a sale would find them.
          for (const s of groups[g]) generateSlice(job, s, { guests }, false);
          await copyChunks(conn, COPY_GUESTS, guests.take());
        }
        for (const s of groups[g]) {
          const lines = new Lines();
          settlements += generateSlice(
            job,
            s,
            { tx: lines, settlements: payments, guests: job.skipTriggers ? guests : undefined },
            true,
          );
          // Each merchant's sales go straight into their own table.
          const tx = CopyWriter.open(
            conn,
            TransactionTableFactory.copyInto(s.merchantId, TRANSACTION_COLUMNS),
          );
          for (const chunk of lines.take()) await tx.write(chunk);
          await tx.end();
          // Skipped triggers did not write the cross-merchant index rows.
          if (job.skipTriggers)
            await new TransactionTableFactory().backfillIndex(managerOn(conn), s.merchantId);
          bar.tick(s.count);
        }
        if (job.skipTriggers) await copyChunks(conn, COPY_GUESTS, guests.take());
        await copyChunks(conn, COPY_SETTLEMENTS, payments.take());
        await conn.query('COMMIT');
      }
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => (broken = true));
      next = groups.length; // the other workers stop after their current group
      throw err;
    } finally {
      if (!broken) await conn.query(`RESET ALL`).catch(() => (broken = true));
      conn.release(broken || undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.parallel, groups.length) }, worker));
  bar.done();

  // Customer→merchant links: straight in for new merchants, merged with what exists otherwise.
  const links = new Lines();
  let linkCount = 0;
  for (const { merchantId, ids, first, last } of allRegulars) {
    const seen = new Map<number, [number, number]>();
    for (let k = 0; k < ids.length; k++) {
      if (first[k] === Infinity) continue;
      const had = seen.get(ids[k]);
      if (had) seen.set(ids[k], [Math.min(had[0], first[k]), Math.max(had[1], last[k])]);
      else seen.set(ids[k], [first[k], last[k]]);
    }
    for (const [user, [f, l]] of seen) links.add(`${merchantId}\t${user}\t${iso(f)}\t${iso(l)}\n`);
    linkCount += seen.size;
  }
  await client.query('BEGIN');
  if (job.newMerchants) {
    await copyChunks(client, COPY_LINKS('customer_merchants'), links.take());
  } else {
    await client.query(`CREATE TEMP TABLE bulk_links (LIKE customer_merchants) ON COMMIT DROP`);
    await copyChunks(client, COPY_LINKS('bulk_links'), links.take());
    await client.query(
      `INSERT INTO customer_merchants SELECT user_id, merchant_id, first_transaction_at, last_transaction_at FROM bulk_links
       ON CONFLICT (user_id, merchant_id) DO UPDATE
         SET first_transaction_at = LEAST(customer_merchants.first_transaction_at, EXCLUDED.first_transaction_at),
             last_transaction_at = GREATEST(customer_merchants.last_transaction_at, EXCLUDED.last_transaction_at)`,
    );
  }
  await client.query('COMMIT');
  return { transactions: job.total, guests: guestOffset, settlements, customerLinks: linkCount };
}

/** Columns generated history leaves empty: the offline client id, the calculator's lines and arithmetic, who
 * recorded it (the owner) and the corrections (none). */
const NOT_GENERATED = new Set<string>([
  'client_id',
  'items',
  'calculation',
  'recorded_by',
  'voided_at',
  'voided_by',
  'void_reason',
  'replaces',
]);
/** The columns the loader writes: every other column of a merchant table. */
const TRANSACTION_COLUMNS = MERCHANT_TABLE_COLUMNS.filter((c) => !NOT_GENERATED.has(c));
const COPY_GUESTS = `COPY guest_users (id, merchant_id, transaction_id, created_at) FROM STDIN`;
const COPY_SETTLEMENTS = `COPY settlements (merchant_id, transaction_id, amount_paise, payment_method,
  reference_number, created_at) FROM STDIN`;
const COPY_LINKS = (table: 'customer_merchants' | 'bulk_links') =>
  `COPY ${table} (merchant_id, user_id, first_transaction_at, last_transaction_at) FROM STDIN`;

async function copyChunks(client: pg.PoolClient, sql: string, chunks: Buffer[]): Promise<void> {
  if (!chunks.length) return;
  const out = CopyWriter.open(client, sql);
  for (const chunk of chunks) await out.write(chunk);
  await out.end();
}

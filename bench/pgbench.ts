/**
 * The database's own limit: `pgbench` running the API's create statement. The SQL text is the one
 * `TransactionsRepository.insertSale` sends (captured, not retyped); its bind parameters become
 * literals cast to the types PostgreSQL infers for them, fed by pgbench variables. The mix is the load
 * generator's: four customer sales at one of the customer's three regular shops to one guest sale.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { TransactionalConnection } from '../src/database/transactional-connection.js';
import { TransactionsRepository, type NewSale } from '../src/modules/transactions/transactions.repository.js';
import { GUEST_EVERY } from './load-generator.js';
import { Child } from './support.js';

const M = 987_654_301;
const U = 987_654_302;
const A = 987_654_303;

/** pgbench on PATH, or PostgreSQL's own bin directory; undefined when it is not installed. */
export function findPgbench(): string | undefined {
  try {
    const found = execFileSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on PATH
  }
  for (const version of ['18', '17', '16', '15', '14']) {
    const candidate = `/usr/lib/postgresql/${version}/bin/pgbench`;
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function captureSale(sale: NewSale): Promise<{ sql: string; params: unknown[] }> {
  let captured: { sql: string; params: unknown[] } | undefined;
  const connection = {
    query: async (sql: string, params: unknown[]) => {
      captured = { sql, params };
      return [];
    },
  } as unknown as TransactionalConnection;
  await new TransactionsRepository(connection).insertSale(sale);
  return captured!;
}

const literal = (value: unknown): string => {
  if (value === null || value === undefined) return 'NULL';
  if (value === M) return ':m';
  if (value === U) return ':u';
  if (value === A) return ':a';
  if (typeof value === 'number') return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
};

/** The statement as a pgbench script line, with each `$n` replaced by a typed literal. */
async function scriptFor(db: pg.Client, sale: NewSale, realMerchant: number): Promise<string> {
  const { sql, params } = await captureSale(sale);
  const table = `"transaction_${M}"`;
  // Ask PostgreSQL which type it infers for each parameter (on a real merchant's table).
  const name = `gs_bench_${Math.random().toString(36).slice(2)}`;
  await db.query(`PREPARE ${name} AS ${sql.replaceAll(table, `"transaction_${realMerchant}"`)}`);
  const { rows } = await db.query<{ types: string[] }>(
    `SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = $1`,
    [name],
  );
  await db.query(`DEALLOCATE ${name}`);
  const types = rows[0].types;
  const text = sql
    .replaceAll(table, `"transaction_:m"`)
    .replace(
      /\$(\d+)\b/g,
      (_, n: string) => `CAST(${literal(params[Number(n) - 1])} AS ${types[Number(n) - 1]})`,
    );
  return text.replace(/\s+/g, ' ').trim();
}

export interface PgbenchSetup {
  bin: string;
  customerScript: string;
  guestScript: string;
  defines: string[];
}

export async function preparePgbench(
  bin: string,
  databaseUrl: string,
  dir: string,
  shops: { first: number; count: number },
  users: { first: number; count: number },
): Promise<PgbenchSetup> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const base: NewSale = {
      merchantId: M,
      userId: U,
      guestUserId: null,
      newGuest: false,
      amountPaise: A,
      type: 'paid',
      description: null,
      paymentMethod: 'upi',
      referenceNumber: null,
      clientId: null,
      occurredAt: null,
      items: null,
      calculation: null,
    };
    const customer = await scriptFor(db, base, shops.first);
    const guest = await scriptFor(
      db,
      { ...base, userId: null, newGuest: true, type: 'pay_later', paymentMethod: null },
      shops.first,
    );
    const customerScript = join(dir, 'pgbench-customer-sale.sql');
    const guestScript = join(dir, 'pgbench-guest-sale.sql');
    await writeFile(
      customerScript,
      [
        `\\set u random(0, :ucount - 1)`,
        `\\set k random(0, 2)`,
        `\\set m :mfirst + (:u * 31 + :k * 7) % :mcount`,
        `\\set u :ufirst + :u`,
        `\\set a random(100, 500099)`,
        customer,
        '',
      ].join('\n'),
    );
    await writeFile(
      guestScript,
      [`\\set m random(:mfirst, :mfirst + :mcount - 1)`, `\\set a random(100, 500099)`, guest, ''].join('\n'),
    );
    return {
      bin,
      customerScript,
      guestScript,
      defines: [
        `mfirst=${shops.first}`,
        `mcount=${shops.count}`,
        `ufirst=${users.first}`,
        `ucount=${users.count}`,
      ],
    };
  } finally {
    await db.end();
  }
}

export interface PgbenchResult {
  clients: number;
  /** Transactions per second over the measured window (after the warm-up seconds). */
  tps: number;
  /** Over the whole run, warm-up included (pgbench's own figure). */
  tpsWholeRun: number;
  /** Mean latency over the measured window. */
  latencyAvgMs: number | null;
  transactions: number;
  failed: number;
}

/**
 * `pgbench -M simple -c <clients>` with the two scripts weighted like the load generator, for
 * `warmSec + measureSec` seconds with a progress line each second; the result is the steady state of
 * the last `measureSec` seconds. (Each new session's first write to a merchant's table loads its
 * catalog entries and compiles its triggers, so pgbench's fresh sessions start slow.)
 */
export async function runPgbench(
  setup: PgbenchSetup,
  databaseUrl: string,
  clients: number,
  warmSec: number,
  measureSec: number,
): Promise<PgbenchResult> {
  const url = new URL(databaseUrl);
  const args = [
    '-n',
    '-M',
    'simple',
    '-c',
    String(clients),
    '-j',
    String(Math.min(clients, 2)),
    '-T',
    String(warmSec + measureSec),
    '-P',
    '1',
    '-f',
    `${setup.customerScript}@${GUEST_EVERY - 1}`,
    '-f',
    `${setup.guestScript}@1`,
    ...setup.defines.flatMap((d) => ['-D', d]),
    '-h',
    url.hostname,
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username),
    decodeURIComponent(url.pathname.slice(1)),
  ];
  const child = Child.exec('pgbench', setup.bin, args, {
    PATH: process.env.PATH,
    PGPASSWORD: decodeURIComponent(url.password),
    PGAPPNAME: 'graminstore-pgbench',
  });
  const { code, text } = await child.output();
  const whole = /tps = ([\d.]+) \(without initial connection time\)/.exec(text);
  const failed = /number of failed transactions: (\d+)/.exec(text);
  if (code !== 0 || !whole || (failed && Number(failed[1]) > 0))
    throw new Error(`pgbench failed (exit ${code}):\n${text}`);
  // progress: 12.0 s, 345.6 tps, lat 45.678 ms stddev 12.345, 0 failed
  const steady = [...text.matchAll(/progress: ([\d.]+) s, ([\d.]+) tps, lat ([\d.]+) ms/g)]
    .map((m) => ({ at: Number(m[1]), tps: Number(m[2]), lat: Number(m[3]) }))
    .filter((p) => p.at > warmSec);
  const processed = /number of transactions actually processed: (\d+)/.exec(text);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    clients,
    tps: Math.round((steady.length ? mean(steady.map((p) => p.tps)) : Number(whole[1])) * 10) / 10,
    tpsWholeRun: Math.round(Number(whole[1]) * 10) / 10,
    latencyAvgMs: steady.length ? Math.round(mean(steady.map((p) => p.lat)) * 100) / 100 : null,
    transactions: processed ? Number(processed[1]) : 0,
    failed: failed ? Number(failed[1]) : 0,
  };
}

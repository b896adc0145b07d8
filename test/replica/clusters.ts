import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Debian's PostgreSQL binaries (`PG_BIN_DIR` to use others). */
export const PG_BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

if (!existsSync(join(PG_BIN, 'pg_basebackup')))
  throw new Error(`No PostgreSQL binaries in ${PG_BIN}: apt-get install postgresql, or set PG_BIN_DIR.`);

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` account. */
const asRoot = process.getuid?.() === 0;

async function owner(): Promise<{ uid: number; gid: number } | undefined> {
  if (!asRoot) return undefined;
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres']).then((r) => Number(r.stdout.trim())),
    run('id', ['-g', 'postgres']).then((r) => Number(r.stdout.trim())),
  ]);
  return { uid, gid };
}

/** Runs a program (PostgreSQL's own, or pgbouncer) as the account that may run it. */
export async function runAs(program: string, args: string[]): Promise<string> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  const { stdout } = await run(file, argv, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A directory the `postgres` account owns (as root), removed by the caller. */
export async function ownedTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  const id = await owner();
  if (id) await chown(dir, id.uid, id.gid);
  return dir;
}

/** One PostgreSQL server in a temporary directory, on a free loopback port, trusted (tests only). */
export class Cluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A new primary, written to disk without fsync: these clusters live for one test run. */
  static async primary(): Promise<Cluster> {
    const dir = await ownedTempDir('graminstore-primary-');
    const data = join(dir, 'data');
    await runAs(join(PG_BIN, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const cluster = new Cluster(dir, await freePort());
    await cluster.configure(['wal_level = replica', 'max_wal_senders = 4', 'shared_buffers = 32MB']);
    await cluster.start();
    return cluster;
  }

  /** A streaming replica of `primary`: `pg_basebackup -R` copies it and writes `standby.signal`. */
  static async replicaOf(primary: Cluster): Promise<Cluster> {
    const dir = await ownedTempDir('graminstore-replica-');
    const data = join(dir, 'data');
    await runAs(join(PG_BIN, 'pg_basebackup'), [
      ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'],
      ...['-D', data, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
    ]);
    const cluster = new Cluster(dir, await freePort());
    await cluster.configure(['hot_standby = on']);
    await cluster.start();
    return cluster;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  private async configure(settings: string[]): Promise<void> {
    const lines = [
      `port = ${this.port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${this.dir}'`,
      'fsync = off',
      'full_page_writes = off',
      ...settings,
    ];
    await appendFile(join(this.data, 'postgresql.conf'), `\n${lines.join('\n')}\n`);
  }

  async start(): Promise<void> {
    await runAs(join(PG_BIN, 'pg_ctl'), [
      '-D',
      this.data,
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** `immediate` is a crash as far as clients can tell: connections drop at once. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await runAs(join(PG_BIN, 'pg_ctl'), ['-D', this.data, '-m', mode, '-w', 'stop']);
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** Stops the server if it runs, and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

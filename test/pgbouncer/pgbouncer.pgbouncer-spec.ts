import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { createTestApp, type TestApp } from '../support/app.js';
import { acceptShop, registerMerchant, registerUser, type Account } from '../support/factories.js';
import { Cluster, freePort, ownedTempDir, runAs } from '../replica/clusters.js';

jest.setTimeout(90_000);

const PGBOUNCER = process.env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer';
if (!existsSync(PGBOUNCER))
  throw new Error(`No pgbouncer at ${PGBOUNCER}: apt-get install pgbouncer, or set PGBOUNCER_BIN.`);

/** Server connections PgBouncer may open: far fewer than the two instances' client connections. */
const SERVER_POOL = 4;

/** Debian's PgBouncer in transaction pooling mode, in a temporary directory, with trust auth. */
class Bouncer {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(upstream: Cluster): Promise<Bouncer> {
    const dir = await ownedTempDir('graminstore-pgbouncer-');
    const port = await freePort();
    await writeFile(join(dir, 'userlist.txt'), '"postgres" ""\n', { mode: 0o644 });
    const ini = (await readFile('deploy/pgbouncer.ini', 'utf8'))
      .replace(/^graminstore = .*$/m, `graminstore = host=127.0.0.1 port=${upstream.port} dbname=graminstore`)
      .replace(/^listen_addr = .*$/m, 'listen_addr = 127.0.0.1')
      .replace(/^listen_port = .*$/m, `listen_port = ${port}`)
      .replace(/^auth_type = .*$/m, 'auth_type = trust')
      .replace(/^auth_file = .*$/m, `auth_file = ${join(dir, 'userlist.txt')}`)
      .replace(/^(admin|stats)_users = .*$/gm, '$1_users = postgres')
      .replace(/^default_pool_size = .*$/m, `default_pool_size = ${SERVER_POOL}`)
      .replace(/^reserve_pool_size = .*$/m, 'reserve_pool_size = 0');
    const extra = [
      `unix_socket_dir =`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      `logfile = ${join(dir, 'log')}`,
    ];
    await writeFile(
      join(dir, 'pgbouncer.ini'),
      ini.replace('[pgbouncer]', `[pgbouncer]\n${extra.join('\n')}`),
    );
    await runAs(PGBOUNCER, ['-d', join(dir, 'pgbouncer.ini')]);
    return new Bouncer(dir, port);
  }

  url(database = 'graminstore'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A command of PgBouncer's admin console (`SHOW POOLS`, …). */
  async admin<T extends pg.QueryResultRow>(command: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url('pgbouncer') });
    await client.connect();
    try {
      return (await client.query<T>(command)).rows;
    } finally {
      await client.end();
    }
  }

  log(): Promise<string> {
    return readFile(join(this.dir, 'log'), 'utf8');
  }

  async stop(): Promise<void> {
    const pid = Number(await readFile(join(this.dir, 'pgbouncer.pid'), 'utf8').catch(() => '0'));
    if (pid) process.kill(pid, 'SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Two app instances behind one PgBouncer in transaction pooling mode, on a PostgreSQL of their own:
 * registration (its advisory lock), sales with Idempotency-Key, settlements, dashboards and exports
 * all work through it, nothing is left behind in the shared server sessions, and the two instances'
 * client connections share a handful of server connections.
 */
describe('behind PgBouncer (transaction pooling, two instances)', () => {
  let postgres: Cluster;
  let bouncer: Bouncer;
  let one: TestApp;
  let two: TestApp;
  let direct: pg.Pool;

  beforeAll(async () => {
    postgres = await Cluster.primary();
    await postgres.query('CREATE DATABASE graminstore');
    bouncer = await Bouncer.start(postgres);
    const database = { url: bouncer.url(), name: 'graminstore', drop: async () => undefined };
    const env = { MERCHANT_WRITES_PER_SECOND: '0' };
    // The first instance migrates through PgBouncer too: each migration is one transaction.
    one = await createTestApp({ database, env, listen: true });
    two = await createTestApp({ database, env, listen: true });
    direct = new pg.Pool({ connectionString: postgres.url('graminstore'), max: 2 });
  });

  afterAll(async () => {
    await two?.close();
    await one?.close();
    await direct?.end();
    await bouncer?.stop();
    await postgres?.destroy();
  });

  const instances = () => [one, two];
  const on = (i: number) => instances()[i % 2];

  it('registers merchants in parallel on both instances (their tables provisioned under the lock)', async () => {
    const merchants = await Promise.all(Array.from({ length: 8 }, (_, i) => registerMerchant(on(i))));
    const { rows } = await direct.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM unnest($1::int[]) AS m(id)
        WHERE to_regclass(format('transaction_%s', m.id)) IS NOT NULL
          AND EXISTS (SELECT 1 FROM merchant_tables t WHERE t.merchant_id = m.id)`,
      [merchants.map((m) => Number(m.id))],
    );
    expect(rows[0].n).toBe(merchants.length);
  });

  describe('money through the pool', () => {
    let merchant: Account;
    let customer: Account;
    beforeAll(async () => {
      merchant = await registerMerchant(one);
      customer = await registerUser(two);
    });
    const create = (t: TestApp, body: object, key: string) =>
      t.http.post('/api/v2/transactions/create').set(merchant.auth).set('Idempotency-Key', key).send(body);

    it('one Idempotency-Key sent to both instances at once makes one sale', async () => {
      const key = randomUUID();
      const body = { user_id: customer.id, amount: 250, type: 'pay_later', payment_method: 'cash' };
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => create(on(i), body, key)));
      expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
      const again = await create(two, body, key).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const { rows } = await direct.query(`SELECT count(*)::int AS n FROM "transaction_${merchant.id}"`);
      expect(rows[0].n).toBe(1);
    });

    it('parallel settlements on both instances never pay more than is owed', async () => {
      const { rows } = await direct.query<{ id: string }>(`SELECT id FROM "transaction_${merchant.id}"`);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          on(i)
            .http.post(`/api/v2/transactions/${rows[0].id}/settle`)
            .set(merchant.auth)
            .send({ amount: 100, payment_method: 'upi' }),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(2);
      expect(results.every((r) => r.status < 500)).toBe(true);
      const paid = await direct.query(
        `SELECT sum(amount_paise)::int AS p FROM settlements WHERE merchant_id = $1`,
        [merchant.id],
      );
      expect(paid.rows[0].p).toBe(20000);
    });

    it('dashboards and exports answer alike on both instances, and leave no lock behind', async () => {
      const [a, b] = await Promise.all(
        instances().map((t) => t.http.get('/api/v2/dashboard/merchant').set(merchant.auth).expect(200)),
      );
      expect(a.body.total_transactions).toBe(1);
      expect({ ...b.body, generated_at: 0 }).toEqual({ ...a.body, generated_at: 0 });
      await acceptShop({ db: direct }, customer.id, merchant.id);
      const user = await two.http.get('/api/v2/dashboard/user').set(customer.auth).expect(200);
      expect(user.body.total_pending).toBe(50);
      // A session-level lock would stay on whichever server connection ran the export, and refuse the
      // merchant's next export on another one.
      for (let i = 0; i < 6; i++) {
        const csv = await on(i).http.get('/api/v2/transactions/export.csv').set(merchant.auth).expect(200);
        expect(csv.text.trim().split('\n')).toHaveLength(2);
      }
      const locks = await direct.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`);
      expect(locks.rows[0].n).toBe(0);
    });
  });

  it('the two instances share the server pool, and PgBouncer logged no refused parameter or statement', async () => {
    const pools = await bouncer.admin<{
      database: string;
      cl_active: string;
      cl_idle?: string;
      sv_active: string;
      sv_idle: string;
      sv_used: string;
    }>('SHOW POOLS');
    const pool = pools.find((p) => p.database === 'graminstore')!;
    const servers = Number(pool.sv_active) + Number(pool.sv_idle) + Number(pool.sv_used);
    expect(servers).toBeLessThanOrEqual(SERVER_POOL);
    const clients = await bouncer.admin<{ database: string }>('SHOW CLIENTS');
    expect(clients.filter((c) => c.database === 'graminstore').length).toBeGreaterThan(SERVER_POOL);
    const log = await bouncer.log();
    expect(log).not.toMatch(
      /unsupported startup parameter|prepared statement .* (does not exist|already exists)/i,
    );
    const backends = await direct.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'graminstore' AND backend_type = 'client backend'`,
    );
    expect(backends.rows[0].n).toBeLessThanOrEqual(SERVER_POOL + 2);
  });
});

import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import { createSale } from '../support/sales.js';
import { Cluster } from './clusters.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL)
  throw new Error(
    'The replica suite checks read-your-writes across instances through Redis: ' +
      'run it as `REDIS_URL=redis://127.0.0.1:6379 npm run test:replica`.',
  );

jest.setTimeout(90_000);

const MAX_LAG_MS = 4000;
const HISTORY = '/api/v2/transactions/history';
const EXPORT = '/api/v2/transactions/export.csv';
const DASHBOARD = '/api/v2/dashboard/merchant';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ReplicaStatus {
  name: string;
  state: 'up' | 'lagging' | 'down';
  lag_ms: number | null;
}

/**
 * A real primary and a real streaming replica (`pg_basebackup`), two app instances reading from the
 * replica and sharing write marks through Redis: reads land on the replica, an account reads its own
 * writes on either instance while the replica's replay is paused, and reads fall back to the primary
 * when the replica lags too far or goes away.
 */
describe('read replicas (a real streaming replica)', () => {
  const prefix = `gs-test-${randomBytes(4).toString('hex')}`;
  let primary: Cluster;
  let replica: Cluster;
  let one: TestApp;
  let two: TestApp;
  let merchant: Account;
  let customer: Account;

  const replicaOf = async (t: TestApp): Promise<ReplicaStatus> => {
    const res = await t.http.get('/health/ready').expect(200);
    return (res.body.checks.replicas as ReplicaStatus[])[0];
  };
  const until = async (t: TestApp, state: ReplicaStatus['state'], timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: ReplicaStatus | undefined;
    while (Date.now() < deadline) {
      last = await replicaOf(t);
      if (last.state === state) return last;
      await sleep(100);
    }
    throw new Error(`the replica did not become ${state}: ${JSON.stringify(last)}`);
  };
  const readsOn = async (t: TestApp, target: 'replica' | 'primary'): Promise<number> => {
    const text = (await t.http.get('/metrics').expect(200)).text;
    const match = new RegExp(`^graminstore_db_routed_reads_total\\{target="${target}"\\} (\\d+)`, 'm').exec(
      text,
    );
    return Number(match?.[1] ?? 0);
  };
  const historyIds = async (t: TestApp, account: Account): Promise<string[]> =>
    ((await t.http.get(HISTORY).set(account.auth).expect(200)).body as { id: string }[]).map((r) =>
      String(r.id),
    );

  /** The sale ids of the merchant's CSV statement (the first column after the header). */
  const exportedIds = async (t: TestApp, account: Account): Promise<string[]> => {
    const res = await t.http.get(EXPORT).set(account.auth).buffer(true).expect(200);
    return res.text
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[0]);
  };

  beforeAll(async () => {
    primary = await Cluster.primary();
    await primary.query('CREATE DATABASE graminstore');
    replica = await Cluster.replicaOf(primary);
    const database = { url: primary.url('graminstore'), name: 'graminstore', drop: async () => undefined };
    const env = {
      DATABASE_READ_URLS: replica.url('graminstore'),
      DATABASE_READ_MAX_LAG_MS: String(MAX_LAG_MS),
      DATABASE_READ_CHECK_MS: '100',
      REDIS_URL: REDIS_URL!,
      REDIS_KEY_PREFIX: prefix,
      MERCHANT_WRITES_PER_SECOND: '0',
    };
    one = await createTestApp({ database, env });
    two = await createTestApp({ database, env });
    merchant = await registerMerchant(one);
    customer = await registerUser(one);
    await until(one, 'up');
    await until(two, 'up');
  });

  afterAll(async () => {
    await two?.close();
    await one?.close();
    await replica?.destroy();
    await primary?.destroy();
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}:*` }))
      if (keys.length) await redis.del(keys);
    await redis.close();
  });

  it('serves dashboards and history from the replica, with the answers the primary gives', async () => {
    await createSale(one, merchant, { amount: 120.5, type: 'paid', user_id: customer.id });
    await createSale(one, merchant, { amount: 80, type: 'pay_later', user_id: customer.id });
    // Right after the writes: the merchant's own reads wait for the replica (or go to the primary).
    const fresh = await one.http.get(DASHBOARD).set(merchant.auth).expect(200);
    expect(fresh.body.total_transactions).toBe(2);
    await sleep(500);

    const before = await readsOn(one, 'replica');
    const fromReplica = await one.http.get(DASHBOARD).set(merchant.auth).expect(200);
    const history = await historyIds(one, merchant);
    expect(await readsOn(one, 'replica')).toBeGreaterThan(before);
    expect({ ...fromReplica.body, generated_at: undefined }).toEqual({
      ...fresh.body,
      generated_at: undefined,
    });
    expect(history).toHaveLength(2);
    // The sales themselves are on the replica, in the merchant's own table.
    expect(
      await replica.query(
        `SELECT count(*)::int AS n FROM transaction_${Number(merchant.id)}`,
        [],
        'graminstore',
      ),
    ).toEqual([{ n: 2 }]);
  });

  it('a lagging replica: the writer reads its own write on either instance; others see it once the lag is too long', async () => {
    await replica.query('SELECT pg_wal_replay_pause()');
    try {
      const sale = await createSale(one, merchant, { amount: 42, type: 'paid', user_id: customer.id });
      const id = String(sale.id);

      // The write's position travels through Redis: the other instance knows the replica lacks it.
      expect(await historyIds(two, merchant)).toContain(id);
      expect((await two.http.get(DASHBOARD).set(merchant.auth).expect(200)).body.total_transactions).toBe(3);
      expect(await historyIds(one, merchant)).toContain(id);

      // A merchant registered on one instance reads its new dashboard on the other.
      const newcomer = await registerMerchant(two);
      const first = await one.http.get(DASHBOARD).set(newcomer.auth).expect(200);
      expect(first.body).toMatchObject({ merchant_id: newcomer.id, total_transactions: 0 });

      // The customer wrote nothing: within the allowed lag, the paused replica answers (without it).
      expect(await historyIds(two, customer)).not.toContain(id);

      // Past DATABASE_READ_MAX_LAG_MS the replica is "lagging" and serves no one.
      const lagging = await until(two, 'lagging', MAX_LAG_MS + 10_000);
      expect(lagging.lag_ms).toBeGreaterThan(MAX_LAG_MS);
      expect(await historyIds(two, customer)).toContain(id);
      // Each instance checks the replica on its own clock: one may see the lag a check later.
      await until(one, 'lagging');
      expect(await historyIds(one, customer)).toContain(id);
    } finally {
      await replica.query('SELECT pg_wal_replay_resume()');
    }
    await until(one, 'up');
    const before = await readsOn(one, 'replica');
    expect(await historyIds(one, customer)).toHaveLength(3);
    expect(await readsOn(one, 'replica')).toBeGreaterThan(before);
  });

  it('the replica going away: reads fall back to the primary at once, and return when it is back', async () => {
    await replica.stop('immediate');
    // The instances have not noticed yet: the failed query is run again on the primary.
    for (const t of [one, two]) {
      const res = await t.http.get(DASHBOARD).set(merchant.auth).expect(200);
      expect(res.body.total_transactions).toBe(3);
      expect(await historyIds(t, customer)).toHaveLength(3);
    }
    const down = await until(one, 'down');
    expect(down.name).toBe('replica-1');
    const metrics = (await one.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^graminstore_db_replica_up\{replica="replica-1"\} 0$/m);
    const sale = await createSale(two, merchant, { amount: 5, type: 'paid', user_id: customer.id });
    expect(await historyIds(one, merchant)).toContain(String(sale.id));

    await replica.start();
    await until(one, 'up');
    await until(two, 'up');
    expect((await one.http.get('/metrics').expect(200)).text).toMatch(
      /^graminstore_db_replica_up\{replica="replica-1"\} 1$/m,
    );
    const before = await readsOn(two, 'replica');
    expect(await historyIds(two, customer)).toHaveLength(4);
    expect(await readsOn(two, 'replica')).toBeGreaterThan(before);
  });

  it('streams CSV exports from the replica, from the primary while the replica lacks the merchant’s write, and when it is away', async () => {
    const shop = await registerMerchant(one);
    const sold = [
      await createSale(one, shop, { amount: 10, type: 'paid', user_id: customer.id }),
      await createSale(one, shop, { amount: 20, type: 'pay_later', user_id: customer.id }),
    ].map((s) => String(s.id));
    await until(one, 'up');
    const table = `transaction_${Number(shop.id)}`;
    const deadline = Date.now() + 20_000;
    while (
      Date.now() < deadline &&
      (await replica.query(`SELECT count(*)::int AS n FROM ${table}`, [], 'graminstore'))[0].n !== 2
    )
      await sleep(100);
    await sleep(500); // the instances' next checks see the replica past the merchant's writes

    await replica.query('SELECT pg_wal_replay_pause()');
    try {
      // A sale written straight into the primary, not by this merchant's requests: no write mark.
      const [direct] = await primary.query(
        `INSERT INTO ${table} (merchant_id, user_id, amount_paise, type, status, paid_paise)
         VALUES ($1, $2, 3000, 'paid', 'paid', 3000) RETURNING id::text AS id`,
        [Number(shop.id), Number(customer.id)],
        'graminstore',
      );
      // Within the allowed lag the paused replica serves the statement: without that sale.
      const before = await readsOn(one, 'replica');
      expect((await exportedIds(one, shop)).sort()).toEqual([...sold].sort());
      expect(await readsOn(one, 'replica')).toBeGreaterThan(before);

      // The merchant records a sale on the other instance: its next statement, on either instance,
      // is read from the primary and has every sale.
      const own = await createSale(two, shop, { amount: 5, type: 'paid', user_id: customer.id });
      const all = [...sold, direct.id as string, String(own.id)].sort();
      expect((await exportedIds(one, shop)).sort()).toEqual(all);
      expect((await exportedIds(two, shop)).sort()).toEqual(all);
    } finally {
      await replica.query('SELECT pg_wal_replay_resume()');
    }

    // The replica gone before the instances noticed: the export is left to the primary at once.
    await replica.stop('immediate');
    const before = await readsOn(two, 'primary');
    expect(await exportedIds(two, shop)).toHaveLength(4);
    expect(await readsOn(two, 'primary')).toBeGreaterThan(before);
    expect((await replicaOf(two)).state).toBe('down');
  });
});

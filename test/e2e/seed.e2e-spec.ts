import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { planDemoData } from '../../seeds/demo-plan.js';
import {
  parseOptions,
  runningEmbeddedServer,
  runSeed,
  UsageError,
  type SeedRun,
} from '../../seeds/seeder.js';
import { createTestApp, testEnvironment, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { allTransactions, misplacedTransactions } from '../support/transactions.js';

const NOW = '2026-03-14T10:30:00.000Z';
/** Loading a data set takes seconds, more on a busy machine. */
const SLOW = 180_000;
const SEED = ['--seed', '7', '--now', NOW];

async function seed(database: TestDatabase, argv: string[]): Promise<{ run: SeedRun; output: string }> {
  const lines: string[] = [];
  const run = await runSeed(argv, testEnvironment(database.url), {
    print: (l) => lines.push(l),
    progress: false,
  });
  if (!run) throw new Error('the seeder printed its help instead of running');
  return { run, output: lines.join('\n') };
}

async function query<R extends pg.QueryResultRow>(
  database: TestDatabase,
  sql: string,
  params: unknown[] = [],
) {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    // {{transactions}}: every merchant's sales; {{misplaced}}: rows in the wrong merchant's table.
    if (sql.includes('{{transactions}}'))
      sql = sql
        .replaceAll('{{transactions}} t', await allTransactions(client, 't'))
        .replaceAll('{{transactions}}', await allTransactions(client));
    if (sql.includes('{{misplaced}}'))
      sql = sql.replaceAll('{{misplaced}}', await misplacedTransactions(client));
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Everything the demo data set consists of, by natural keys (row ids depend on parallel inserts). */
async function dump(database: TestDatabase) {
  return {
    merchants: await query(
      database,
      `SELECT email, name, phone, business_name, business_type, address, city, state, zip_code, aadhar_number,
              created_at FROM merchants ORDER BY email`,
    ),
    users: await query(
      database,
      `SELECT email, name, phone, address, city, state, created_at FROM users ORDER BY email`,
    ),
    transactions: await query(
      database,
      `SELECT m.email AS merchant, t.client_id, u.email AS customer, t.guest_user_id IS NOT NULL AS guest,
              t.amount_paise, t.type, t.status, t.paid_paise, t.description, t.payment_method, t.reference_number,
              t.occurred_at, t.settled_at
         FROM {{transactions}} t JOIN merchants m ON m.id = t.merchant_id LEFT JOIN users u ON u.id = t.user_id
        ORDER BY 1, 2`,
    ),
    settlements: await query(
      database,
      `SELECT m.email AS merchant, t.client_id, s.amount_paise, s.payment_method, s.reference_number, s.created_at
         FROM settlements s JOIN {{transactions}} t ON t.merchant_id = s.merchant_id AND t.id = s.transaction_id
         JOIN merchants m ON m.id = s.merchant_id ORDER BY 1, 2, s.created_at`,
    ),
  };
}

describe('seed (e2e)', () => {
  let a: TestDatabase;
  let first: { run: SeedRun; output: string };

  beforeAll(async () => {
    a = await createTestDatabase();
    first = await seed(a, SEED);
  }, SLOW);
  afterAll(() => a.drop());

  it(
    'loads the promised demo data set through the services',
    async () => {
      expect(first.run.counts).toMatchObject({ admins: 1, merchants: 5, users: 100 });
      expect(first.run.demo?.created).toMatchObject({ merchants: 5, users: 100 });

      const perMerchant = await query<{
        business_type: string;
        customer: number;
        guest: number;
        guests: number;
        pay_later: number;
        settled: number;
        partly: number;
      }>(
        a,
        `SELECT m.business_type,
              count(*) FILTER (WHERE t.user_id IS NOT NULL)::int AS customer,
              count(*) FILTER (WHERE t.guest_user_id IS NOT NULL)::int AS guest,
              (SELECT count(*) FROM guest_users g WHERE g.merchant_id = m.id AND g.transaction_id IS NOT NULL)::int AS guests,
              count(*) FILTER (WHERE t.type = 'pay_later')::int AS pay_later,
              count(*) FILTER (WHERE t.type = 'pay_later' AND t.status = 'paid')::int AS settled,
              count(*) FILTER (WHERE t.status = 'partially_paid')::int AS partly
         FROM merchants m JOIN {{transactions}} t ON t.merchant_id = m.id GROUP BY m.id ORDER BY m.id`,
      );
      expect(perMerchant.map((m) => m.business_type).sort()).toEqual(
        ['café', 'hardware', 'kirana', 'pharmacy', 'sweets'].sort(),
      );
      for (const m of perMerchant) {
        expect(m.customer).toBeGreaterThanOrEqual(100);
        expect(m.guest).toBeGreaterThanOrEqual(50);
        expect(m.guests).toBe(m.guest); // one guest per guest sale, created with it
        expect(m.pay_later).toBeGreaterThan(0);
      }
      const total = (k: 'settled' | 'partly') => perMerchant.reduce((s, m) => s + m[k], 0);
      expect(total('settled')).toBeGreaterThan(0);
      expect(total('partly')).toBeGreaterThan(0);

      // Each merchant's own table holds its sales (provisioned by registration).
      const tables = await query<{ n: number }>(
        a,
        `SELECT count(*)::int AS n FROM merchant_tables WHERE merchant_id > 0`,
      );
      expect(tables[0].n).toBe(5);

      // Cash and UPI carry most sales; bills on account start without a method.
      const methods = await query<{ method: string | null; n: number }>(
        a,
        `SELECT payment_method AS method, count(*)::int AS n FROM {{transactions}} GROUP BY 1 ORDER BY 2 DESC`,
      );
      expect(
        methods
          .slice(0, 2)
          .map((m) => m.method)
          .sort(),
      ).toEqual(['cash', 'upi']);

      // The last 90 days up to --now, in shop hours (India time).
      const [span] = await query<{ first: Date; last: Date; early: number; late: number }>(
        a,
        `SELECT min(occurred_at) AS first, max(occurred_at) AS last,
              count(*) FILTER (WHERE (occurred_at AT TIME ZONE 'Asia/Kolkata')::time < '07:00')::int AS early,
              count(*) FILTER (WHERE (occurred_at AT TIME ZONE 'Asia/Kolkata')::time >= '22:30')::int AS late
         FROM {{transactions}}`,
      );
      expect(span.last.getTime()).toBeLessThanOrEqual(Date.parse(NOW));
      expect(span.first.getTime()).toBeGreaterThanOrEqual(Date.parse(NOW) - 91 * 86_400_000);
      expect(span.early + span.late).toBe(0);

      // Payments on bills: never more than owed, and made after the sale, up to --now.
      const [bills] = await query<{ wrong_paid: number; early_payments: number; late_payments: number }>(
        a,
        `SELECT (SELECT count(*) FROM {{transactions}} t WHERE t.paid_paise <>
                 CASE WHEN t.type = 'paid' THEN t.amount_paise
                      ELSE coalesce((SELECT sum(amount_paise) FROM settlements s
                                      WHERE s.merchant_id = t.merchant_id AND s.transaction_id = t.id), 0) END)::int
                AS wrong_paid,
              (SELECT count(*) FROM settlements s JOIN {{transactions}} t
                  ON t.merchant_id = s.merchant_id AND t.id = s.transaction_id
                WHERE s.created_at <= t.occurred_at)::int AS early_payments,
              (SELECT count(*) FROM settlements WHERE created_at > $1)::int AS late_payments`,
        [NOW],
      );
      expect(bills).toEqual({ wrong_paid: 0, early_payments: 0, late_payments: 0 });
      expect(first.output).toMatch(/merchant123@example\.com\s+merchant123/);
      expect(first.output).toMatch(/user123@example\.com\s+user123/);
      expect(first.output).toMatch(/admin@graminstore\.com\s+admin123/);
    },
    SLOW,
  );

  it(
    'changes nothing when run again, and says so',
    async () => {
      const before = await dump(a);
      const again = await seed(a, SEED);
      expect(again.run.demo?.created).toEqual({ merchants: 0, users: 0, transactions: 0, settlements: 0 });
      expect(again.output).toContain('nothing changed');
      expect(again.run.counts).toEqual(first.run.counts);
      expect(await dump(a)).toEqual(before);
    },
    SLOW,
  );

  it(
    'gives the same data for the same seed, and other data for another',
    async () => {
      const b = await createTestDatabase();
      try {
        await seed(b, SEED);
        expect(await dump(b)).toEqual(await dump(a));
      } finally {
        await b.drop();
      }
      const now = new Date(NOW);
      expect(planDemoData({ seed: 7, now })).toEqual(planDemoData({ seed: 7, now }));
      expect(planDemoData({ seed: 8, now }).users.map((u) => u.name)).not.toEqual(
        planDemoData({ seed: 7, now }).users.map((u) => u.name),
      );
    },
    SLOW,
  );

  describe('through the REST API', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ database: a });
    });
    afterAll(() => t.close());

    it.each([
      ['merchant', 'merchant123@example.com', 'merchant123'],
      ['user', 'user123@example.com', 'user123'],
      ['admin', 'admin@graminstore.com', 'admin123'],
    ])('logs in the demo %s with the printed credentials', async (role, email, password) => {
      const res = await t.http.post(`/api/v2/auth/login/${role}`).send({ email, password }).expect(200);
      expect(res.body.user_type).toBe(role);
    });

    it("shows the demo merchant's sales and the demo customer's purchases", async () => {
      const merchant = await t.http
        .post('/api/v2/auth/login/merchant')
        .send({ email: 'merchant123@example.com', password: 'merchant123' });
      const history = await t.http
        .get('/api/v2/transactions/history?limit=200')
        .set({ Authorization: `Bearer ${merchant.body.access_token}` })
        .expect(200);
      expect(history.body.length).toBeGreaterThanOrEqual(150);
      const user = await t.http
        .post('/api/v2/auth/login/user')
        .send({ email: 'user123@example.com', password: 'user123' });
      const mine = await t.http
        .get('/api/v2/transactions/history?limit=200')
        .set({ Authorization: `Bearer ${user.body.access_token}` })
        .expect(200);
      // The demo customer is a regular at every demo shop.
      expect(new Set(mine.body.map((tx: { merchant_id: number }) => tx.merchant_id)).size).toBe(5);
    });
  });

  describe('bulk data', () => {
    let d: TestDatabase;
    let bulk: SeedRun;
    beforeAll(async () => {
      d = await createTestDatabase();
      bulk = (await seed(d, ['--no-demo', '--merchants', '30', '--users', '200', '--transactions', '6000']))
        .run;
    }, SLOW);
    afterAll(() => d.drop());

    it('loads the requested counts, each merchant with its own table', async () => {
      expect(bulk.counts).toMatchObject({ admins: 1, merchants: 30, users: 200, transactions: 6000 });
      expect(bulk.bulk).toMatchObject({
        transactions: 6000,
        merchants: { count: 30 },
        users: { count: 200 },
      });
      const [row] = await query<{
        tables: number;
        per_partition: number;
        guests: number;
        guest_sales: number;
      }>(
        d,
        `SELECT (SELECT count(*) FROM merchant_tables WHERE merchant_id > 0)::int AS tables,
                {{misplaced}}::int AS per_partition,
                (SELECT count(*) FROM guest_users)::int AS guests,
                (SELECT count(*) FROM {{transactions}} WHERE guest_user_id IS NOT NULL)::int AS guest_sales`,
      );
      expect(row.tables).toBe(30);
      expect(row.per_partition).toBe(0); // every row sits in its merchant's table
      expect(row.guests).toBe(row.guest_sales);
      expect(row.guest_sales).toBe(bulk.bulk?.guests);
    });

    it('leaves fresh planner statistics on the shared tables it grew, the index of sales among them', async () => {
      const analyzed = await query<{ relname: string }>(
        d,
        `SELECT relname FROM pg_stat_user_tables
          WHERE relname IN ('transaction_index', 'customer_accounts', 'account_entries', 'customer_merchants')
            AND last_analyze IS NOT NULL ORDER BY relname`,
      );
      expect(analyzed.map((r) => r.relname)).toEqual([
        'account_entries',
        'customer_accounts',
        'customer_merchants',
        'transaction_index',
      ]);
    });

    it('writes what the API would: statuses, payments, guests and customer links agree', async () => {
      const [row] = await query<Record<string, number>>(
        d,
        `SELECT
           (SELECT count(*) FROM {{transactions}} t WHERE t.paid_paise <>
              CASE WHEN t.type = 'paid' THEN t.amount_paise
                   ELSE coalesce((SELECT sum(amount_paise) FROM settlements s
                                   WHERE s.merchant_id = t.merchant_id AND s.transaction_id = t.id), 0) END)::int AS bad_paid,
           (SELECT count(*) FROM {{transactions}} WHERE status <> CASE WHEN paid_paise = 0 THEN 'due'
              WHEN paid_paise = amount_paise THEN 'paid' ELSE 'partially_paid' END)::int AS bad_status,
           (SELECT count(*) FROM {{transactions}} WHERE (status = 'paid') <> (settled_at IS NOT NULL))::int AS bad_settled,
           (SELECT count(*) FROM guest_users g JOIN {{transactions}} t ON t.guest_user_id = g.id
             WHERE g.transaction_id <> t.id OR g.merchant_id <> t.merchant_id)::int AS bad_guests,
           (SELECT count(*) FROM (SELECT user_id, merchant_id, min(occurred_at) f, max(occurred_at) l FROM {{transactions}}
             WHERE user_id IS NOT NULL GROUP BY 1, 2) x FULL JOIN customer_merchants c USING (user_id, merchant_id)
             WHERE c.user_id IS NULL OR x.user_id IS NULL OR c.first_transaction_at <> x.f
                OR c.last_transaction_at <> x.l)::int AS bad_links,
           (SELECT count(*) FROM settlements)::int AS settlements`,
      );
      expect(row).toEqual({
        bad_paid: 0,
        bad_status: 0,
        bad_settled: 0,
        bad_guests: 0,
        bad_links: 0,
        settlements: bulk.bulk?.settlements,
      });
      expect(row.settlements).toBeGreaterThan(0);
    });

    it("rebuilds the dashboards' rollups from the loaded rows", async () => {
      const [rollups] = await query<{ exists: boolean }>(
        d,
        `SELECT to_regclass('merchant_daily_totals') IS NOT NULL AS exists`,
      );
      if (!rollups.exists) return; // a schema without rollups has nothing to rebuild
      const [row] = await query<{ mismatched: number }>(
        d,
        `SELECT count(*)::int AS mismatched FROM merchants m
          WHERE (SELECT coalesce(sum(sales_paise), 0) FROM merchant_daily_totals d WHERE d.merchant_id = m.id)
             <> (SELECT coalesce(sum(amount_paise), 0) FROM {{transactions}} t WHERE t.merchant_id = m.id)`,
      );
      expect(row.mismatched).toBe(0);
    });

    it(
      'lets the API carry on after the loaded ids, and bulk logins work',
      async () => {
        const t = await createTestApp({ database: d });
        try {
          const first = bulk.bulk!.merchants.first!;
          const login = await t.http
            .post('/api/v2/auth/login/merchant')
            .send({ email: `bulk.merchant${first}@example.com`, password: 'merchant123' })
            .expect(200);
          const auth = { Authorization: `Bearer ${login.body.access_token}` };
          const [max] = await query<{ id: string; guest: number }>(
            d,
            `SELECT (SELECT max(id) FROM {{transactions}}) AS id, (SELECT max(id) FROM guest_users) AS guest`,
          );
          const sale = await t.http
            .post('/api/v2/transactions/create')
            .set(auth)
            .send({ amount: 120, type: 'pay_later', is_guest_transaction: true })
            .expect(201);
          expect(sale.body.id).toBeGreaterThan(Number(max.id));
          expect(sale.body.guest_user_id).toBeGreaterThan(max.guest);
          await t.http
            .post('/api/v2/auth/login/user')
            .send({ email: `bulk.user${bulk.bulk!.users.first}@example.com`, password: 'user123' })
            .expect(200);
          const registered = await t.http
            .post('/api/v2/auth/register/merchant')
            .send({
              name: 'Asha Patil',
              email: 'asha.patil@example.com',
              phone: '+919812345670',
              password: 'patil-kirana-4821',
              business_name: 'Patil Kirana',
            })
            .expect(201);
          expect(registered.body.user_id).toBeGreaterThan(first + 29);
        } finally {
          await t.close();
        }
      },
      SLOW,
    );
  });
  // Last: it rebuilds the shared database with another seed.
  it(
    'refuses to mix in another seed until --reset rebuilds',
    async () => {
      await expect(seed(a, ['--seed', '8', '--now', NOW])).rejects.toThrow(/--reset/);
      const rebuilt = await seed(a, ['--seed', '8', '--now', NOW, '--reset']);
      expect(rebuilt.output).toContain('Emptied');
      expect(rebuilt.run.counts).toMatchObject({ admins: 1, merchants: 5, users: 100 });
      const names = await query<{ name: string }>(a, `SELECT name FROM users ORDER BY id`);
      expect(names.map((n) => n.name)).toEqual(
        planDemoData({ seed: 8, now: new Date(NOW) }).users.map((u) => u.name),
      );
    },
    SLOW,
  );

  describe('command line', () => {
    it('reads the bulk options and rejects what is not a count', () => {
      expect(
        parseOptions(['--merchants', '10_000', '--transactions', '1,000,000', '--into', '1,2']),
      ).toMatchObject({
        merchants: 10000,
        transactions: 1000000,
        into: [1, 2],
        demo: true,
        seed: 42,
      });
      expect(parseOptions(['--no-demo'])).toMatchObject({ demo: false });
      expect(() => parseOptions(['--users', 'many'])).toThrow(UsageError);
      expect(() => parseOptions(['--now', 'yesterday'])).toThrow(UsageError);
      expect(() => parseOptions(['--merchant', '3'])).toThrow(); // unknown option
    });

    it('will not touch an embedded database that a running app holds', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'graminstore-seed-lock-'));
      // A live process whose parent is alive, as a running app's database server is.
      const server = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      try {
        expect(runningEmbeddedServer(dir)).toBeUndefined();
        await writeFile(join(dir, 'postmaster.pid'), `${server.pid}\n${dir}\n`);
        expect(runningEmbeddedServer(dir)).toBe(server.pid);
        await expect(
          runSeed([], { NODE_ENV: 'test', EMBEDDED_PG_DIR: dir }, { print: () => undefined }),
        ).rejects.toThrow(/stop it .*DATABASE_URL/is);
        // A stale lock of a server that is gone is no obstacle.
        await writeFile(join(dir, 'postmaster.pid'), `2147483646\n${dir}\n`);
        expect(runningEmbeddedServer(dir)).toBeUndefined();
      } finally {
        server.kill();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});

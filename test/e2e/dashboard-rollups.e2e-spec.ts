import { jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { DashboardRepository } from '../../src/modules/dashboard/dashboard.repository.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { acceptShop, registerMerchant, registerUser, type Account } from '../support/factories.js';
import { allTransactions, merchantTable } from '../support/transactions.js';

// Many requests per test, on shared CI machines.
jest.setTimeout(120_000);

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const METHODS = ['cash', 'upi', 'card', 'online', 'bank_transfer', 'other'];

interface PlanNode {
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function relations(node: PlanNode, out = new Set<string>()): Set<string> {
  if (node['Relation Name']) out.add(node['Relation Name']);
  for (const child of node.Plans ?? []) relations(child, out);
  return out;
}

describe('dashboard rollups and partition pruning (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function sell(
    m: Account,
    body: Record<string, unknown>,
  ): Promise<{ id: number; amount_paise: number }> {
    const res = await t.http.post('/api/v2/transactions/create').set(m.auth).send(body);
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    // These customers know their shops: confirmed, so their sales count in the totals.
    if (typeof body.user_id === 'number') await acceptShop(t, body.user_id, m.id);
    return res.body;
  }

  /** The rollups as a reader sees them: stripes summed, zero rows dropped. */
  async function snapshot() {
    const daily = await t.db.query(`
      SELECT merchant_id, day::text, sum(sales_count)::int AS sales_count, sum(sales_paise)::text AS sales,
             sum(due_paise)::text AS due, sum(collected_paise)::text AS collected,
             sum(guest_count)::int AS guests, sum(guest_paise)::text AS guest_paise,
             ${METHODS.concat('unspecified')
               .map((m) => `sum(${m}_count)::int AS ${m}_count, sum(${m}_paise)::text AS ${m}_paise`)
               .join(', ')}
        FROM merchant_daily_totals GROUP BY 1, 2
      HAVING sum(sales_count) <> 0 OR sum(sales_paise) <> 0 OR sum(due_paise) <> 0 OR sum(collected_paise) <> 0
       ORDER BY 1, 2`);
    const outstanding = await t.db.query(`
      SELECT merchant_id, sum(due_paise)::text AS due, sum(open_bills)::int AS bills
        FROM merchant_outstanding GROUP BY 1 HAVING sum(due_paise) <> 0 OR sum(open_bills) <> 0 ORDER BY 1`);
    const customers = await t.db.query(
      `SELECT * FROM customer_merchant_totals ORDER BY user_id, merchant_id`,
    );
    return { daily: daily.rows, outstanding: outstanding.rows, customers: customers.rows };
  }

  it('keeps the maintained rollups equal to a full recomputation after mixed creates and settles', async () => {
    const rnd = random(20251124);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const merchants = [
      await registerMerchant(t),
      await registerMerchant(t),
      await registerMerchant(t, { timezone: 'America/New_York' }),
    ];
    const users = [
      await registerUser(t),
      await registerUser(t),
      await registerUser(t),
      await registerUser(t),
    ];
    const bills: { m: Account; id: number; left: number }[] = [];
    const saleBody = () => {
      const guest = rnd() < 0.25;
      const type = rnd() < 0.4 ? 'pay_later' : 'paid';
      return {
        amount: (Math.floor(rnd() * 500000) + 1) / 100,
        type,
        ...(guest ? { is_guest_transaction: true } : { user_id: pick(users).id }),
        ...(rnd() < 0.8 ? { payment_method: pick(METHODS) } : {}),
        ...(rnd() < 0.7
          ? { occurred_at: new Date(Date.now() - Math.floor(rnd() * 60 * 86_400_000)).toISOString() }
          : {}),
      };
    };
    // Waves of parallel creates (several database sessions, so several stripes), then settles.
    for (let wave = 0; wave < 4; wave++) {
      const batch = Array.from({ length: 16 }, () => ({ m: pick(merchants), body: saleBody() }));
      const created = await Promise.all(batch.map(({ m, body }) => sell(m, body)));
      created.forEach((c, i) => {
        if (batch[i].body.type === 'pay_later') bills.push({ m: batch[i].m, id: c.id, left: c.amount_paise });
      });
      const open = bills.filter((b) => b.left > 0);
      await Promise.all(
        open.slice(0, 6).map(async (b) => {
          const part = rnd() < 0.5 && b.left > 1 ? Math.max(1, Math.floor(b.left / 3)) : b.left;
          const res = await t.http
            .post(`/api/v2/transactions/${b.id}/settle`)
            .set(b.m.auth)
            .send({ amount: part / 100, payment_method: pick(METHODS) });
          expect(res.status).toBe(200);
          b.left -= part;
        }),
      );
    }
    expect(bills.some((b) => b.left === 0)).toBe(true);
    expect(bills.some((b) => b.left > 0)).toBe(true);

    const maintained = await snapshot();
    expect(maintained.daily.length).toBeGreaterThan(10);
    const stripes = await t.db.query(`SELECT count(DISTINCT stripe)::int AS n FROM merchant_daily_totals`);
    expect(stripes.rows[0].n).toBeGreaterThan(1);

    await t.app.get(DashboardRepository).rebuildRollups();
    const rebuilt = await snapshot();
    expect(maintained).toEqual(rebuilt);

    // And the rollups agree with the rows themselves on what matters most.
    const truth = await t.db.query(`
      SELECT t.merchant_id, sum(t.amount_paise)::text AS sales, sum(t.amount_paise - t.paid_paise)::text AS due,
             (sum(t.amount_paise) FILTER (WHERE t.type = 'paid')
               + coalesce((SELECT sum(s.amount_paise) FROM settlements s WHERE s.merchant_id = t.merchant_id), 0)
             )::text AS collected
        FROM ${await allTransactions(t.db, 't')} GROUP BY 1 ORDER BY 1`);
    const rolled = await t.db.query(`
      SELECT merchant_id, sum(sales_paise)::text AS sales, sum(due_paise)::text AS due,
             sum(collected_paise)::text AS collected
        FROM merchant_daily_totals GROUP BY 1 HAVING sum(sales_count) > 0 ORDER BY 1`);
    expect(rolled.rows).toEqual(truth.rows);
  });

  it('lets a bulk load skip the triggers and rebuild one merchant afterwards', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    await sell(m, { amount: 10, type: 'paid', user_id: u.id });
    const client = await t.db.connect();
    try {
      await client.query(`SET graminstore.rollups = 'off'`);
      await client.query(
        `INSERT INTO ${merchantTable(m.id)} (merchant_id, user_id, amount_paise, type, status, paid_paise, occurred_at)
         SELECT $1, $2, 100, 'pay_later', 'due', 0, now() - g * interval '1 hour' FROM generate_series(1, 20) g`,
        [m.id, u.id],
      );
      await client.query(`RESET graminstore.rollups`);
    } finally {
      client.release();
    }
    const before = (await t.http.get('/api/v2/dashboard/merchant').set(m.auth).expect(200)).body;
    expect(before.total_transactions).toBe(1);
    await t.app.get(DashboardRepository).rebuildRollups(m.id);
    const after = (await t.http.get('/api/v2/dashboard/merchant').set(m.auth).expect(200)).body;
    expect(after.total_transactions).toBe(21);
    expect(after.outstanding).toEqual({ amount: 20, amount_paise: 2000, bills: 20 });
    const ud = (await t.http.get('/api/v2/dashboard/user').set(u.auth).expect(200)).body;
    expect(ud.total_pending).toBe(20);
  });

  it("reads only the tables of the customer's own merchants (EXPLAIN of the queries the service runs)", async () => {
    const merchants = await Promise.all(Array.from({ length: 6 }, () => registerMerchant(t)));
    const [a, b, c, d] = merchants;
    const u = await registerUser(t);
    const v = await registerUser(t);
    await sell(a, { amount: 10, type: 'paid', user_id: u.id });
    await sell(a, { amount: 11, type: 'pay_later', user_id: u.id });
    const paidBill = await sell(c, { amount: 12, type: 'pay_later', user_id: u.id });
    await t.http
      .post(`/api/v2/transactions/${paidBill.id}/settle`)
      .set(c.auth)
      .send({ payment_method: 'upi' })
      .expect(200);
    await sell(c, { amount: 13, type: 'pay_later', user_id: u.id });
    await sell(b, { amount: 14, type: 'pay_later', user_id: v.id });
    await sell(d, { amount: 15, type: 'paid', user_id: v.id });
    const own = new Set([`transaction_${a.id}`, `transaction_${c.id}`]);

    // Record the SQL the service sends while serving u's views.
    const dataSource = t.app.get(DataSource);
    const seen: { sql: string; params: unknown[] }[] = [];
    const manager = dataSource.manager;
    const original = manager.query.bind(manager);
    manager.query = ((sql: string, params?: unknown[]) => {
      seen.push({ sql, params: params ?? [] });
      return original(sql, params);
    }) as typeof manager.query;
    try {
      for (const path of [
        '/api/v2/dashboard/user',
        '/api/v2/dashboard/user/expenses?period=week&count=4',
        '/api/v2/dashboard/user/bills?status=due',
        '/api/v2/dashboard/user/bills?status=paid',
      ])
        await t.http.get(path).set(u.auth).expect(200);
    } finally {
      manager.query = original;
    }
    // The dashboard and the spending read the customer's rows of transaction_index only; a page of
    // bills reads its own rows from their shops' tables (one statement per page).
    const onTransactions = seen.filter((q) => /"transaction_\d+"/.test(q.sql));
    expect(onTransactions.length).toBe(2);
    for (const q of onTransactions) {
      const { rows } = await t.db.query(`EXPLAIN (FORMAT JSON) ${q.sql}`, q.params);
      const touched = [...relations(rows[0]['QUERY PLAN'][0].Plan)].filter((r) =>
        r.startsWith('transaction'),
      );
      expect(touched.length).toBeGreaterThan(0);
      for (const r of touched) expect(own).toContain(r);
      expect(touched).not.toContain('transactions');
    }
    // Each statement names only u's merchants' tables: the narrowing is in the SQL, not left to a planner.
    for (const q of onTransactions)
      for (const [name] of q.sql.matchAll(/transaction_\d+/g)) expect(own).toContain(name);
    expect(merchants.length).toBeGreaterThan(own.size);

    // The figures themselves are u's only.
    const ud = (await t.http.get('/api/v2/dashboard/user').set(u.auth).expect(200)).body;
    expect(ud).toMatchObject({ merchants_count: 2, total_spent: 22, total_pending: 24 });
    const links = await t.db.query(
      `SELECT merchant_id FROM customer_merchants WHERE user_id = $1 ORDER BY 1`,
      [u.id],
    );
    expect(links.rows.map((r) => r.merchant_id)).toEqual([a.id, c.id].sort((x, y) => x - y));
  });
});

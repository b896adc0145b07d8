/**
 * The khata at a busy shop: does the cost of the customers list, a ledger page and a payment on
 * account grow with the shop's history or the account's? One merchant has about a million sales in
 * its table, among them one customer account with 10,000 entries; measured against a fresh account
 * (one entry) in that same table, and the customers list against a fresh shop's (issue: "within 2 ×
 * their cost on a fresh account"). Requests alternate between the two targets, so the machine's noise
 * hits both alike.
 *
 * Data is generated with set-based SQL as in dashboards.ts, then the shop's rollups and accounts are
 * rebuilt as a bulk loader does (`dashboard_rebuild_rollups`, `khata_backfill_accounts`).
 */
import pg from 'pg';
import {
  insertHistory,
  measureTargets,
  insertMerchants,
  insertUsers,
  round,
  scenarioDatabase,
  withApp,
  withServer,
  type BenchOptions,
  type BenchTarget,
  type LatencyStats,
} from './dashboards.js';
import { TransactionTableFactory } from '../src/modules/transactions/transaction-table.factory.js';

export interface KhataLine {
  endpoint: string;
  fresh: LatencyStats;
  busy: LatencyStats;
  /** busy.p99 / fresh.p99: the goal is at most 2. */
  p99Ratio: number;
}

export interface KhataBench {
  rows: number;
  entries: number;
  customers: KhataLine;
  ledger: KhataLine;
  payment: KhataLine;
}

/** The measured customer's sales (every other one on credit), spread over the last year. */
const HEAVY_ENTRIES = 10_000;

export async function benchKhata(options: BenchOptions & { rows?: number } = {}): Promise<KhataBench> {
  const rows = options.rows ?? 1_000_000;
  const log = options.log ?? (() => undefined);
  return withServer(options, async (adminUrl) => {
    const { url, meta } = await scenarioDatabase(
      adminUrl,
      'gs_bench_khata',
      `khata:${rows}`,
      options,
      async (db) => {
        const users = await insertUsers(db, 2002);
        // The first two customers are the measured ones; the history is everyone else's.
        const heavy = users.first;
        const light = users.first + 1;
        const [fresh, busy] = await insertMerchants(db, 2);
        const started = Date.now();
        await insertHistory(db, busy, rows - HEAVY_ENTRIES, { first: users.first + 2, count: 2000 }, 365);
        await insertSales(db, busy, heavy, HEAVY_ENTRIES, 100_00);
        await insertSales(db, busy, light, 1, 1_00_000_00);
        await insertSales(db, fresh, light, 1, 1_00_000_00);
        log(`khata: ${rows} rows in ${Date.now() - started} ms`);
        for (const m of [fresh, busy]) {
          await db.query(`SELECT dashboard_rebuild_rollups($1)`, [m]);
          await db.query(`SELECT khata_backfill_accounts($1)`, [m]);
        }
        await db.query(`ANALYZE`);
        const account = async (merchant: number, user: number) =>
          Number(
            (
              await db.query(`SELECT id FROM customer_accounts WHERE merchant_id = $1 AND user_id = $2`, [
                merchant,
                user,
              ])
            ).rows[0].id,
          );
        return {
          fresh,
          busy,
          heavyAccount: await account(busy, heavy),
          lightAccount: await account(busy, light),
          entries: Number(
            (
              await db.query(`SELECT entry_count FROM customer_accounts WHERE id = $1`, [
                await account(busy, heavy),
              ])
            ).rows[0].entry_count,
          ),
        };
      },
    );
    return withApp(url, async (app) => {
      const busyToken = app.token(meta.busy, 'merchant');
      const freshToken = app.token(meta.fresh, 'merchant');
      const line = async (endpoint: string, fresh: BenchTarget, busy: BenchTarget, requests?: number) => {
        const [f, b] = await measureTargets(
          [fresh, busy],
          { ...options, requests: requests ?? options.requests },
          app.baseUrl,
        );
        return { endpoint, fresh: f, busy: b, p99Ratio: round(b.p99 / f.p99) };
      };
      const list = '/api/v2/customers?limit=50';
      const ledger = (id: number) => `/api/v2/customers/${id}/ledger?limit=50`;
      const pay = (id: number) => `/api/v2/customers/${id}/payments`;
      const payment = { amount: 1, payment_method: 'cash' };
      return {
        rows,
        entries: meta.entries,
        customers: await line(
          `GET ${list}: a shop of ${rows} sales vs a fresh shop`,
          { method: 'GET', path: list, token: freshToken },
          { method: 'GET', path: list, token: busyToken },
        ),
        ledger: await line(
          `GET /customers/{id}/ledger: ${meta.entries} entries vs 1`,
          { method: 'GET', path: ledger(meta.lightAccount), token: busyToken },
          { method: 'GET', path: ledger(meta.heavyAccount), token: busyToken },
        ),
        // Each payment is ₹1 on the oldest open bill: both accounts owe far more than the run pays.
        payment: await line(
          `POST /customers/{id}/payments: ${meta.entries} entries vs 1`,
          { method: 'POST', path: pay(meta.lightAccount), token: busyToken, body: payment },
          { method: 'POST', path: pay(meta.heavyAccount), token: busyToken, body: payment },
          Math.min(options.requests ?? 1000, 500),
        ),
      };
    });
  });
}

/** `count` sales of `user` at `merchant` over the last year, every other one on credit (nothing paid). */
async function insertSales(
  db: pg.Client,
  merchant: number,
  user: number,
  count: number,
  paise: number,
): Promise<void> {
  await db.query(
    `INSERT INTO ${TransactionTableFactory.quotedTableName(merchant)}
       (merchant_id, user_id, amount_paise, type, status, paid_paise, payment_method, occurred_at)
     SELECT $1::integer, $2::integer, $4::bigint,
            CASE WHEN $3::integer = 1 OR g % 2 = 0 THEN 'pay_later' ELSE 'paid' END,
            CASE WHEN $3::integer = 1 OR g % 2 = 0 THEN 'due' ELSE 'paid' END,
            CASE WHEN $3::integer = 1 OR g % 2 = 0 THEN 0 ELSE $4::bigint END,
            'cash', now() - (g::float8 / $3::integer) * interval '365 days'
       FROM generate_series(1, $3::integer) g`,
    [merchant, user, count, paise],
  );
}

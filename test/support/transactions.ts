import type pg from 'pg';

/** The quoted table of one merchant's sales, for assertions in tests. */
export function merchantTable(merchantId: number | string): string {
  const id = Number(merchantId);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new TypeError(`No merchant table for ${String(merchantId)}`);
  return `"transaction_${id}"`;
}

/**
 * Every merchant's sales as one relation, for assertions across merchants: a UNION ALL over the
 * tables listed in `merchant_tables` (the template when there is none), named `alias` (PostgreSQL
 * before 16 requires a name for a subquery in FROM). Use as `FROM ${await allTransactions(db, 't')}`.
 */
export async function allTransactions(
  db: pg.Pool | pg.PoolClient | pg.Client,
  alias = 'all_transactions',
): Promise<string> {
  const { rows } = await db.query<{ merchant_id: number }>(
    `SELECT merchant_id FROM merchant_tables WHERE merchant_id > 0 ORDER BY 1`,
  );
  const tables = rows.length ? rows.map((r) => merchantTable(r.merchant_id)) : ['transaction_template'];
  return `(${tables.map((t) => `SELECT * FROM ${t}`).join(' UNION ALL ')}) AS ${alias}`;
}

/** SQL counting rows that sit in another merchant's table than their `merchant_id` says. */
export async function misplacedTransactions(db: pg.Pool | pg.PoolClient | pg.Client): Promise<string> {
  const { rows } = await db.query<{ merchant_id: number }>(
    `SELECT merchant_id FROM merchant_tables WHERE merchant_id > 0 ORDER BY 1`,
  );
  const checks = rows.map(
    (r) => `SELECT 1 FROM ${merchantTable(r.merchant_id)} WHERE merchant_id <> ${Number(r.merchant_id)}`,
  );
  return checks.length ? `(SELECT count(*) FROM (${checks.join(' UNION ALL ')}) x)` : '0';
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `dashboard_rebuild_rollups(merchant)` emptied the merchant's rollup rows with
 * `WHERE p_merchant IS NULL OR merchant_id = p_merchant`. PL/pgSQL keeps a statement's plan for the
 * session, and after five calls that plan is the generic one, which cannot use an index for that
 * condition: every later call in the session scanned the whole of `merchant_daily_totals`,
 * `merchant_outstanding` and `customer_merchant_totals`. Bulk loading 40,000 merchants into a database
 * of 10,000 slowed from about 7,500 merchants a minute to a few hundred as those tables grew
 * (docs/scaling.md).
 * The function returns before these statements when `p_merchant` is null, so the condition is
 * `merchant_id = p_merchant`, an index probe whatever the plan.
 */
export class RollupRebuildByIndex1796380000000 implements MigrationInterface {
  name = 'RollupRebuildByIndex1796380000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(rewrite(await definition(q), BOTH, ONE));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(rewrite(await definition(q), ONE, BOTH));
  }
}

const BOTH = 'WHERE p_merchant IS NULL OR merchant_id = p_merchant;';
const ONE = 'WHERE merchant_id = p_merchant;';
const ROLLUP_TABLES = ['merchant_daily_totals', 'merchant_outstanding', 'customer_merchant_totals'];

async function definition(q: QueryRunner): Promise<string> {
  const [row]: { def: string }[] = await q.query(
    `SELECT pg_get_functiondef('dashboard_rebuild_rollups(integer)'::regprocedure) AS def`,
  );
  return row.def;
}

/** The function with each rollup table's DELETE condition replaced; refuses a body it does not know. */
function rewrite(def: string, from: string, to: string): string {
  let text = def;
  for (const table of ROLLUP_TABLES) {
    const statement = `DELETE FROM ${table} ${from}`;
    if (!text.includes(statement))
      throw new Error(`dashboard_rebuild_rollups does not have the expected statement: ${statement}`);
    text = text.replace(statement, () => `DELETE FROM ${table} ${to}`);
  }
  return text;
}

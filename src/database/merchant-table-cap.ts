import pg from 'pg';

/** A merchant's table in a statement's text (`transaction_<merchant id>`, quoted or not). */
const MERCHANT_TABLE = /\btransaction_(\d+)\b/g;

/**
 * A pooled connection that remembers which merchant tables its statements have named. A PostgreSQL
 * backend keeps 50–160 KB of catalogue and plan cache for every table it has touched and gives none of
 * it back before it exits; with a table per merchant, that is what grows a long-lived connection.
 */
export class MerchantTablesClient extends pg.Client {
  /** Merchant ids whose tables this connection's statements have named. */
  readonly merchantTables = new Set<string>();

  // pg's overloads (text, config, submittable; values; callback) all start with the statement.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const first: unknown = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
    if (typeof text === 'string' && text.includes('transaction_'))
      for (const m of text.matchAll(MERCHANT_TABLE)) this.merchantTables.add(m[1]!);
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }
}

/**
 * Replaces a pooled connection once it has touched `max` merchant tables (0: never), when it is handed
 * back: the backend's memory is bounded by the number of shops it has served, not by time or by how
 * often it is used, so a busy instance over a few hundred shops keeps its warm connections (no
 * reconnect, no replanning) and one over tens of thousands still caps each backend at about
 * `max` × 100 KiB. The pool must create {@link MerchantTablesClient}s (its `Client` option).
 */
export function capMerchantTables(pool: pg.Pool, max: number): void {
  if (!max) return;
  pool.on('release', (err, client) => {
    if (!err && client instanceof MerchantTablesClient && client.merchantTables.size >= max)
      // pg-pool removes a released client whose use count reaches `maxUses`, which stays unset (∞)
      // here; test/medium/schema.medium-spec.ts fails if that stops replacing the connection.
      (client as unknown as { _poolUseCount: number })._poolUseCount = Infinity;
  });
}

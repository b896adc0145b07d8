import type pg from 'pg';

/** Per table of the public schema: row count and a checksum of every row's text. */
export type Snapshot = Map<string, string>;

/** Every ordinary and partitioned table of the schema (partitions are read through their parent). */
export async function listTables(db: pg.Pool): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** One round trip: `count:md5` of each table, independent of row order. */
export async function snapshot(db: pg.Pool, tables: string[]): Promise<Snapshot> {
  const sql = tables
    .map(
      (t, i) =>
        `SELECT ${i} AS i, count(*) || ':' || md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '')) AS h
           FROM public."${t.replace(/"/g, '""')}" x`,
    )
    .join(' UNION ALL ');
  const { rows } = await db.query<{ i: number; h: string }>(sql);
  return new Map(rows.map((r) => [tables[r.i], r.h]));
}

/** The tables whose content differs between two snapshots. */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  return [...after.keys()].filter((t) => before.get(t) !== after.get(t));
}

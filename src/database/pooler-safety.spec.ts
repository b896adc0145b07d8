import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Behind PgBouncer in transaction pooling mode, consecutive statements of one client may run on
 * different server sessions, and a session's leftovers reach other clients. So the code under src/
 * keeps no session state: advisory locks are transaction-scoped, settings are `SET LOCAL` (or
 * `set_config(…, true)`), statements are unnamed, and nothing is LISTENed, PREPAREd or kept in
 * temporary tables or held cursors.
 */
const FORBIDDEN: [RegExp, string][] = [
  [/pg_(try_)?advisory_lock(_shared)?\s*\(/i, 'a session-level advisory lock (use pg_advisory_xact_lock)'],
  [/pg_advisory_unlock/i, 'a session-level advisory unlock'],
  [/[`'"]\s*SET\s+(SESSION\s+)?(?!LOCAL\b)(\w|\.)+\s*(=|TO\b)/i, 'a session-level SET (use SET LOCAL)'],
  [/set_config\s*\([^)]*,\s*false\s*\)/i, 'set_config(…, false) (use true: transaction-local)'],
  [/[`'"]\s*(RESET|DISCARD|LISTEN|UNLISTEN|PREPARE|DEALLOCATE)\b/i, 'a session command'],
  [/\bCREATE\s+(TEMP|TEMPORARY)\s+TABLE\b(?![^`]*ON COMMIT DROP)/i, 'a session temporary table'],
  [/\bWITH\s+HOLD\b/i, 'a cursor held past its transaction'],
  [/\.query\(\s*\{[^}]*\bname\s*:/s, 'a named prepared statement'],
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('no session state in src (PgBouncer transaction pooling)', () => {
  const files = sources('src');

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it.each(FORBIDDEN)('has no %s', (pattern, what) => {
    const hits = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
        // Comments may name what they avoid (`SET graminstore.rollups` of a bulk load, say).
        .filter(({ line }) => !/^\s*(\*|\/\/|\/\*)/.test(line) && pattern.test(line))
        .map(({ line, at }) => `${at}: ${line.trim()} (${what})`),
    );
    expect(hits).toEqual([]);
  });

  it('would catch each of them', () => {
    const samples = [
      `SELECT pg_try_advisory_lock($1, $2)`,
      `SELECT pg_advisory_unlock($1)`,
      'query(`SET statement_timeout = 0`)',
      `SELECT set_config('statement_timeout', '0', false)`,
      'query(`LISTEN orders`)',
      'CREATE TEMP TABLE t (id int)',
      'DECLARE c CURSOR WITH HOLD FOR SELECT 1',
      `client.query({ name: 'by-id', text: 'SELECT 1' })`,
    ];
    samples.forEach((sample, i) => expect(FORBIDDEN[i][0].test(sample)).toBe(true));
    expect(FORBIDDEN[2][0].test("query(`SET LOCAL lock_timeout = '5s'`)")).toBe(false);
    expect(FORBIDDEN[0][0].test('SELECT pg_advisory_xact_lock($1)')).toBe(false);
  });
});

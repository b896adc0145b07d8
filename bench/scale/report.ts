/**
 * The scale benchmark's table: each figure at each size, its ratio to the smallest size, the goal
 * (every ratio at 50,000 merchants ≤ 2, no error anywhere, no migration stall over 1 s) and what
 * 100,000 merchants would take, extrapolated from the last two sizes on a power curve.
 */
import { round } from '../support.js';
import type { MigrationUnderWrites, Missing, Result } from './measure.js';

export interface SizeResult {
  merchants: number;
  provisionMs: number;
  startupMs: number;
  registrationIdle: Result;
  registrationUnderLoad: Result;
  createIdle: Result;
  createDuringRegistrations: Result;
  settle: Result | Missing;
  paymentOnAccount: Result | Missing;
  customerDashboard: Result | Missing;
  customerLedger: Result | Missing;
  adminList: Result | Missing;
  deleteUser: Result | Missing;
  deleteMerchant: Result | Missing;
  migration: MigrationUnderWrites | Missing;
  apiBackendMiB: number | Missing;
  freshBackend:
    | {
        freshMiB: number;
        afterOneMiB: number;
        afterAllMiB: number;
        touched: number;
        touchAllMs: number;
        coldPlanMs: number;
      }
    | Missing;
  catalog: { pgClassRows: number; catalogMiB: number };
  schemaDumpMs: number | Missing;
  apiPeakRssMiB: number;
}

/** The size at which the ratios are judged. */
export const GOAL_SIZE = 50_000;
const EXTRAPOLATE_TO = 100_000;
/** Below this largest size the curve is too short to say anything about 100,000 merchants. */
const EXTRAPOLATE_FROM = 10_000;

interface Cell {
  value: number | null;
  text: string;
  errors: number;
}

interface Row {
  label: string;
  unit: string;
  /** Judged by its ratio at the goal size (else only by errors, or by `limit`). */
  ratio: boolean;
  /** An absolute ceiling, e.g. the migration's longest stall. */
  limit?: number;
  cell: (r: SizeResult) => Cell;
}

const missing = (f: unknown): f is Missing => typeof f === 'object' && f !== null && 'missing' in f;
const none = (f: Missing): Cell => ({
  value: null,
  text: f.missing,
  errors: f.missing.startsWith('error') ? 1 : 0,
});
const num = (value: number): Cell => ({ value, text: String(round(value, 2)), errors: 0 });

function latency(pick: (r: SizeResult) => Result | Missing, q: 'p50' | 'p99'): (r: SizeResult) => Cell {
  return (r) => {
    const f = pick(r);
    if (missing(f)) return none(f);
    const errors = f.errors ? ` (${f.errors}/${f.samples} failed: ${f.firstError ?? ''})` : '';
    return {
      value: f.samples > f.errors ? f[q] : null,
      text: `${round(f[q], 1)}${errors}`,
      errors: f.errors,
    };
  };
}

function scalar<T>(pick: (r: SizeResult) => T | Missing, get: (t: T) => number): (r: SizeResult) => Cell {
  return (r) => {
    const f = pick(r);
    return missing(f) ? none(f) : num(get(f as T));
  };
}

type FreshBackend = Exclude<SizeResult['freshBackend'], Missing>;
const freshBackend = (get: (m: FreshBackend) => number) => scalar((r) => r.freshBackend, get);

const ROWS: Row[] = [
  {
    label: 'registration p50, idle',
    unit: 'ms',
    ratio: true,
    cell: latency((r) => r.registrationIdle, 'p50'),
  },
  {
    label: 'registration p99, idle',
    unit: 'ms',
    ratio: true,
    cell: latency((r) => r.registrationIdle, 'p99'),
  },
  {
    label: 'registration p50, under create load',
    unit: 'ms',
    ratio: true,
    cell: latency((r) => r.registrationUnderLoad, 'p50'),
  },
  {
    label: 'registration p99, under create load',
    unit: 'ms',
    ratio: true,
    cell: latency((r) => r.registrationUnderLoad, 'p99'),
  },
  { label: 'create p99, idle', unit: 'ms', ratio: true, cell: latency((r) => r.createIdle, 'p99') },
  {
    label: 'create p99, during registrations',
    unit: 'ms',
    ratio: true,
    cell: latency((r) => r.createDuringRegistrations, 'p99'),
  },
  { label: 'settle p99', unit: 'ms', ratio: true, cell: latency((r) => r.settle, 'p99') },
  {
    label: 'payment on account p99',
    unit: 'ms',
    ratio: true,
    cell: latency((r) => r.paymentOnAccount, 'p99'),
  },
  {
    label: 'customer dashboard p99',
    unit: 'ms',
    ratio: true,
    cell: latency((r) => r.customerDashboard, 'p99'),
  },
  { label: 'customer ledger p99', unit: 'ms', ratio: true, cell: latency((r) => r.customerLedger, 'p99') },
  { label: 'admin transaction list p99', unit: 'ms', ratio: true, cell: latency((r) => r.adminList, 'p99') },
  { label: 'delete a customer p99', unit: 'ms', ratio: true, cell: latency((r) => r.deleteUser, 'p99') },
  { label: 'delete a merchant p99', unit: 'ms', ratio: true, cell: latency((r) => r.deleteMerchant, 'p99') },
  {
    label: 'migration: column on every merchant table, total',
    unit: 'ms',
    ratio: false,
    cell: scalar(
      (r) => r.migration,
      (m) => m.totalMs,
    ),
  },
  {
    label: "migration: longest a shop's sale waited on a lock",
    unit: 'ms',
    ratio: false,
    limit: 1000,
    cell: (r) => {
      const m = r.migration;
      if (missing(m)) return none(m);
      const failed = m.writerErrors ? ` (${m.writerErrors} sales failed: ${m.firstError ?? ''})` : '';
      return {
        value: m.longestLockWaitMs,
        text: `${round(m.longestLockWaitMs, 1)}${failed}`,
        errors: m.writerErrors,
      };
    },
  },
  {
    label: "migration: slowest shop's sale (waits of statements over 100 ms)",
    unit: 'ms',
    ratio: false,
    cell: (r) => {
      const m = r.migration;
      if (missing(m)) return none(m);
      const waits = Object.entries(m.slowWaits ?? {})
        .sort(([, a], [, b]) => b - a)
        .slice(0, 3)
        .map(([wait, ms]) => `${wait} ${ms}`)
        .join(', ');
      return {
        value: m.longestStallMs,
        text: `${round(m.longestStallMs, 1)}${waits ? ` (${waits})` : ''}`,
        errors: 0,
      };
    },
  },
  {
    label: "API's backends: largest private memory",
    unit: 'MiB',
    ratio: true,
    cell: scalar((r) => r.apiBackendMiB, Number),
  },
  {
    label: 'fresh backend after one merchant',
    unit: 'MiB',
    ratio: true,
    cell: freshBackend((m) => m.afterOneMiB),
  },
  {
    label: 'fresh backend after every merchant',
    unit: 'MiB',
    ratio: false,
    cell: freshBackend((m) => m.afterAllMiB),
  },
  {
    label: 'cold plan of a one-merchant query',
    unit: 'ms',
    ratio: true,
    cell: freshBackend((m) => m.coldPlanMs),
  },
  { label: 'catalog: pg_class rows', unit: 'rows', ratio: false, cell: (r) => num(r.catalog.pgClassRows) },
  { label: 'catalog: pg_catalog size', unit: 'MiB', ratio: false, cell: (r) => num(r.catalog.catalogMiB) },
  {
    label: 'pg_dump --schema-only',
    unit: 'ms',
    ratio: false,
    cell: scalar(
      (r) => r.schemaDumpMs,
      (v) => v,
    ),
  },
  { label: 'API start-up to ready', unit: 'ms', ratio: true, cell: (r) => num(r.startupMs) },
  { label: 'API peak RSS', unit: 'MiB', ratio: true, cell: (r) => num(r.apiPeakRssMiB) },
  {
    label: 'bulk provisioning, per 1,000 new merchants',
    unit: 'ms',
    ratio: false,
    cell: (r) => num(r.provisionMs),
  },
];

/** value(100k) from the last two sizes on a power curve v = a·n^k. */
function extrapolate(points: { n: number; v: number | null }[]): number | null {
  const known = points.filter((p): p is { n: number; v: number } => p.v !== null && p.v > 0);
  if (known.length < 2) return null;
  const [a, b] = known.slice(-2);
  if (b.n < EXTRAPOLATE_FROM) return null;
  const k = Math.log(b.v / a.v) / Math.log(b.n / a.n);
  return b.v * (EXTRAPOLATE_TO / b.n) ** k;
}

export function report(results: SizeResult[], context: string[]) {
  const sizes = results.map((r) => r.merchants);
  const base = results[0];
  const lines: Record<string, unknown>[] = [];
  const md = [
    '# GraminStore scale benchmark',
    '',
    ...context.map((c) => `- ${c}`),
    '',
    `| Measurement | ${sizes.map((s) => `${s.toLocaleString('en')} merchants`).join(' | ')} | ratio at largest | ~${EXTRAPOLATE_TO.toLocaleString('en')} | Goal | Result |`,
    `| --- | ${sizes.map(() => '---').join(' | ')} | --- | --- | --- | --- |`,
  ];
  for (const row of ROWS) {
    // Bulk provisioning is reported per 1,000 merchants created in that step.
    const cells = results.map((r, i) => {
      const cell = row.cell(r);
      if (row.label.startsWith('bulk provisioning') && cell.value !== null) {
        const added = r.merchants - (i ? results[i - 1].merchants : 0);
        const per = (cell.value * 1000) / added;
        return { ...cell, value: per, text: String(round(per, 0)) };
      }
      return cell;
    });
    const baseValue = cells[0].value;
    const last = cells[cells.length - 1];
    const ratio = baseValue && last.value !== null ? round(last.value / baseValue, 2) : null;
    const future = extrapolate(cells.map((c, i) => ({ n: sizes[i], v: c.value })));
    const errors = cells.reduce((sum, c) => sum + c.errors, 0);
    const atGoal = sizes[sizes.length - 1] >= GOAL_SIZE;
    let pass: boolean | null = errors ? false : null;
    if (!errors && row.limit !== undefined)
      pass = cells.every((c) => c.value === null || c.value <= row.limit!);
    else if (!errors && row.ratio && atGoal && ratio !== null) pass = ratio <= 2;
    const goal =
      row.limit !== undefined
        ? `≤ ${row.limit} ${row.unit}`
        : row.ratio
          ? `ratio ≤ 2 at ${GOAL_SIZE.toLocaleString('en')}`
          : 'no error';
    md.push(
      `| ${row.label} (${row.unit}) | ${cells.map((c) => c.text.replace(/\|/g, '\\|')).join(' | ')} | ${ratio ?? '—'} | ${future === null ? '—' : round(future, 0)} | ${goal} | ${pass === null ? '—' : pass ? 'pass' : '**FAIL**'} |`,
    );
    lines.push({
      measurement: row.label,
      unit: row.unit,
      values: Object.fromEntries(sizes.map((s, i) => [s, cells[i].value])),
      texts: Object.fromEntries(sizes.map((s, i) => [s, cells[i].text])),
      errors,
      ratio_at_largest: ratio,
      extrapolated_100k: future === null ? null : round(future, 1),
      pass,
    });
  }
  md.push(
    '',
    `- Ratios are the largest size's figure over the ${base.merchants.toLocaleString('en')}-merchant figure. "~100,000" extends the last two sizes on a power curve (v = a·n^k); it is a trend, not a measurement, and is left out when the largest size is under ${EXTRAPOLATE_FROM.toLocaleString('en')}.`,
    '- "n/a (not built)": the app has no such endpoint or code path yet; no number is made up for it.',
  );
  return { json: { sizes, measurements: lines, raw: results }, md: md.join('\n') + '\n' };
}

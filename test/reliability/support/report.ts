import type { Ledger } from './workload.js';

/** One line of numbers per suite on stdout (kept by CI logs), outside Jest's console capture. */
export function report(suite: string, ledger: Ledger, extra: Record<string, unknown> = {}): void {
  const sales = ledger.sales.size;
  const settlements = [...ledger.sales.values()].reduce((n, s) => n + s.settlements, 0);
  const line = {
    suite,
    requests: ledger.latencies.length + ledger.count((s) => s === 0),
    statuses: ledger.totals(),
    sales,
    settlements,
    replays: ledger.replays,
    latency_ms: ledger.percentiles(),
    latency_ms_by_op: Object.fromEntries(
      [...ledger.opLatencies.keys()].map((op) => [op, ledger.percentiles(op)]),
    ),
    violations: ledger.violationCount,
    ...extra,
  };
  process.stdout.write(`\n[reliability] ${JSON.stringify(line)}\n`);
}

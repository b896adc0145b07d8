/** The benchmark's results: the JSON written to bench/results/latest.json and its Markdown table. */

export interface GoalLine {
  measurement: string;
  value: string;
  goal: string;
  /** null: measured without a goal, or could not be measured. */
  pass: boolean | null;
}

export function markdown(title: string, context: string[], lines: GoalLine[], notes: string[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const verdict = (p: boolean | null) => (p === null ? '—' : p ? 'pass' : '**FAIL**');
  const out = [
    `# ${title}`,
    '',
    ...context.map((c) => `- ${c}`),
    '',
    '| Measurement | Value | Goal | Result |',
    '| --- | --- | --- | --- |',
    ...lines.map(
      (l) => `| ${cell(l.measurement)} | ${cell(l.value)} | ${cell(l.goal)} | ${verdict(l.pass)} |`,
    ),
  ];
  if (notes.length) out.push('', ...notes.map((n) => `- ${n}`));
  return out.join('\n') + '\n';
}

/** The table for a terminal: fixed-width columns. */
export function plainTable(lines: GoalLine[]): string {
  const rows = [
    ['Measurement', 'Value', 'Goal', 'Result'],
    ...lines.map((l) => [l.measurement, l.value, l.goal, l.pass === null ? '-' : l.pass ? 'pass' : 'FAIL']),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}

// `node scripts/cpuprofile-summary.js <file.cpuprofile> [top]`: where a V8 CPU profile (from
// `BENCH_CPU_PROF=<dir> npm run bench`) spent its busy time: self time by package and by function,
// idle excluded.
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/cpuprofile-summary.js <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 40);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const packageOf = (url) => {
  if (!url) return '(native)';
  const dep = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return dep[1];
  if (url.startsWith('node:')) return url.split('/')[0];
  return url.includes('/dist/') ? '(this project)' : url;
};
const byPackage = new Map();
const byFunction = new Map();
let busy = 0;
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  if (functionName === '(idle)') continue;
  busy += us;
  const pkg = packageOf(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const where = `${functionName || '(anonymous)'} ${url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, '')}:${lineNumber + 1}`;
  byFunction.set(where, (byFunction.get(where) ?? 0) + us);
}
const print = (title, map, n) => {
  console.log(`--- ${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${key}`);
};
console.log(
  `busy ${(busy / 1e6).toFixed(2)} s of ${((profile.endTime - profile.startTime) / 1e6).toFixed(2)} s`,
);
print('self time by package', byPackage, 25);
print('self time by function', byFunction, top);

// `npm run test:reliability`: authorization matrix, fuzzing, load, database outage and crash suites
// (test/reliability). Kept out of `npm test`; files run one at a time so that load and fault timings
// are not skewed by each other. Each suite prints one `[reliability] {...}` line of numbers.
// Knobs: RELIABILITY_LOAD_SECONDS (60), RELIABILITY_LOAD_CONCURRENCY (64), RELIABILITY_FUZZ_RUNS (40
// cases per route and input kind), RELIABILITY_FUZZ_SEED (replay a failure: the seed is in its message),
// RELIABILITY_CRASHES (3), RELIABILITY_FAIL_FAST_MS (5000), RELIABILITY_VERBOSE (fuzz status counts).
import base from './jest.config.js';

const e2e = base.projects.find((p) => p.displayName === 'e2e');

export default {
  ...e2e,
  displayName: 'reliability',
  testMatch: ['<rootDir>/test/reliability/**/*.reliability-spec.ts'],
  testTimeout: 300_000,
  maxWorkers: 1,
};

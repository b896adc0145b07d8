// `npm run test:reliability`: authorization matrix, fuzzing, load, database outage and crash suites
// (test/reliability). Kept out of `npm test`; files run one at a time so that load and fault timings
// are not skewed by each other.
import base from './jest.config.js';

const e2e = base.projects.find((p) => p.displayName === 'e2e');

export default {
  ...e2e,
  displayName: 'reliability',
  testMatch: ['<rootDir>/test/reliability/**/*.reliability-spec.ts'],
  testTimeout: 300_000,
  maxWorkers: 1,
};

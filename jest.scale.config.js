// `npm run test:scale`: suites that need more than Node (two app instances through a real Redis at
// REDIS_URL). Kept out of `npm test`, which must pass on a machine with only Node.
import base from './jest.config.js';

const e2e = base.projects.find((p) => p.displayName === 'e2e');

export default {
  ...e2e,
  displayName: 'scale',
  testMatch: ['<rootDir>/test/scale/**/*.scale-spec.ts'],
  testTimeout: 60_000,
};

// `npm run test:replica` and `npm run test:pgbouncer`: suites that start their own PostgreSQL servers
// (Debian's binaries: a primary and a streaming replica; PgBouncer in front), kept out of `npm test`.
import base from './jest.config.js';

const e2e = base.projects.find((p) => p.displayName === 'e2e');

export default {
  ...e2e,
  displayName: 'replica',
  globalSetup: undefined,
  globalTeardown: undefined,
  testMatch: [
    '<rootDir>/test/replica/**/*.replica-spec.ts',
    '<rootDir>/test/pgbouncer/**/*.pgbouncer-spec.ts',
  ],
  testTimeout: 90_000,
};

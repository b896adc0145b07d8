// `npm run test:documents`: what the PDFs say, read back with Debian's poppler-utils (pdftotext,
// pdftoppm), which `npm test` must not need. Page 1 of each document is rendered to PNG under
// test/artifacts/documents (gitignored) for a person to look at.
import base from './jest.config.js';

const e2e = base.projects.find((p) => p.displayName === 'e2e');

export default {
  ...e2e,
  displayName: 'documents',
  testMatch: ['<rootDir>/test/documents/**/*.documents-spec.ts'],
  testTimeout: 120_000,
};

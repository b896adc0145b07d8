// `npm run docs:errors`: writes docs/errors.md from the error codes (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { renderErrorTable } from '../dist/src/common/errors/error-table.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorTable());
console.log('docs/errors.md written');

import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { ERROR_CODE_MODULES, ERROR_STATUS, ERROR_TITLE } from './error-codes.js';
import { renderErrorTable } from './error-table.js';

describe('error codes', () => {
  it('docs/errors.md is up to date (run `npm run docs:errors`)', () => {
    expect(readFileSync('docs/errors.md', 'utf8')).toBe(renderErrorTable());
  });

  it('each code belongs to one module and has a status with a title', () => {
    const codes = ERROR_CODE_MODULES.flatMap(({ codes }) => Object.values(codes));
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.sort()).toEqual(Object.keys(ERROR_STATUS).sort());
    for (const code of codes) {
      expect(STATUS_CODES[ERROR_STATUS[code]]).toBeDefined();
      expect(ERROR_TITLE[ERROR_STATUS[code]]).toBeDefined();
    }
  });
});

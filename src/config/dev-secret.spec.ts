import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig } from './app-config.js';
import { persistentDevSecret } from './dev-secret.js';

describe('the JWT secret outside production', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'graminstore-secret-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is no constant: two configurations without JWT_SECRET get different random secrets', () => {
    const a = loadConfig({}).jwtSecret;
    const b = loadConfig({}).jwtSecret;
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(a).not.toBe('graminstore-development-secret-change-me');
  });

  it('is generated at the first start and kept beside the embedded data directory (0600)', () => {
    const pgDir = join(dir, 'postgres');
    const first = loadConfig({ EMBEDDED_PG_DIR: pgDir }, { devSecret: persistentDevSecret }).jwtSecret;
    const file = join(dir, 'jwt-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadConfig({ EMBEDDED_PG_DIR: pgDir }, { devSecret: persistentDevSecret }).jwtSecret;
    expect(again).toBe(first);
  });

  it('JWT_SECRET still wins, and production still requires it', () => {
    expect(
      loadConfig({ JWT_SECRET: 'explicit-secret-1' }, { devSecret: persistentDevSecret }).jwtSecret,
    ).toBe('explicit-secret-1');
    expect(() =>
      loadConfig(
        { NODE_ENV: 'production', ADMIN_PASSWORD: 'a-long-admin-password' },
        { devSecret: persistentDevSecret },
      ),
    ).toThrow(ConfigValidationError);
  });
});

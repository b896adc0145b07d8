import { jest } from '@jest/globals';
import { ConfigValidationError, loadConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source-options.js';
import { parseLsn } from './read-replicas.js';
import { WriteMarks } from './write-marks.js';

describe('read replica settings', () => {
  it('reads DATABASE_READ_URLS as a list, empty by default, and caps connection lifetime', () => {
    expect(loadConfig({})).toMatchObject({
      databaseReadUrls: [],
      dbPoolMaxLifetimeSeconds: 600,
      dbPoolMaxMerchantTables: 250,
    });
    expect(loadConfig({ DB_POOL_MAX_MERCHANT_TABLES: '0' }).dbPoolMaxMerchantTables).toBe(0);
    const config = loadConfig({
      DATABASE_READ_URLS: 'postgresql://r1:5432/g, postgres://r2/g',
      DB_POOL_LIFETIME_SECONDS: '0',
    });
    expect(config.databaseReadUrls).toEqual(['postgresql://r1:5432/g', 'postgres://r2/g']);
    expect(config.dbPoolMaxLifetimeSeconds).toBe(0);
    const extra = dataSourceOptions({ url: 'postgresql://p/g', maxLifetimeSeconds: 90 }).extra as object;
    expect(extra).toMatchObject({ maxLifetimeSeconds: 90 });
  });

  it.each([
    { DATABASE_READ_URLS: 'replica-host:5432' },
    { DATABASE_READ_CHECK_MS: '10' },
    { DB_POOL_LIFETIME_SECONDS: '-1' },
    { DB_POOL_MAX_MERCHANT_TABLES: '-5' },
  ])('refuses %j', (env) => expect(() => loadConfig(env)).toThrow(ConfigValidationError));

  it('orders WAL positions as PostgreSQL does', () => {
    expect(parseLsn('0/3000148')).toBe(0x3000148n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
  });
});

describe('WriteMarks (in this process)', () => {
  const marks = () =>
    new WriteMarks(loadConfig({ DATABASE_READ_URLS: 'postgresql://r/g', DATABASE_READ_MAX_LAG_MS: '1000' }));

  it('keeps the furthest position of an account, and none for others', async () => {
    const m = marks();
    await m.record('merchant:1', 500n);
    await m.record('merchant:1', 300n);
    expect(await m.lookup('merchant:1')).toBe(500n);
    expect(await m.lookup('merchant:2')).toBeUndefined();
    expect(await m.lookup('user:1')).toBeUndefined();
  });

  it('an unknown position counts as beyond every replica', async () => {
    const m = marks();
    await m.record('user:7', undefined);
    expect(await m.lookup('user:7')).toBeGreaterThan(parseLsn('FFFFFF/0'));
  });

  it('forgets a mark once any replica still serving must have replayed it', async () => {
    const m = marks();
    expect(m.ttlMs).toBe(1000 + 2 * 500 + 1000);
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now');
    try {
      clock.mockReturnValue(now);
      await m.record('merchant:3', 42n);
      clock.mockReturnValue(now + m.ttlMs - 1);
      expect(await m.lookup('merchant:3')).toBe(42n);
      clock.mockReturnValue(now + m.ttlMs + 1);
      expect(await m.lookup('merchant:3')).toBeUndefined();
    } finally {
      clock.mockRestore();
    }
  });
});

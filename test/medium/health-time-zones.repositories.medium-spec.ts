import { DataSource } from 'typeorm';
import { TimeZonesRepository } from '../../src/common/time/time-zones.repository.js';
import { isTimeZone } from '../../src/common/time/time-zone.js';
import { HealthRepository } from '../../src/modules/health/health.repository.js';
import { useMediumDatabase } from './medium-database.js';

describe('HealthRepository (PostgreSQL)', () => {
  const db = useMediumDatabase();

  it('pings the database', async () => {
    await expect(new HealthRepository(db.dataSource).ping()).resolves.toBeUndefined();
  });

  it('answers "not ready" within its bound when the database hangs', async () => {
    // Every connection of a one-connection pool busy: the ping's query waits for a connection.
    const hung = new DataSource({
      ...db.dataSource.options,
      extra: { ...db.dataSource.options.extra, max: 1 },
    } as never);
    await hung.initialize();
    const holder = hung.createQueryRunner();
    await holder.connect();
    try {
      const started = performance.now();
      await expect(new HealthRepository(hung).ping(200)).rejects.toThrow('database ping timed out');
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      await holder.release();
      await hung.destroy();
    }
  });

  it('fails when its connection pool is closed', async () => {
    const gone = new DataSource({ ...db.dataSource.options } as never);
    await gone.initialize();
    await gone.destroy();
    await expect(new HealthRepository(gone).ping(2_000)).rejects.toThrow();
  });
});

describe('TimeZonesRepository (PostgreSQL)', () => {
  const db = useMediumDatabase();

  it('reads PostgreSQL’s zone names, the ones merchants and reports use among them', async () => {
    const names = await new TimeZonesRepository(db.dataSource).names();
    expect(names.length).toBeGreaterThan(300);
    expect(names).toEqual(expect.arrayContaining(['Asia/Kolkata', 'Asia/Kathmandu', 'UTC', 'Europe/London']));
    expect(new Set(names).size).toBe(names.length);
  });

  it('makes validation accept exactly the database’s zones at start', async () => {
    const repo = new TimeZonesRepository(db.dataSource);
    await repo.onApplicationBootstrap();
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('Asia/Calcutta')).toBe(true);
  });

  it('starts without the list when the database cannot give it (the runtime decides)', async () => {
    const gone = new DataSource({ ...db.dataSource.options } as never);
    await gone.initialize();
    await gone.destroy();
    await expect(new TimeZonesRepository(gone).onApplicationBootstrap()).resolves.toBeUndefined();
  });
});

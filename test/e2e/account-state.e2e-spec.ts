import type { AdminIdentity } from '../../src/modules/admin/admin-request.js';
import { AdminResourcesService } from '../../src/modules/admin/admin-resources.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser, unique } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';
import { collect, connectDashboard, connected, openLegacy, refusal, sleep } from '../support/realtime.js';

const HISTORY = '/api/v2/transactions/history';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('account state takes effect at once (e2e)', () => {
  let t: TestApp;
  let admins: AdminResourcesService;
  let actor: AdminIdentity;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    admins = t.app.get(AdminResourcesService);
    const { rows } = await t.db.query(`SELECT id, email, name FROM admins ORDER BY id LIMIT 1`);
    actor = rows[0];
  });
  afterAll(() => t.close());

  const login = async (role: 'merchant' | 'user' | 'admin', email: string, password: string) =>
    (await t.http.post(`/api/v2/auth/login/${role}`).send({ email, password }).expect(200)).body as {
      access_token: string;
      refresh_token: string;
    };

  it('deactivating a merchant revokes its refresh tokens, refuses its access token and closes its sockets', async () => {
    const m = await registerMerchant(t);
    await t.http.get(HISTORY).set(m.auth).expect(200);
    const dashboard = connectDashboard(t.baseUrl, m.token);
    await connected(dashboard);
    const ended = collect(dashboard, 'session_ended');
    const legacy = openLegacy(t.baseUrl, m.token);
    await legacy.opened;

    await admins.update(actor, 'merchants', String(m.id), { is_active: false });

    expectProblem(await t.http.get(HISTORY).set(m.auth), 401);
    expectProblem(
      await t.http
        .post('/api/v2/transactions/create')
        .set(m.auth)
        .send({ amount: 10, type: 'paid', payment_method: 'cash', is_guest_transaction: true }),
      401,
    );
    expectProblem(await t.http.post('/api/v2/auth/refresh').send({ refresh_token: m.refreshToken }), 401);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS live FROM refresh_tokens
        WHERE subject_role = 'merchant' AND subject_id = $1 AND revoked_at IS NULL`,
      [m.id],
    );
    expect(rows[0].live).toBe(0);
    await ended.until((items) => items.length === 1);
    await new Promise<void>((resolve) =>
      dashboard.disconnected ? resolve() : dashboard.once('disconnect', () => resolve()),
    );
    expect((await legacy.closed).code).toBe(1008);
    // And a new socket with the same token is refused.
    expect((await refusal(connectDashboard(t.baseUrl, m.token))).data?.status).toBe(401);
  });

  it('a deleted merchant’s token gets 401, never a 500', async () => {
    const m = await registerMerchant(t);
    await t.http.get(HISTORY).set(m.auth).expect(200);
    await admins.delete(actor, 'merchants', String(m.id));
    for (const path of [HISTORY, '/api/v2/dashboard/merchant', '/api/v2/auth/profile/merchant'])
      expectProblem(await t.http.get(path).set(m.auth), 401);
    expectProblem(await t.http.post('/api/v2/auth/refresh').send({ refresh_token: m.refreshToken }), 401);
  });

  it('deactivating or deleting a customer ends their sessions too', async () => {
    const u = await registerUser(t);
    const other = await registerUser(t);
    await t.http.get(HISTORY).set(u.auth).expect(200);
    const dashboard = connectDashboard(t.baseUrl, u.token);
    await connected(dashboard);
    const ended = collect(dashboard, 'session_ended');
    await admins.update(actor, 'users', String(u.id), { is_active: false });
    expectProblem(await t.http.get(HISTORY).set(u.auth), 401);
    await ended.until((items) => items.length === 1);
    await t.http.get(HISTORY).set(other.auth).expect(200);
    await admins.delete(actor, 'users', String(other.id));
    expectProblem(await t.http.get(HISTORY).set(other.auth), 401);
  });

  it('deactivating an admin ends its API sessions', async () => {
    const email = `ops.${unique()}@graminstore.com`;
    await admins.createAdmin(actor, { name: 'Ops', email, is_active: true }, 'ops-desk-4821-night');
    const session = await login('admin', email, 'ops-desk-4821-night');
    const probe = () =>
      t.http
        .post('/api/v2/auth/password')
        .set(bearer(session.access_token))
        .send({ current_password: 'not-it-at-all', new_password: 'ops-desk-4821-day' });
    expectProblem(await probe(), 422);
    const { rows } = await t.db.query(`SELECT id FROM admins WHERE email = $1`, [email]);
    await admins.update(actor, 'admins', String(rows[0].id), { is_active: false });
    expectProblem(await probe(), 401);
  });

  it('refresh loads the account: an account switched off by any path gets no new tokens, and its access token ends within seconds', async () => {
    const m = await registerMerchant(t);
    await t.http.get(HISTORY).set(m.auth).expect(200);
    await t.db.query(`UPDATE merchants SET is_active = false WHERE id = $1`, [m.id]);
    expectProblem(await t.http.post('/api/v2/auth/refresh').send({ refresh_token: m.refreshToken }), 401);
    const deadline = Date.now() + 8_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await t.http.get(HISTORY).set(m.auth)).status;
      if (status === 200) await sleep(250);
    }
    expect(status).toBe(401);
  });

  it('logout ends the access tokens of that session, and only that session', async () => {
    const m = await registerMerchant(t);
    const second = await login('merchant', m.email, m.password);
    const dashboard = connectDashboard(t.baseUrl, m.token);
    await connected(dashboard);
    const ended = collect(dashboard, 'session_ended');
    await t.http.get(HISTORY).set(m.auth).expect(200);
    await t.http.post('/api/v2/auth/logout').send({ refresh_token: m.refreshToken }).expect(204);
    expectProblem(await t.http.get(HISTORY).set(m.auth), 401);
    await ended.until((items) => items.length === 1);
    await t.http.get(HISTORY).set(bearer(second.access_token)).expect(200);
  });

  it('reuse of a spent refresh token ends the access tokens of the whole session family', async () => {
    const m = await registerMerchant(t);
    const rotated = (
      await t.http.post('/api/v2/auth/refresh').send({ refresh_token: m.refreshToken }).expect(200)
    ).body as { access_token: string; refresh_token: string };
    await t.http.get(HISTORY).set(bearer(rotated.access_token)).expect(200);
    // The first token is presented again: theft. The family is revoked, its access tokens end.
    expectProblem(await t.http.post('/api/v2/auth/refresh').send({ refresh_token: m.refreshToken }), 401);
    expectProblem(await t.http.get(HISTORY).set(bearer(rotated.access_token)), 401);
    expectProblem(await t.http.get(HISTORY).set(m.auth), 401);
    expectProblem(
      await t.http.post('/api/v2/auth/refresh').send({ refresh_token: rotated.refresh_token }),
      401,
    );
  });

  it('POST /auth/password changes the password and ends every other session of the account', async () => {
    const u = await registerUser(t);
    const other = await login('user', u.email, u.password);
    const legacy = openLegacy(t.baseUrl, other.access_token);
    await legacy.opened;
    await t.http.get(HISTORY).set(bearer(other.access_token)).expect(200);

    const wrong = await t.http
      .post('/api/v2/auth/password')
      .set(u.auth)
      .send({ current_password: 'not-my-password', new_password: 'khata-ledger-9932' });
    expectProblem(wrong, 422);
    expectProblem(
      await t.http
        .post('/api/v2/auth/password')
        .set(u.auth)
        .send({ current_password: u.password, new_password: 'password123' }),
      422,
    );
    await t.http
      .post('/api/v2/auth/password')
      .set(u.auth)
      .send({ current_password: u.password, new_password: 'khata-ledger-9932' })
      .expect(204);

    expectProblem(await t.http.get(HISTORY).set(bearer(other.access_token)), 401);
    expectProblem(
      await t.http.post('/api/v2/auth/refresh').send({ refresh_token: other.refresh_token }),
      401,
    );
    expect((await legacy.closed).code).toBe(1008);
    // The session that made the change goes on; the new password works, the old one does not.
    await t.http.get(HISTORY).set(u.auth).expect(200);
    await t.http.post('/api/v2/auth/refresh').send({ refresh_token: u.refreshToken }).expect(200);
    await login('user', u.email, 'khata-ledger-9932');
    expectProblem(
      await t.http.post('/api/v2/auth/login/user').send({ email: u.email, password: u.password }),
      401,
    );
  });

  it('a new password or email for an admin ends that admin’s API and panel sessions', async () => {
    const email = `desk.${unique()}@graminstore.com`;
    await admins.createAdmin(actor, { name: 'Desk', email, is_active: true }, 'front-desk-4821-x');
    const { rows } = await t.db.query(`SELECT id FROM admins WHERE email = $1`, [email]);
    const id = rows[0].id as number;
    const panelSession = async () => {
      const sid = `test-${unique()}`;
      await t.db.query(
        `INSERT INTO admin_sessions (sid, sess, expire) VALUES ($1, $2, now() + interval '1 hour')`,
        [sid, JSON.stringify({ adminUser: { id: String(id), email } })],
      );
      return sid;
    };
    const panelSessionExists = async (sid: string) =>
      (await t.db.query(`SELECT 1 FROM admin_sessions WHERE sid = $1`, [sid])).rowCount === 1;
    const probe = (token: string) =>
      t.http
        .post('/api/v2/auth/password')
        .set(bearer(token))
        .send({ current_password: 'not-it-at-all', new_password: 'front-desk-4821-y' });

    let session = await login('admin', email, 'front-desk-4821-x');
    let sid = await panelSession();
    await admins.update(actor, 'admins', String(id), {}, 'front-desk-4821-z');
    expectProblem(await probe(session.access_token), 401);
    expect(await panelSessionExists(sid)).toBe(false);

    session = await login('admin', email, 'front-desk-4821-z');
    sid = await panelSession();
    const renamed = `desk2.${unique()}@graminstore.com`;
    await admins.update(actor, 'admins', String(id), { email: renamed });
    expectProblem(await probe(session.access_token), 401);
    expect(await panelSessionExists(sid)).toBe(false);
  });
});

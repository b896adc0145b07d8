import { jest } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/app.js';
import { merchantBody, registerMerchant, registerUser, userBody } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';

jest.setTimeout(60_000);

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** The smaller leaks of issue 13, item 5. */
describe('smaller leaks (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN } });
  });
  afterAll(() => t.close());

  it('/metrics requires the METRICS_TOKEN bearer token when it is set', async () => {
    expectProblem(await t.http.get('/metrics'), 401);
    expectProblem(await t.http.get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789'), 401);
    const ok = await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('http_request_duration_seconds');
  });

  it('marks every token response Cache-Control: no-store', async () => {
    const body = userBody();
    const registered = await t.http.post('/api/v2/auth/register/user').send(body);
    expect(registered.status).toBe(201);
    const login = await t.http
      .post('/api/v2/auth/login/user')
      .send({ email: body.email, password: body.password });
    expect(login.status).toBe(200);
    const refreshed = await t.http
      .post('/api/v2/auth/refresh')
      .send({ refresh_token: login.body.refresh_token });
    expect(refreshed.status).toBe(200);
    for (const res of [registered, login, refreshed]) expect(res.headers['cache-control']).toBe('no-store');
    // Other responses keep their usual caching headers.
    const profile = await t.http
      .get('/api/v2/auth/profile/user')
      .set('Authorization', `Bearer ${login.body.access_token}`);
    expect(profile.headers['cache-control']).not.toBe('no-store');
  });

  it('reads path ids as plain decimal digits only', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    const sale = await t.http
      .post('/api/v2/transactions/create')
      .set(m.auth)
      .send({ user_id: u.id, amount: 5, type: 'pay_later' });
    const id: number = sale.body.id;
    expect((await t.http.get(`/api/v2/transactions/${id}`).set(m.auth)).status).toBe(200);
    for (const alias of [id.toExponential(), `0x${id.toString(16)}`, `+${id}`, `${id}.0`, ` ${id}`]) {
      const path = `/api/v2/transactions/${encodeURIComponent(alias)}`;
      expectProblem(await t.http.get(path).set(m.auth), 400);
      expectProblem(await t.http.post(`${path}/settle`).set(m.auth).send({ payment_method: 'cash' }), 400);
    }
  });

  it('refuses a time zone JavaScript knows and PostgreSQL does not with a 422', async () => {
    const u = await registerUser(t);
    expect((await t.http.get('/api/v2/dashboard/user?tz=Asia/Calcutta').set(u.auth)).status).toBe(200);
    const res = await t.http.get('/api/v2/dashboard/user?tz=US/Pacific-New').set(u.auth);
    expectProblem(res, 422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'tz' })]);
    const reg = await t.http
      .post('/api/v2/auth/register/merchant')
      .send(merchantBody({ timezone: 'US/Pacific-New' }));
    expectProblem(reg, 422);
  });

  it('keeps the legacy WebSocket token out of error bodies', async () => {
    const m = await registerMerchant(t);
    const res = await t.http.get(`/api/v1/ws/transaction-history/${m.token}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.text).not.toContain(m.token);
    expect(res.body.instance).toBe('/api/v1/ws/transaction-history/[redacted]');
  });
});

describe('/metrics in production without METRICS_TOKEN (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        NODE_ENV: 'production',
        JWT_SECRET: 'a-production-grade-secret-0123456789abcdef',
        ADMIN_PASSWORD: 'a-strong-admin-password',
      },
    });
  });
  afterAll(() => t.close());

  it('is not served publicly', async () => {
    expectProblem(await t.http.get('/metrics'), 404);
    expect((await t.http.get('/health/live')).status).toBe(200);
  });
});

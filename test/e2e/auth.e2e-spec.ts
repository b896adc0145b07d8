import { createTestApp, type TestApp } from '../support/app.js';
import { merchantBody, registerMerchant, registerUser, userBody } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';
import { badTokens } from '../support/tokens.js';
import { AuthService } from '../../src/modules/auth/auth.service.js';

describe('auth (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('registration', () => {
    it('registers a merchant with a token response and provisions their table', async () => {
      const body = merchantBody();
      const res = await t.http.post('/api/v2/auth/register/merchant').send(body).expect(201);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        user_type: 'merchant',
        user_id: expect.any(Number),
        expires_in: 1800,
        refresh_token: expect.any(String),
      });
      const { rows } = await t.db.query(
        `SELECT c.relname FROM pg_class c WHERE c.relname = $1 AND c.relkind = 'r' AND NOT c.relispartition`,
        [`transaction_${res.body.user_id}`],
      );
      expect(rows).toHaveLength(1);
      const stored = await t.db.query('SELECT password_hash, email FROM merchants WHERE id = $1', [
        res.body.user_id,
      ]);
      expect(stored.rows[0].password_hash).toMatch(/^\$2[aby]\$/);
      expect(stored.rows[0].password_hash).not.toContain(body.password);
    });

    it('registers a user', async () => {
      const res = await t.http.post('/api/v2/auth/register/user').send(userBody()).expect(201);
      expect(res.body.user_type).toBe('user');
    });

    it('rejects a duplicate email case-insensitively and a duplicate phone with 409', async () => {
      const first = await registerMerchant(t);
      const byEmail = await t.http
        .post('/api/v2/auth/register/merchant')
        .send(merchantBody({ email: first.email.toUpperCase() }));
      expectProblem(byEmail, 409);
      expect(byEmail.body.code).toBe('email-taken');
      const byPhone = await t.http
        .post('/api/v2/auth/register/merchant')
        .send(merchantBody({ phone: first.phone }));
      expectProblem(byPhone, 409);
      expect(byPhone.body.code).toBe('phone-taken');
      const user = await registerUser(t);
      expectProblem(
        await t.http.post('/api/v2/auth/register/user').send(userBody({ email: user.email })),
        409,
      );
    });

    it.each(['Asia/Kolkata', 'Asia/Calcutta', 'Europe/London'])(
      'accepts the time zone %p',
      async (timezone) => {
        const res = await t.http
          .post('/api/v2/auth/register/merchant')
          .send(merchantBody({ timezone }))
          .expect(201);
        const profile = await t.http
          .get('/api/v2/auth/profile/merchant')
          .set('Authorization', `Bearer ${res.body.access_token}`)
          .expect(200);
        expect(profile.body.timezone).toBe(timezone);
      },
    );

    it('normalises a 10-digit Indian phone number to +91', async () => {
      const phone = `9${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
      const res = await t.http.post('/api/v2/auth/register/user').send(userBody({ phone })).expect(201);
      const { rows } = await t.db.query('SELECT phone FROM users WHERE id = $1', [res.body.user_id]);
      expect(rows[0].phone).toBe(`+91${phone}`);
    });

    it.each([
      ['a missing email', { email: undefined }, 'email'],
      ['a bad email', { email: 'not-an-email' }, 'email'],
      ['a short password', { password: '123' }, 'password'],
      ['a bad phone', { phone: 'abc' }, 'phone'],
      ['an unknown field', { is_admin: true }, 'is_admin'],
      ['a bad Aadhaar number', { aadhar_number: '1234' }, 'aadhar_number'],
      ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
      ['a number for a name', { name: 42 }, 'name'],
    ])('answers %s with 422 and the field', async (_label, patch, field) => {
      const res = await t.http.post('/api/v2/auth/register/merchant').send(merchantBody(patch));
      expectProblem(res, 422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('answers malformed JSON with 400', async () => {
      const res = await t.http
        .post('/api/v2/auth/register/user')
        .set('Content-Type', 'application/json')
        .send('{"name": "x",');
      expectProblem(res, 400);
    });

    it('answers a JSON array or a non-object body with 422, not 500', async () => {
      expectProblem(await t.http.post('/api/v2/auth/register/user').send([1, 2]), 422);
      const res = await t.http
        .post('/api/v2/auth/register/user')
        .set('Content-Type', 'application/json')
        .send('"x"');
      expect([400, 422]).toContain(res.status);
    });
  });

  describe('login', () => {
    it('logs in merchants and users; the seed curl body works', async () => {
      const m = await registerMerchant(t);
      const res = await t.http
        .post('/api/v2/auth/login/merchant')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ email: m.email, password: m.password }))
        .expect(200);
      expect(res.body).toMatchObject({ token_type: 'bearer', user_type: 'merchant', user_id: m.id });
      const u = await registerUser(t);
      const ures = await t.http
        .post('/api/v2/auth/login/user')
        .send({ email: u.email, password: u.password })
        .expect(200);
      expect(ures.body.user_type).toBe('user');
    });

    it('accepts the email in any case', async () => {
      const m = await registerMerchant(t);
      await t.http
        .post('/api/v2/auth/login/merchant')
        .send({ email: m.email.toUpperCase(), password: m.password })
        .expect(200);
    });

    it('gives the same 401 for a wrong password and an unknown email', async () => {
      const m = await registerMerchant(t);
      const wrong = await t.http
        .post('/api/v2/auth/login/merchant')
        .send({ email: m.email, password: 'nope-nope' });
      const unknown = await t.http
        .post('/api/v2/auth/login/merchant')
        .send({ email: 'nobody@example.com', password: 'nope-nope' });
      expectProblem(wrong, 401);
      expectProblem(unknown, 401);
      expect(wrong.body.detail).toBe(unknown.body.detail);
      expect(wrong.body.code).toBe(unknown.body.code);
    });

    it('does not let a merchant log in as a user', async () => {
      const m = await registerMerchant(t);
      expectProblem(
        await t.http.post('/api/v2/auth/login/user').send({ email: m.email, password: m.password }),
        401,
      );
    });

    it('logs in the admin created from ADMIN_EMAIL / ADMIN_PASSWORD at start-up', async () => {
      const res = await t.http
        .post('/api/v2/auth/login/admin')
        .send({ email: 'admin@graminstore.com', password: 'admin123' })
        .expect(200);
      expect(res.body.user_type).toBe('admin');
      const { rows } = await t.db.query('SELECT count(*)::int AS n FROM admins');
      expect(rows[0].n).toBe(1);
    });

    it('rate-limits login per account with 429 and Retry-After', async () => {
      const m = await registerMerchant(t);
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 12; i++) {
        last = await t.http
          .post('/api/v2/auth/login/merchant')
          .send({ email: m.email, password: 'wrong-password' });
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
      expectProblem(last!, 429);
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
      // Another account from the same address is not locked out by this one.
      const other = await registerMerchant(t);
      await t.http
        .post('/api/v2/auth/login/merchant')
        .send({ email: other.email, password: other.password })
        .expect(200);
    });
  });

  describe('profiles and roles', () => {
    it('returns the merchant profile with only the last 4 Aadhaar digits and no hash', async () => {
      const m = await registerMerchant(t, { aadhar_number: '9999 8888 7777' });
      const res = await t.http.get('/api/v2/auth/profile/merchant').set(m.auth).expect(200);
      expect(res.body).toMatchObject({
        id: m.id,
        email: m.email,
        aadhar_last_4: '7777',
        country: 'India',
        timezone: 'Asia/Kolkata',
      });
      const text = JSON.stringify(res.body);
      expect(text).not.toContain('999988887777');
      expect(text).not.toMatch(/password/);
    });

    it('returns the user profile', async () => {
      const u = await registerUser(t);
      const res = await t.http.get('/api/v2/auth/profile/user').set(u.auth).expect(200);
      expect(res.body).toMatchObject({ id: u.id, email: u.email, phone: u.phone });
      expect(JSON.stringify(res.body)).not.toMatch(/password/);
    });

    it('refuses the wrong role with 403', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      expectProblem(await t.http.get('/api/v2/auth/profile/user').set(m.auth), 403);
      expectProblem(await t.http.get('/api/v2/auth/profile/merchant').set(u.auth), 403);
      expectProblem(
        await t.http.get(`/api/v2/users/lookup?phone=${encodeURIComponent(u.phone)}`).set(u.auth),
        403,
      );
    });

    it('refuses missing, garbage, wrongly signed, alg:none and expired tokens with 401', async () => {
      const m = await registerMerchant(t);
      const url = '/api/v2/auth/profile/merchant';
      expectProblem(await t.http.get(url), 401);
      for (const token of [
        badTokens.garbage,
        badTokens.algNone(m.id),
        badTokens.expired(m.id),
        badTokens.wrongSecret(m.id),
        m.refreshToken,
      ])
        expectProblem(await t.http.get(url).set('Authorization', `Bearer ${token}`), 401);
      expectProblem(await t.http.get(url).set('Authorization', m.token), 401);
    });
  });

  describe('refresh tokens', () => {
    it('rotates: the new pair works, the old refresh token is refused, and its reuse revokes the family', async () => {
      const m = await registerMerchant(t);
      const first = await t.http
        .post('/api/v2/auth/refresh')
        .send({ refresh_token: m.refreshToken })
        .expect(200);
      expect(first.body.refresh_token).not.toBe(m.refreshToken);
      await t.http
        .get('/api/v2/auth/profile/merchant')
        .set('Authorization', `Bearer ${first.body.access_token}`)
        .expect(200);
      // Reusing the spent token fails, and also kills the token it was rotated into.
      expectProblem(await t.http.post('/api/v2/auth/refresh').send({ refresh_token: m.refreshToken }), 401);
      expectProblem(
        await t.http.post('/api/v2/auth/refresh').send({ refresh_token: first.body.refresh_token }),
        401,
      );
    });

    it('lets only one of two parallel refreshes with the same token through', async () => {
      const m = await registerMerchant(t);
      const results = await Promise.all(
        [1, 2].map(() => t.http.post('/api/v2/auth/refresh').send({ refresh_token: m.refreshToken })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('logout revokes the refresh token', async () => {
      const u = await registerUser(t);
      await t.http.post('/api/v2/auth/logout').send({ refresh_token: u.refreshToken }).expect(204);
      expectProblem(await t.http.post('/api/v2/auth/refresh').send({ refresh_token: u.refreshToken }), 401);
      // Repeating logout is harmless.
      await t.http.post('/api/v2/auth/logout').send({ refresh_token: u.refreshToken }).expect(204);
    });

    it('refuses an unknown refresh token and an expired one', async () => {
      expectProblem(await t.http.post('/api/v2/auth/refresh').send({ refresh_token: 'x'.repeat(43) }), 401);
      const u = await registerUser(t);
      await t.db.query(
        `UPDATE refresh_tokens SET expires_at = now() - interval '1 minute' WHERE subject_id = $1 AND subject_role = 'user'`,
        [u.id],
      );
      expectProblem(await t.http.post('/api/v2/auth/refresh').send({ refresh_token: u.refreshToken }), 401);
    });
  });

  describe('customer lookup', () => {
    it('finds a customer by phone for a merchant, revealing only the name and last 4 digits', async () => {
      const m = await registerMerchant(t);
      const u = await registerUser(t);
      const res = await t.http
        .get('/api/v2/users/lookup')
        .query({ phone: u.phone.slice(3) })
        .set(m.auth)
        .expect(200);
      expect(res.body).toEqual({ id: u.id, name: expect.any(String), phone_last_4: u.phone.slice(-4) });
      expectProblem(
        await t.http.get('/api/v2/users/lookup').query({ phone: '+919000000001' }).set(m.auth),
        404,
      );
      expectProblem(await t.http.get('/api/v2/users/lookup').query({ phone: 'abc' }).set(m.auth), 422);
    });
  });

  it('purges refresh tokens expired for over a day, and only those', async () => {
    const old = await registerUser(t);
    const recent = await registerUser(t);
    const expire = (id: number, ago: string) =>
      t.db.query(
        `UPDATE refresh_tokens SET expires_at = now() - $2::interval WHERE subject_role = 'user' AND subject_id = $1`,
        [id, ago],
      );
    await expire(old.id, '2 days');
    await expire(recent.id, '1 hour');
    expect(await t.app.get(AuthService).purgeExpiredRefreshTokens()).toBeGreaterThanOrEqual(1);
    const left = async (id: number) =>
      (
        await t.db.query(
          `SELECT count(*)::int AS n FROM refresh_tokens WHERE subject_role = 'user' AND subject_id = $1`,
          [id],
        )
      ).rows[0].n;
    expect(await left(old.id)).toBe(0);
    expect(await left(recent.id)).toBe(1);
  });
});

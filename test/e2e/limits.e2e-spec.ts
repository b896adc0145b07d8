import { createTestApp, type TestApp } from '../support/app.js';
import { merchantBody, registerMerchant, registerUser, unique, userBody } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';

const wrong = (email: string) => ({ email, password: 'not-the-password' });

describe('limits that cannot be dodged (e2e)', () => {
  describe('behind no proxy (the default TRUST_PROXY)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('counts login attempts per role and normalised email, whatever the path spelling', async () => {
      const u = await registerUser(t);
      for (let i = 0; i < 10; i++)
        expect((await t.http.post('/api/v2/auth/login/user').send(wrong(u.email))).status).toBe(401);
      const fullWidth = u.email.replace('user', 'ｕｓｅｒ');
      for (const [path, email] of [
        ['/api/v2/auth/login/usER', u.email],
        ['/api/v2/auth/login/user/', u.email],
        ['/api/v2/auth/LOGIN/user', u.email.toUpperCase()],
        ['/api/v2/auth/login/user', fullWidth],
      ]) {
        const res = await t.http.post(path!).send(wrong(email!));
        expectProblem(res, 429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      // Even the right password waits: the account's bucket is empty.
      expectProblem(
        await t.http.post('/api/v2/auth/login/user').send({ email: u.email, password: u.password }),
        429,
      );
      // The same email as a merchant is another account (another role).
      expect((await t.http.post('/api/v2/auth/login/merchant').send(wrong(u.email))).status).toBe(401);
    });

    it('limits guesses of the current password through POST /auth/password, per account', async () => {
      const u = await registerUser(t);
      const guess = () =>
        t.http
          .post('/api/v2/auth/password')
          .set(u.auth)
          .send({ current_password: 'not-the-password', new_password: 'khata-ledger-9932' });
      for (let i = 0; i < 10; i++) expectProblem(await guess(), 422);
      const limited = await guess();
      expectProblem(limited, 429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Another account is not held up.
      const other = await registerUser(t);
      expectProblem(
        await t.http
          .post('/api/v2/auth/password')
          .set(other.auth)
          .send({ current_password: 'not-the-password', new_password: 'khata-ledger-9932' }),
        422,
      );
    });

    it('ignores X-Forwarded-For from an untrusted peer, so rotating it does not reset the address limit', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 32; i++) {
        const res = await t.http
          .post('/api/v2/auth/login/merchant')
          .set('X-Forwarded-For', `198.51.100.${i + 1}`)
          .send(wrong(`nobody.${unique()}@example.com`));
        statuses.push(res.status);
      }
      expect(statuses).toContain(429);
    });
  });

  describe('behind a configured proxy (TRUST_PROXY=loopback)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { TRUST_PROXY: 'loopback', REGISTRATIONS_PER_HOUR: '3' } });
    });
    afterAll(() => t.close());

    const attempts = async (address: (i: number) => string, n: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++)
        statuses.push(
          (
            await t.http
              .post('/api/v2/auth/login/merchant')
              .set('X-Forwarded-For', address(i))
              .send(wrong(`nobody.${unique()}@example.com`))
          ).status,
        );
      return statuses;
    };

    it('takes the client address from the trusted proxy, and counts an IPv6 /64 as one address', async () => {
      // 32 attempts from 32 addresses of one /64: one bucket of 30.
      expect(await attempts((i) => `2001:db8:77:1:${(i + 1).toString(16)}::9`, 32)).toContain(429);
      // Other /64s and IPv4 clients are separate clients behind the same proxy.
      expect(await attempts((i) => `2001:db8:77:${i + 2}::1`, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(await attempts(() => '192.0.2.44', 5)).toEqual([401, 401, 401, 401, 401]);
    });

    it('limits registrations per address with 429 and Retry-After', async () => {
      const register = (i: number, address: string) =>
        t.http
          .post(i % 2 ? '/api/v2/auth/register/user' : '/api/v2/auth/register/merchant')
          .set('X-Forwarded-For', address)
          .send(i % 2 ? userBody() : merchantBody());
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await register(i, '203.0.113.9')).status);
      expect(statuses).toEqual([201, 201, 201]);
      const refused = await register(3, '203.0.113.9');
      expectProblem(refused, 429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // Another address is another client.
      expect((await register(3, '203.0.113.10')).status).toBe(201);
    });
  });

  describe('registration rules', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('stores emails NFKC-normalised, so a full-width spelling is the same account', async () => {
      const tag = unique();
      const res = await t.http
        .post('/api/v2/auth/register/user')
        .send(userBody({ email: `ＰＲＩＹＡ.${tag}@ｅｘａｍｐｌｅ.com` }))
        .expect(201);
      const { rows } = await t.db.query('SELECT email FROM users WHERE id = $1', [res.body.user_id]);
      expect(rows[0].email).toBe(`priya.${tag}@example.com`);
      const again = await t.http
        .post('/api/v2/auth/register/user')
        .send(userBody({ email: `priya.${tag}@example.com` }));
      expectProblem(again, 409);
    });

    it.each([
      ['a Cyrillic "а" in a Latin local part', (tag: string) => `\u0430dmin.${tag}@example.com`],
      ['a Greek "ο" in a Latin domain', (tag: string) => `shop.${tag}@g\u03bfogle.com`],
    ])('refuses a look-alike address: %s', async (_label, email) => {
      const res = await t.http
        .post('/api/v2/auth/register/merchant')
        .send(merchantBody({ email: email(unique()) }));
      expectProblem(res, 422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['email']);
    });

    it('accepts an address written wholly in another script', async () => {
      await t.http
        .post('/api/v2/auth/register/user')
        .send(userBody({ email: `दुकान${unique().replace(/[a-z]/g, '')}@example.com` }))
        .expect(201);
    });

    it.each([
      ['7 characters', 'kh4t@b0'],
      ['73 UTF-8 bytes (bcrypt would ignore the rest)', 'é'.repeat(36) + 'x'],
      ['a common password', 'password123'],
      ['a common password in another case', 'Qwerty123'],
      ['the demo password', 'merchant123'],
    ])('refuses a password of %s', async (_label, password) => {
      const res = await t.http.post('/api/v2/auth/register/merchant').send(merchantBody({ password }));
      expectProblem(res, 422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['password']);
    });

    it('accepts a password of exactly 72 UTF-8 bytes', async () => {
      const m = await registerMerchant(t, { password: 'é'.repeat(36) });
      await t.http
        .post('/api/v2/auth/login/merchant')
        .send({ email: m.email, password: m.password })
        .expect(200);
    });
  });

  describe('per-merchant write limits', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { MERCHANT_WRITES_PER_SECOND: '1', MERCHANT_WRITE_BURST: '3' } });
    });
    afterAll(() => t.close());

    it('answers sales, settlements and guest creations over the limit with 429 and Retry-After; other merchants go on', async () => {
      const m = await registerMerchant(t);
      const other = await registerMerchant(t);
      const bill = await t.http
        .post('/api/v2/transactions/create')
        .set(m.auth)
        .send({ amount: 50, type: 'pay_later', description: 'Rice', is_guest_transaction: true })
        .expect(201);
      await t.http.post('/api/v2/transactions/guest-user').set(m.auth).expect(201);
      await t.http
        .post(`/api/v2/transactions/${bill.body.id}/settle`)
        .set(m.auth)
        .send({ amount: 10, payment_method: 'cash' })
        .expect(200);
      for (const res of [
        await t.http.post('/api/v2/transactions/create').set(m.auth).send({
          amount: 5,
          type: 'paid',
          description: 'Tea',
          payment_method: 'cash',
          is_guest_transaction: true,
        }),
        await t.http.post('/api/v2/transactions/guest-user').set(m.auth),
        await t.http
          .post(`/api/v2/transactions/${bill.body.id}/settle`)
          .set(m.auth)
          .send({ amount: 10, payment_method: 'cash' }),
      ]) {
        expectProblem(res, 429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      await t.http.post('/api/v2/transactions/guest-user').set(other.auth).expect(201);
    });
  });
});

import { jest } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  merchantBody,
  registerMerchant,
  registerUser,
  userBody,
  type Account,
} from '../support/factories.js';
import { PHONE_LOOKUP_LIMITS } from '../../src/modules/users/phone-lookup-throttler.guard.js';
import { expectShape, expectV1, expectV1Problem, expectV1Validation, V1 } from '../support/v1-contract.js';

// Real servers and databases on a shared machine.
jest.setTimeout(60_000);

/** /api/v1/auth: the original API's auth routes (register, login, profiles, phone lookup and search). */
describe('/api/v1/auth (the original contract)', () => {
  let t: TestApp;
  let merchant: Account;
  let user: Account;

  beforeAll(async () => {
    t = await createTestApp();
    [merchant, user] = await Promise.all([
      registerMerchant(t, { aadhar_number: '123456781234' }),
      registerUser(t, { name: 'Priya Sharma' }),
    ]);
  });
  afterAll(() => t.close());

  describe('register', () => {
    it('registers a merchant with 200 and the original token object; business_name is optional', async () => {
      const { business_name: _omitted, ...body } = merchantBody();
      const res = await t.http.post('/api/v1/auth/register/merchant').send({ ...body, unknown_field: 1 });
      expectV1(res, 200, V1.token('merchant'));
      // The client reads access_token and user_type, then calls the profile.
      const profile = await t.http
        .get('/api/v1/auth/profile/merchant')
        .set('Authorization', `Bearer ${res.body.access_token}`);
      expectV1(profile, 200, V1.merchantProfile);
      expect(profile.body.id).toBe(res.body.user_id);
      expect(profile.body.business_name).toBe(body.name);
    });

    it('registers a customer with 200, ignoring unknown fields', async () => {
      const res = await t.http.post('/api/v1/auth/register/user').send({ ...userBody(), referrer: 'x' });
      expectV1(res, 200, V1.token('user'));
    });

    it("answers a taken email or phone with the original's 400 and sentence", async () => {
      const m = await t.http
        .post('/api/v1/auth/register/merchant')
        .send(merchantBody({ email: merchant.email }));
      expectV1Problem(m, 400, 'Merchant with this email or phone already exists');
      const mp = await t.http
        .post('/api/v1/auth/register/merchant')
        .send(merchantBody({ phone: merchant.phone }));
      expectV1Problem(mp, 400, 'Merchant with this email or phone already exists');
      const u = await t.http.post('/api/v1/auth/register/user').send(userBody({ phone: user.phone }));
      expectV1Problem(u, 400, 'User with this email or phone already exists');
      // v2 keeps its 409 for the same rule.
      const v2 = await t.http.post('/api/v2/auth/register/user').send(userBody({ email: user.email }));
      expect(v2.status).toBe(409);
    });

    it('answers invalid fields with pydantic-style items the PWA prints', async () => {
      const res = await t.http
        .post('/api/v1/auth/register/user')
        .send({ name: 'A', email: 'not-an-email', phone: '+919812345678' });
      const shown = expectV1Validation(res);
      expect(shown).toMatch(/^Validation error: /);
      expect(shown).toContain('body.email: value is not a valid email address: ');
      expect(shown).toContain('body.password: Field required');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'email' })]));
    });

    it('answers malformed JSON with a 422 json_invalid item', async () => {
      const res = await t.http
        .post('/api/v1/auth/register/user')
        .set('Content-Type', 'application/json')
        .send('{"name": ');
      expectV1Validation(res);
      expect(res.body.detail[0]).toMatchObject({ type: 'json_invalid', msg: 'JSON decode error' });
    });
  });

  describe('login', () => {
    it('logs a merchant and a customer in with the token object', async () => {
      const m = await t.http
        .post('/api/v1/auth/login/merchant')
        .send({ email: merchant.email, password: merchant.password, remember_me: true });
      expectV1(m, 200, V1.token('merchant'));
      const u = await t.http
        .post('/api/v1/auth/login/user')
        .send({ email: user.email, password: user.password });
      expectV1(u, 200, V1.token('user'));
      expect(u.body.user_id).toBe(user.id);
    });

    it("refuses wrong credentials with the original's sentence", async () => {
      const res = await t.http
        .post('/api/v1/auth/login/user')
        .send({ email: user.email, password: 'wrong-pass' });
      expectV1Problem(res, 401, 'Incorrect email or password');
      const other = await t.http
        .post('/api/v1/auth/login/merchant')
        .send({ email: user.email, password: user.password });
      expectV1Problem(other, 401, 'Incorrect email or password');
    });

    it('refuses a malformed email with 422, as the original did', async () => {
      const res = await t.http
        .post('/api/v1/auth/login/merchant')
        .send({ email: 'merchant123', password: 'x' });
      expect(expectV1Validation(res)).toContain('body.email: value is not a valid email address');
    });
  });

  describe('profiles', () => {
    it('returns the merchant profile in the original shape, the Aadhaar number masked', async () => {
      const res = await t.http.get('/api/v1/auth/profile/merchant').set(merchant.auth);
      expectV1(res, 200, V1.merchantProfile);
      expect(res.body.aadhar_number).toBe('********1234');
      expect(JSON.stringify(res.body)).not.toContain('123456781234');
      expect(Object.keys(res.body)).toEqual([
        'id',
        'name',
        'email',
        'phone',
        'aadhar_number',
        'business_name',
        'city',
        'state',
        'zip_code',
        'country',
        'business_type',
        'user_type',
        'created_at',
      ]);
    });

    it('returns the customer profile in the original shape', async () => {
      const res = await t.http.get('/api/v1/auth/profile/user').set(user.auth);
      expectV1(res, 200, V1.userProfile);
      expect(res.body).toMatchObject({ id: user.id, name: 'Priya Sharma', phone: user.phone });
    });

    it("refuses the wrong role and a missing token with the original's sentences (401, not 403)", async () => {
      expectV1Problem(
        await t.http.get('/api/v1/auth/profile/merchant').set(user.auth),
        403,
        'Access forbidden: Merchant access required',
      );
      expectV1Problem(
        await t.http.get('/api/v1/auth/profile/user').set(merchant.auth),
        403,
        'Access forbidden: Consumer access required',
      );
      expectV1Problem(await t.http.get('/api/v1/auth/profile/user'), 401, 'Not authenticated');
      expectV1Problem(
        await t.http.get('/api/v1/auth/profile/user').set('Authorization', 'Bearer not.a.jwt'),
        401,
        'Could not validate credentials',
      );
    });

    it('ends the session of an account that is gone (401)', async () => {
      const gone = await registerUser(t);
      expect((await t.http.get('/api/v1/auth/profile/user').set(gone.auth)).status).toBe(200);
      await t.db.query(`DELETE FROM refresh_tokens WHERE subject_id = $1 AND subject_role = 'user'`, [
        gone.id,
      ]);
      await t.db.query(`DELETE FROM users WHERE id = $1`, [gone.id]);
      // The original answered 404 "User not found"; an account that is gone ends its sessions at once.
      const res = await t.http.get('/api/v1/auth/profile/user').set(gone.auth);
      expect([401, 404]).toContain(res.status);
      expectV1Problem(res, res.status);
    });
  });

  describe('profile changes (v1 and v2)', () => {
    it('changes name, business and address fields and the time zone without a password', async () => {
      const m = await registerMerchant(t);
      const res = await t.http.put('/api/v2/auth/profile/merchant').set(m.auth).send({
        name: 'Ravi Kumar',
        business_name: 'Ravi General Store',
        business_type: 'general',
        city: 'Indore',
        state: 'Madhya Pradesh',
        zip_code: '452001',
        country: 'India',
        timezone: 'Asia/Kolkata',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name: 'Ravi Kumar',
        business_name: 'Ravi General Store',
        city: 'Indore',
      });
      const v1 = await t.http
        .put('/api/v1/auth/profile/merchant')
        .set(m.auth)
        .send({ city: 'Bhopal', junk: 1 });
      expectV1(v1, 200, V1.merchantProfile);
      expect(v1.body).toMatchObject({
        city: 'Bhopal',
        zip_code: '452001',
        business_name: 'Ravi General Store',
      });
      const stored = await t.db.query(`SELECT name, city, timezone FROM merchants WHERE id = $1`, [m.id]);
      expect(stored.rows[0]).toEqual({ name: 'Ravi Kumar', city: 'Bhopal', timezone: 'Asia/Kolkata' });
    });

    it('validates as registration does; v2 rejects unknown fields, v1 ignores them', async () => {
      const m = await registerMerchant(t);
      expect(
        (await t.http.put('/api/v2/auth/profile/merchant').set(m.auth).send({ timezone: 'Mars/Base' }))
          .status,
      ).toBe(422);
      expect((await t.http.put('/api/v2/auth/profile/merchant').set(m.auth).send({ junk: 1 })).status).toBe(
        422,
      );
      expectV1Validation(
        await t.http.put('/api/v1/auth/profile/merchant').set(m.auth).send({ zip_code: '!' }),
      );
    });

    it('needs the current password for a new email or phone', async () => {
      const u = await registerUser(t);
      const fresh = userBody();
      const without = await t.http.put('/api/v2/auth/profile/user').set(u.auth).send({ phone: fresh.phone });
      expect(without.status).toBe(422);
      expect(without.body.errors).toEqual([expect.objectContaining({ field: 'current_password' })]);
      const wrong = await t.http
        .put('/api/v2/auth/profile/user')
        .set(u.auth)
        .send({ email: fresh.email, current_password: 'not-it' });
      expect(wrong.status).toBe(422);
      const ok = await t.http
        .put('/api/v1/auth/profile/user')
        .set(u.auth)
        .send({ email: fresh.email, phone: fresh.phone, current_password: u.password });
      expectV1(ok, 200, V1.userProfile);
      expect(ok.body).toMatchObject({ email: fresh.email, phone: fresh.phone });
      // The new email signs in.
      const login = await t.http
        .post('/api/v1/auth/login/user')
        .send({ email: fresh.email, password: u.password });
      expect(login.status).toBe(200);
      // Sending the unchanged email needs no password.
      const same = await t.http
        .put('/api/v2/auth/profile/user')
        .set(u.auth)
        .send({ email: fresh.email, name: 'N' });
      expect(same.status).toBe(200);
    });

    it("refuses another account's email or phone with 409 on both versions", async () => {
      const [a, b] = await Promise.all([registerMerchant(t), registerMerchant(t)]);
      const v2 = await t.http
        .put('/api/v2/auth/profile/merchant')
        .set(a.auth)
        .send({ phone: b.phone, current_password: a.password });
      expect(v2.status).toBe(409);
      const v1 = await t.http
        .put('/api/v1/auth/profile/merchant')
        .set(a.auth)
        .send({ email: b.email.toUpperCase(), current_password: a.password });
      expectV1Problem(v1, 409);
    });

    it('lets each role change only its own profile', async () => {
      expect(
        (await t.http.put('/api/v2/auth/profile/merchant').set(user.auth).send({ name: 'x' })).status,
      ).toBe(403);
      expect((await t.http.put('/api/v1/auth/profile/user').send({ name: 'x' })).status).toBe(401);
    });
  });

  describe('phone lookup and search', () => {
    let customer: Account;
    let lookalikeMerchant: Account;

    beforeAll(async () => {
      customer = await registerUser(t, { name: 'Rahul Kumar Verma', phone: '+919876501234' });
      // A merchant with a phone containing the same digits must never be found.
      lookalikeMerchant = await registerMerchant(t, { phone: '+919876501299' });
    });

    it('looks a customer up by the exact number without a token: id, short name, masked phone, no email', async () => {
      const res = await t.http.get('/api/v1/auth/lookup/user-by-phone').query({ phone: '98765 01234' });
      expectV1(res, 200, V1.lookupUser);
      expect(res.body).toEqual({ id: customer.id, name: 'Rahul V.', email: null, phone: '+********1234' });
      // The client URL-encodes "+91 98765 01234".
      const encoded = await t.http.get(
        `/api/v1/auth/lookup/user-by-phone?phone=${encodeURIComponent('+91 98765 01234')}`,
      );
      expect(encoded.body.id).toBe(customer.id);
    });

    it('gives a merchant the full name', async () => {
      const res = await t.http
        .get('/api/v1/auth/lookup/user-by-phone')
        .set(merchant.auth)
        .query({ phone: '+919876501234' });
      expectV1(res, 200, V1.lookupUser);
      expect(res.body.name).toBe('Rahul Kumar Verma');
      // A customer's token is not a merchant's.
      const asUser = await t.http
        .get('/api/v1/auth/lookup/user-by-phone')
        .set(user.auth)
        .query({ phone: '+919876501234' });
      expect(asUser.body.name).toBe('Rahul V.');
    });

    it('never finds merchants, and answers unknown numbers and short input as the original', async () => {
      expectV1Problem(
        await t.http.get('/api/v1/auth/lookup/user-by-phone').query({ phone: lookalikeMerchant.phone }),
        404,
        'User not found',
      );
      const short = await t.http.get('/api/v1/auth/lookup/user-by-phone').query({ phone: '1234' });
      expect(expectV1Validation(short)).toBe(
        'Validation error: query.phone: String should have at least 5 characters',
      );
    });

    it('searches partial numbers for merchants only, with the same masked fields', async () => {
      expectV1Problem(
        await t.http.get('/api/v1/auth/search/users-by-phone').query({ phone: '98765' }),
        401,
        'Not authenticated',
      );
      expectV1Problem(
        await t.http.get('/api/v1/auth/search/users-by-phone').set(user.auth).query({ phone: '98765' }),
        403,
        'Access forbidden: Merchant access required',
      );
      const res = await t.http
        .get('/api/v1/auth/search/users-by-phone')
        .set(merchant.auth)
        .query({ phone: '876-501', limit: 10, sort: 'x' });
      expectV1(res, 200, V1.searchUsers);
      expect(res.body).toEqual([{ id: customer.id, name: 'Rahul V.', email: null, phone: '+********1234' }]);
      expect(JSON.stringify(res.body)).not.toContain(lookalikeMerchant.phone);
    });

    it("answers too few digits with the original's 400 and limits out of range with 422", async () => {
      expectV1Problem(
        await t.http.get('/api/v1/auth/search/users-by-phone').set(merchant.auth).query({ phone: '98-7a6' }),
        400,
        'Phone number must be at least 5 digits',
      );
      const res = await t.http
        .get('/api/v1/auth/search/users-by-phone')
        .set(merchant.auth)
        .query({ phone: '98765', limit: 51 });
      expect(expectV1Validation(res)).toBe(
        'Validation error: query.limit: Input should be less than or equal to 50',
      );
    });

    it('meters the search per merchant: 429 with Retry-After over the quota', async () => {
      const m = await registerMerchant(t);
      const { capacity } = PHONE_LOOKUP_LIMITS.merchant;
      let ok = 0;
      let limited;
      while (!limited && ok < capacity * 2) {
        const res = await t.http
          .get('/api/v1/auth/search/users-by-phone')
          .set(m.auth)
          .query({ phone: '00000' });
        if (res.status === 429) limited = res;
        else ok += 1;
      }
      expect(ok).toBeGreaterThanOrEqual(capacity);
      expect(ok).toBeLessThan(capacity * 2);
      expectV1Problem(limited!, 429);
      expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
      // Another merchant has a quota of its own.
      const other = await t.http
        .get('/api/v1/auth/search/users-by-phone')
        .set(merchant.auth)
        .query({ phone: '00000' });
      expect(other.status).toBe(200);
    });

    it('meters the tokenless lookup per address: 429 with Retry-After', async () => {
      const { capacity } = PHONE_LOOKUP_LIMITS.address;
      let answered = 0;
      let limited;
      while (!limited && answered < capacity * 2) {
        const res = await t.http.get('/api/v1/auth/lookup/user-by-phone').query({ phone: '+910000000000' });
        if (res.status === 429) limited = res;
        else answered += 1;
      }
      expect(answered).toBeLessThan(capacity * 2);
      expectV1Problem(limited!, 429);
      expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  it('keeps v1 and v2 strictness apart on the same rule set', async () => {
    const body = { ...userBody(), nickname: 'x' };
    const v2 = await t.http.post('/api/v2/auth/register/user').send(body);
    expect(v2.status).toBe(422);
    expect(v2.body.detail).toEqual(expect.any(String));
    const v1 = await t.http.post('/api/v1/auth/register/user').send(body);
    expectShape(v1.body, V1.token('user'));
  });
});

import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser, uniquePhone, type Account } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';
import { collect, connectDashboard, connected, refusal, request } from '../support/realtime.js';
import { createSale } from '../support/sales.js';
import { createStaff, inviteStaff } from '../support/staff.js';

const HISTORY = '/api/v2/transactions/history';
const CREATE = '/api/v2/transactions/create';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const guestSale = { amount: 25.5, type: 'paid', payment_method: 'cash', is_guest_transaction: true };

describe('staff accounts (e2e)', () => {
  let t: TestApp;
  let owner: Account;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    owner = await registerMerchant(t);
  });
  afterAll(() => t.close());

  describe('invitations', () => {
    it('an owner invites; the code works once, is stored only hashed, and signs the member in', async () => {
      const invited = await t.http
        .post('/api/v2/staff')
        .set(owner.auth)
        .send({
          name: ' Ravi Kumar ',
          phone: '098765 43210'.replace('98765', String(90000 + Math.floor(Math.random() * 9999))),
          role: 'cashier',
        })
        .expect(201);
      const { staff, invitation_code: code, invitation_expires_at: expires } = invited.body;
      expect(staff).toMatchObject({
        name: 'Ravi Kumar',
        role: 'cashier',
        status: 'invited',
        active: true,
        merchant_id: owner.id,
        created_by: null,
      });
      expect(staff.phone).toMatch(/^\+91\d{10}$/);
      expect(code).toMatch(/^[2-9A-Z]{4}(-[2-9A-Z]{4}){3}$/);
      const days = (Date.parse(expires) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
      expect(days).toBeLessThanOrEqual(7);
      const { rows } = await t.db.query(`SELECT invite_code_hash, password_hash FROM staff WHERE id = $1`, [
        staff.id,
      ]);
      expect(rows[0].invite_code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].invite_code_hash).not.toContain(code.replace(/-/g, ''));
      expect(rows[0].password_hash).toBeNull();

      // A weak password is refused and leaves the code usable.
      expectProblem(
        await t.http.post('/api/v2/auth/staff/accept').send({ code, password: 'password1' }),
        422,
      );
      // Dashes and case do not matter.
      const accepted = await t.http
        .post('/api/v2/auth/staff/accept')
        .send({ code: code.toLowerCase().replace(/-/g, ' '), password: 'counter-till-4821' })
        .expect(200);
      expect(accepted.body).toMatchObject({
        user_type: 'merchant',
        user_id: owner.id,
        staff_id: staff.id,
        staff_role: 'cashier',
      });
      const again = await t.http
        .post('/api/v2/auth/staff/accept')
        .send({ code, password: 'counter-till-4821' });
      expectProblem(again, 422);
      expect(again.body.code).toBe('invitation-invalid');

      const profile = await t.http
        .get('/api/v2/auth/profile/staff')
        .set(bearer(accepted.body.access_token))
        .expect(200);
      expect(profile.body).toMatchObject({
        id: staff.id,
        role: 'cashier',
        status: 'active',
        business_name: expect.any(String),
      });
      expectProblem(await t.http.get('/api/v2/auth/profile/staff').set(owner.auth), 403);

      const list = await t.http.get('/api/v2/staff').set(owner.auth).expect(200);
      expect(list.body.find((s: { id: number }) => s.id === staff.id)).toMatchObject({ status: 'active' });
      expect(JSON.stringify(list.body)).not.toMatch(/hash|invite_code/);
    });

    it('refuses an expired code, a duplicate member, and a member with neither phone nor email', async () => {
      const invited = await inviteStaff(t, owner, 'manager');
      await t.db.query(`UPDATE staff SET invite_expires_at = now() - interval '1 second' WHERE id = $1`, [
        invited.id,
      ]);
      expectProblem(
        await t.http
          .post('/api/v2/auth/staff/accept')
          .send({ code: invited.code, password: 'counter-till-4821' }),
        422,
      );
      // A new invitation works, and the old code does not.
      const fresh = await t.http.post(`/api/v2/staff/${invited.id}/invitation`).set(owner.auth).expect(201);
      expectProblem(
        await t.http
          .post('/api/v2/auth/staff/accept')
          .send({ code: invited.code, password: 'counter-till-4821' }),
        422,
      );
      await t.http
        .post('/api/v2/auth/staff/accept')
        .send({ code: fresh.body.invitation_code, password: 'counter-till-4821' })
        .expect(200);

      const dup = await t.http
        .post('/api/v2/staff')
        .set(owner.auth)
        .send({ name: 'Again', phone: invited.phone, role: 'cashier' });
      expectProblem(dup, 409);
      expect(dup.body.code).toBe('staff-exists');
      const dupEmail = await t.http
        .post('/api/v2/staff')
        .set(owner.auth)
        .send({ name: 'Again', email: invited.email.toUpperCase(), role: 'cashier' });
      expectProblem(dupEmail, 409);
      const none = await t.http
        .post('/api/v2/staff')
        .set(owner.auth)
        .send({ name: 'Nobody', role: 'cashier' });
      expectProblem(none, 422);
      expect(none.body.code).toBe('staff-contact-required');
      expectProblem(
        await t.http
          .post('/api/v2/staff')
          .set(owner.auth)
          .send({ name: 'X', phone: uniquePhone(), role: 'owner' }),
        422,
      );
      // Another shop cannot see or change this shop's staff.
      const other = await registerMerchant(t);
      expectProblem(
        await t.http.patch(`/api/v2/staff/${invited.id}`).set(other.auth).send({ active: false }),
        404,
      );
      expectProblem(await t.http.post(`/api/v2/staff/${invited.id}/invitation`).set(other.auth), 404);
      expect((await t.http.get('/api/v2/staff').set(other.auth).expect(200)).body).toEqual([]);
    });
  });

  describe('login and refresh', () => {
    it('logs in by phone or email, refreshes into the same scoped session, and refuses wrong passwords alike', async () => {
      const cashier = await createStaff(t, owner, 'cashier');
      const byPhone = await t.http
        .post('/api/v2/auth/staff/login')
        .send({ phone: cashier.phone.replace('+91', ''), password: cashier.password })
        .expect(200);
      expect(byPhone.body).toMatchObject({ user_id: owner.id, staff_id: cashier.id, staff_role: 'cashier' });
      const byEmail = await t.http
        .post('/api/v2/auth/staff/login')
        .send({ email: cashier.email.toUpperCase(), password: cashier.password })
        .expect(200);
      expect(byEmail.body.staff_id).toBe(cashier.id);

      const wrong = await t.http
        .post('/api/v2/auth/staff/login')
        .send({ phone: cashier.phone, password: 'not-the-password' });
      const unknown = await t.http
        .post('/api/v2/auth/staff/login')
        .send({ phone: uniquePhone(), password: 'not-the-password' });
      expectProblem(wrong, 401);
      expectProblem(unknown, 401);
      expect(wrong.body.detail).toBe(unknown.body.detail);
      // The owner's credentials are not a staff login.
      expectProblem(
        await t.http.post('/api/v2/auth/staff/login').send({ email: owner.email, password: owner.password }),
        401,
      );

      const refreshed = await t.http
        .post('/api/v2/auth/refresh')
        .send({ refresh_token: byPhone.body.refresh_token })
        .expect(200);
      expect(refreshed.body).toMatchObject({
        user_type: 'merchant',
        user_id: owner.id,
        staff_id: cashier.id,
        staff_role: 'cashier',
      });
      // Still a cashier after the refresh: the dashboard stays closed.
      expectProblem(
        await t.http.get('/api/v2/dashboard/merchant').set(bearer(refreshed.body.access_token)),
        403,
      );
      await t.http
        .post('/api/v2/auth/logout')
        .send({ refresh_token: refreshed.body.refresh_token })
        .expect(204);
      expectProblem(await t.http.get(HISTORY).set(bearer(refreshed.body.access_token)), 401);
      // Other sessions of the member are untouched by that logout.
      await t.http.get(HISTORY).set(cashier.auth).expect(200);
    });

    it('asks which shop when a person is staff of several with this password (409 with the choices)', async () => {
      const shopA = await registerMerchant(t);
      const shopB = await registerMerchant(t);
      const phone = uniquePhone();
      for (const shop of [shopA, shopB]) {
        const { code } = await inviteStaff(t, shop, 'cashier', { phone, email: undefined });
        await t.http.post('/api/v2/auth/staff/accept').send({ code, password: 'two-shops-4821' }).expect(200);
      }
      const ambiguous = await t.http
        .post('/api/v2/auth/staff/login')
        .send({ phone, password: 'two-shops-4821' });
      expectProblem(ambiguous, 409);
      expect(ambiguous.body.code).toBe('shop-choice-required');
      expect(
        ambiguous.body.shops
          .map((s: { merchant_id: number }) => s.merchant_id)
          .sort((a: number, b: number) => a - b),
      ).toEqual([shopA.id, shopB.id].sort((a, b) => a - b));
      expect(ambiguous.body.shops[0].business_name).toMatch(/^Kirana /);
      // A wrong password names no shops.
      const wrong = await t.http
        .post('/api/v2/auth/staff/login')
        .send({ phone, password: 'not-the-password' });
      expectProblem(wrong, 401);
      expect(wrong.body.shops).toBeUndefined();
      const chosen = await t.http
        .post('/api/v2/auth/staff/login')
        .send({ phone, password: 'two-shops-4821', merchant_id: shopB.id })
        .expect(200);
      expect(chosen.body.user_id).toBe(shopB.id);
      // The token acts for shop B only.
      const sale = await t.http
        .post(CREATE)
        .set(bearer(chosen.body.access_token))
        .send(guestSale)
        .expect(201);
      expect(sale.body.merchant_id).toBe(shopB.id);
    });
  });

  describe('disabling and role changes take effect at once', () => {
    it('a disabled member’s next request is 401, their refresh is refused and their socket closed', async () => {
      const cashier = await createStaff(t, owner, 'cashier');
      await t.http.get(HISTORY).set(cashier.auth).expect(200); // now cached as live
      const socket = connectDashboard(t.baseUrl, cashier.token);
      await connected(socket);
      const ended = collect(socket, 'session_ended');
      const ownerSocket = connectDashboard(t.baseUrl, owner.token);
      await connected(ownerSocket);

      const disabled = await t.http
        .patch(`/api/v2/staff/${cashier.id}`)
        .set(owner.auth)
        .send({ active: false })
        .expect(200);
      expect(disabled.body).toMatchObject({
        active: false,
        status: 'disabled',
        disabled_at: expect.any(String),
      });

      expectProblem(await t.http.get(HISTORY).set(cashier.auth), 401);
      expectProblem(await t.http.post(CREATE).set(cashier.auth).send(guestSale), 401);
      expectProblem(
        await t.http.post('/api/v2/auth/refresh').send({ refresh_token: cashier.refreshToken }),
        401,
      );
      expectProblem(
        await t.http
          .post('/api/v2/auth/staff/login')
          .send({ phone: cashier.phone, password: cashier.password }),
        401,
      );
      await ended.until((items) => items.length === 1);
      expect((await refusal(connectDashboard(t.baseUrl, cashier.token))).data?.status).toBe(401);
      // The owner's own session and socket are untouched.
      await t.http.get(HISTORY).set(owner.auth).expect(200);
      expect(ownerSocket.connected).toBe(true);
      ownerSocket.close();

      // Enabled again: a fresh login works (the old sessions stay ended).
      await t.http.patch(`/api/v2/staff/${cashier.id}`).set(owner.auth).send({ active: true }).expect(200);
      expectProblem(await t.http.get(HISTORY).set(cashier.auth), 401);
      await t.http
        .post('/api/v2/auth/staff/login')
        .send({ phone: cashier.phone, password: cashier.password })
        .expect(200);
    });

    it('a new role ends the member’s sessions; the next login carries the new role', async () => {
      const member = await createStaff(t, owner, 'cashier');
      expectProblem(await t.http.get('/api/v2/transactions/export.csv').set(member.auth), 403);
      const changed = await t.http
        .patch(`/api/v2/staff/${member.id}`)
        .set(owner.auth)
        .send({ role: 'manager' })
        .expect(200);
      expect(changed.body.role).toBe('manager');
      expectProblem(await t.http.get(HISTORY).set(member.auth), 401);
      expectProblem(
        await t.http.post('/api/v2/auth/refresh').send({ refresh_token: member.refreshToken }),
        401,
      );
      const login = await t.http
        .post('/api/v2/auth/staff/login')
        .send({ email: member.email, password: member.password })
        .expect(200);
      expect(login.body.staff_role).toBe('manager');
      await t.http.get('/api/v2/dashboard/merchant').set(bearer(login.body.access_token)).expect(200);
      expectProblem(await t.http.patch(`/api/v2/staff/${member.id}`).set(owner.auth).send({}), 422);
    });

    it('deactivating the shop ends its staff’s sessions too; the owner changing their password does not', async () => {
      const shop = await registerMerchant(t);
      const manager = await createStaff(t, shop, 'manager');
      await t.http
        .post('/api/v2/auth/password')
        .set(shop.auth)
        .send({ current_password: shop.password, new_password: 'new-ledger-9917' })
        .expect(204);
      await t.http.get(HISTORY).set(manager.auth).expect(200);
      await t.db.query(`UPDATE merchants SET is_active = false WHERE id = $1`, [shop.id]);
      // Without the announcement the cached answer lasts a few seconds; the refresh is refused at once.
      expectProblem(
        await t.http.post('/api/v2/auth/refresh').send({ refresh_token: manager.refreshToken }),
        401,
      );
    });
  });

  describe('what each role may do', () => {
    it('a cashier records sales and payments and looks up customers, but gets 403 on exports, dashboards, analytics and staff', async () => {
      const cashier = await createStaff(t, owner, 'cashier');
      const customer = await registerUser(t);
      const bill = await t.http
        .post(CREATE)
        .set(cashier.auth)
        .send({ user_id: customer.id, amount: 100, type: 'pay_later' })
        .expect(201);
      expect(bill.body.merchant_id).toBe(owner.id);
      await t.http
        .post(`/api/v2/transactions/${bill.body.id}/settle`)
        .set(cashier.auth)
        .send({ amount: 40, payment_method: 'upi' })
        .expect(200);
      await t.http.get('/api/v2/users/lookup').set(cashier.auth).query({ phone: customer.phone }).expect(200);
      await t.http.post('/api/v2/transactions/guest-user').set(cashier.auth).send({}).expect(201);
      for (const path of [
        '/api/v2/transactions/export.csv',
        '/api/v1/dashboard/merchant',
        '/api/v2/dashboard/merchant',
        '/api/v2/dashboard/merchant/top-customers',
        '/api/v2/transactions/analytics',
        '/api/v2/staff',
        '/api/v2/auth/profile/merchant',
      ]) {
        const res = await t.http.get(path).set(cashier.auth);
        expectProblem(res, 403);
        expect(res.body.code).toBe('not-for-staff');
      }
      expectProblem(
        await t.http
          .post('/api/v2/staff')
          .set(cashier.auth)
          .send({ name: 'X', phone: uniquePhone(), role: 'manager' }),
        403,
      );
      expectProblem(
        await t.http
          .post('/api/v2/auth/password')
          .set(cashier.auth)
          .send({ current_password: 'x', new_password: 'fresh-ledger-4821' }),
        403,
      );
    });

    it('a manager may do everything but manage staff and the shop profile', async () => {
      const manager = await createStaff(t, owner, 'manager');
      const csv = await t.http.get('/api/v2/transactions/export.csv').set(manager.auth).expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      await t.http.get('/api/v2/dashboard/merchant').set(manager.auth).expect(200);
      await t.http.get('/api/v2/auth/profile/merchant').set(manager.auth).expect(200);
      expectProblem(
        await t.http.put('/api/v2/auth/profile/merchant').set(manager.auth).send({ city: 'Nashik' }),
        403,
      );
      expectProblem(await t.http.get('/api/v2/staff').set(manager.auth), 403);
      expectProblem(
        await t.http.patch(`/api/v2/staff/${manager.id}`).set(manager.auth).send({ role: 'manager' }),
        403,
      );
    });

    it("a cashier sees today's sales only, in the shop's time zone", async () => {
      // A zone far from UTC, so a UTC day would not do.
      const shop = await registerMerchant(t, { timezone: 'Pacific/Kiritimati' });
      const cashier = await createStaff(t, shop, 'cashier');
      const manager = await createStaff(t, shop, 'manager');
      const { rows } = await t.db.query(
        `SELECT date_trunc('day', now() AT TIME ZONE 'Pacific/Kiritimati') AT TIME ZONE 'Pacific/Kiritimati' AS midnight`,
      );
      const midnight: Date = rows[0].midnight;
      const yesterday = await createSale(t, shop, {
        ...guestSale,
        occurred_at: new Date(midnight.getTime() - 60_000).toISOString(),
      });
      const older = await createSale(t, shop, {
        ...guestSale,
        occurred_at: new Date(midnight.getTime() - 3 * 86_400_000).toISOString(),
      });
      const today = await createSale(t, shop, guestSale);

      const ids = (res: { body: { id: number }[] }) => res.body.map((s) => s.id);
      const cashierView = await t.http.get(HISTORY).set(cashier.auth).expect(200);
      expect(ids(cashierView)).toEqual([today.id]);
      // An explicit earlier `from` is clamped to today, not widened.
      const asked = await t.http
        .get(HISTORY)
        .set(cashier.auth)
        .query({ from: '2020-01-01T00:00:00Z' })
        .expect(200);
      expect(ids(asked)).toEqual([today.id]);
      const v1 = await t.http
        .get('/api/v1/transactions/history')
        .set(cashier.auth)
        .query({ days: 30 })
        .expect(200);
      expect(v1.body.map((s: { transaction_id: number }) => s.transaction_id)).toEqual([today.id]);
      const managerView = await t.http.get(HISTORY).set(manager.auth).expect(200);
      expect(ids(managerView)).toEqual([today.id, yesterday.id, older.id]);

      await t.http.get(`/api/v2/transactions/${today.id}`).set(cashier.auth).expect(200);
      const old = await t.http.get(`/api/v2/transactions/${yesterday.id}`).set(cashier.auth);
      expectProblem(old, 403);
      expect(old.body.code).toBe('cashier-today-only');
      await t.http.get(`/api/v2/transactions/${yesterday.id}`).set(manager.auth).expect(200);

      // The socket history is the same.
      const socket = connectDashboard(t.baseUrl, cashier.token);
      await connected(socket);
      const reply = await request<{ data: { id: number }[] }>(socket, 'get_transactions', { limit: 10 });
      expect(reply.data.map((s) => s.id)).toEqual([today.id]);
      socket.close();
    });
  });

  it('real-time events reach the shop’s staff, and only that shop’s', async () => {
    const shop = await registerMerchant(t);
    const other = await registerMerchant(t);
    const cashier = await createStaff(t, shop, 'cashier');
    const manager = await createStaff(t, shop, 'manager');
    const sockets = [connectDashboard(t.baseUrl, cashier.token), connectDashboard(t.baseUrl, manager.token)];
    await Promise.all(sockets.map((s) => connected(s)));
    const inboxes = sockets.map((s) =>
      collect<{ type: string; data: { id: number; merchant_id: number } }>(s, 'new_transaction'),
    );
    const updates = sockets.map((s) => collect<{ data: { id: number } }>(s, 'transaction_updated'));
    await createSale(t, other, guestSale);
    const sale = await createSale(t, shop, guestSale);
    // Recorded by the cashier: the manager hears it, and so does the owner's shop room.
    const bill = await t.http
      .post(CREATE)
      .set(cashier.auth)
      .send({ ...guestSale, type: 'pay_later' })
      .expect(201);
    await t.http
      .post(`/api/v2/transactions/${bill.body.id}/settle`)
      .set(manager.auth)
      .send({ payment_method: 'cash' })
      .expect(200);
    for (const inbox of inboxes) {
      const items = await inbox.until((got) => got.length >= 2);
      expect(items.map((e) => e.data.id)).toEqual([sale.id, bill.body.id]);
      expect(items.every((e) => e.data.merchant_id === shop.id)).toBe(true);
    }
    for (const inbox of updates)
      expect((await inbox.first((e) => e.data.id === bill.body.id)).data.id).toBe(bill.body.id);
    sockets.forEach((s) => s.close());
  });
});

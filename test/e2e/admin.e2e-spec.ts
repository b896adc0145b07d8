import { jest } from '@jest/globals';
import request, { type Response } from 'supertest';
import { AdminPanelService } from '../../src/modules/admin/admin-panel.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser, unique, type Account } from '../support/factories.js';
import { allTransactions, merchantTable } from '../support/transactions.js';

// The first request waits for AdminJS to load and bundle (seconds, more under Jest's ESM loader).
jest.setTimeout(120_000);

const ADMIN = { email: 'admin@graminstore.com', password: 'admin123' };
type Agent = ReturnType<typeof request.agent>;

let t: TestApp;
let ravi: Account;
let sita: Account;
let idle: Account;
let priya: Account;
let guestId: number;
let dueSaleId: number;
let oldSaleId: number;
/** Every body an admin page or API call returned, checked at the end for secrets. */
const seen: string[] = [];

function record(res: Response): Response {
  seen.push(res.text ?? JSON.stringify(res.body));
  return res;
}

async function sale(merchant: Account, body: Record<string, unknown>): Promise<number> {
  const res = await t.http.post('/api/v2/transactions/create').set(merchant.auth).send(body);
  if (res.status !== 201) throw new Error(`sale failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A cookie-keeping client that has signed in to the panel. */
async function signedIn(email = ADMIN.email, password = ADMIN.password): Promise<Agent> {
  const agent = request.agent(t.app.getHttpServer());
  const res = await agent.post('/admin/login').type('form').send({ email, password });
  expect({ status: res.status, location: res.headers.location }).toEqual({ status: 302, location: '/admin' });
  return agent;
}

async function api(agent: Agent, path: string): Promise<Response> {
  const res = record(await agent.get(`/admin/api${path}`));
  expect(res.status).toBe(200);
  return res;
}

/** Submits an AdminJS form (multipart, as the browser does). */
async function submit(agent: Agent, path: string, fields: Record<string, string>): Promise<Response> {
  let req = agent.post(`/admin/api${path}`);
  for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
  return record(await req);
}

const ids = (res: Response) => (res.body.records as { id: string }[]).map((r) => String(r.id));
const sessionCookie = (res: Response) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('graminstore_admin='));

beforeAll(async () => {
  t = await createTestApp({ env: { ADMIN_PANEL: 'true' } });
  ravi = await registerMerchant(t, {
    business_name: `Ravi Kirana ${unique()}`,
    aadhar_number: '987654321098',
  });
  sita = await registerMerchant(t, { business_name: `Sita General ${unique()}`, city: 'Jaipur' });
  idle = await registerMerchant(t, { business_name: `Idle Traders ${unique()}` });
  priya = await registerUser(t, { name: `Priya ${unique()}` });
  dueSaleId = await sale(ravi, {
    user_id: priya.id,
    amount: 250.5,
    type: 'pay_later',
    description: 'Rice 5kg',
  });
  await sale(ravi, { user_id: priya.id, amount: 99, type: 'paid', payment_method: 'upi' });
  oldSaleId = await sale(sita, {
    user_id: priya.id,
    amount: 40,
    type: 'paid',
    payment_method: 'cash',
    occurred_at: new Date(Date.now() - 20 * 86_400_000).toISOString(),
  });
  const guest = await t.http.post('/api/v2/transactions/guest-user').set(sita.auth).send({});
  guestId = guest.body.id;
  await sale(sita, { is_guest_transaction: true, guest_user_id: guestId, amount: 15, type: 'paid' });
  // The panel loads in the background once the server listens; wait for it here, not in a test.
  await t.app.get(AdminPanelService).ready();
});

afterAll(async () => {
  await t?.close();
});

describe('signing in to /admin', () => {
  it('redirects to the login page without a session, and the login page has a strict CSP', async () => {
    const res = await t.http.get('/admin');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/admin/login');
    const data = await t.http.get('/admin/api/resources/merchants/actions/list');
    expect(data.status).toBe(302);
    expect(data.text).not.toContain('Kirana');

    const login = await t.http.get('/admin/login');
    expect(login.status).toBe(200);
    expect(login.text).toContain('AdminJS.LoginApplication');
    const csp = String(login.headers['content-security-policy']);
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    // Every inline script carries this response's nonce, and no third-party font is linked.
    expect(login.text.match(/<script>/g)).toBeNull();
    expect(login.text).toContain(`<script nonce="${nonce}">`);
    expect(login.text).not.toContain('fonts.googleapis.com');
    expect(login.headers['cache-control']).toBe('no-store');
  });

  it('reads its own form bodies: the API’s body parsers never see an /admin request', async () => {
    // Over the urlencoded parser's 100 kB limit: had that parser run first, this would be a 413.
    const padding = 'x'.repeat(200_000);
    const agent = request.agent(t.app.getHttpServer());
    const res = await agent
      .post('/admin/login')
      .type('form')
      .send({ ...ADMIN, padding });
    expect({ status: res.status, location: res.headers.location }).toEqual({
      status: 302,
      location: '/admin',
    });
    // The same size on the API is refused by the parser, as before.
    const api = await t.http
      .post('/api/v2/auth/login/merchant')
      .type('form')
      .send({ ...ADMIN, padding });
    expect(api.status).toBe(413);
  });

  it('gives no session for a wrong password or an unknown admin', async () => {
    for (const attempt of [
      { email: ADMIN.email, password: 'wrong-password' },
      { email: 'nobody@graminstore.com', password: ADMIN.password },
      { email: ADMIN.email, password: '' },
    ]) {
      const agent = request.agent(t.app.getHttpServer());
      const res = await agent.post('/admin/login').type('form').send(attempt);
      expect(res.status).toBe(200);
      expect(sessionCookie(res)).toBeUndefined();
      expect(res.text).toContain('invalidCredentials');
      const after = await agent.get('/admin');
      expect(after.status).toBe(302);
      expect(after.headers.location).toBe('/admin/login');
    }
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM admin_audit_log WHERE action = 'login' AND outcome = 'rejected'`,
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(3);
  });

  it('gives a session for the right password: an httpOnly, SameSite=Lax cookie on /admin, kept in PostgreSQL', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const res = await agent.post('/admin/login').type('form').send(ADMIN);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/admin');
    const cookie = sessionCookie(res)!;
    expect(cookie).toMatch(/; Path=\/admin(;|$)/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/; Secure/); // Secure only in production
    const sid = decodeURIComponent(cookie.split(';')[0].split('=')[1]).slice(2).split('.')[0];
    const { rows } = await t.db.query(`SELECT sess FROM admin_sessions WHERE sid = $1`, [sid]);
    expect(rows[0].sess.adminUser).toMatchObject({ email: ADMIN.email });

    const home = record(await agent.get('/admin'));
    expect(home.status).toBe(200);
    expect(home.text).toContain('REDUX_STATE');
  });

  it('ends the session server-side on logout', async () => {
    const agent = await signedIn();
    const before = await t.db.query(`SELECT sid FROM admin_sessions`);
    const out = await agent.get('/admin/logout');
    expect(out.status).toBe(302);
    expect(out.headers.location).toBe('/admin/login');
    const after = await t.db.query(`SELECT sid FROM admin_sessions`);
    expect(after.rows.length).toBe(before.rows.length - 1);
    const again = await agent.get('/admin/api/resources/merchants/actions/list');
    expect(again.status).toBe(302);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM admin_audit_log WHERE action = 'logout' AND admin_email = $1`,
      [ADMIN.email],
    );
    expect(rows[0].n).toBe(1);
  });
});

describe('resources', () => {
  let admin: Agent;
  beforeAll(async () => {
    admin = await signedIn();
  });

  it('lists merchants from the database, with filters, and the Aadhaar number only as its last 4 digits', async () => {
    const list = await api(admin, '/resources/merchants/actions/list?perPage=100');
    expect(ids(list)).toEqual(expect.arrayContaining([ravi, sita, idle].map((m) => String(m.id))));
    const row = list.body.records.find((r: { id: number }) => r.id === ravi.id).params;
    expect(row).toMatchObject({ email: ravi.email, aadhar_last_4: '1098' });
    expect(row).not.toHaveProperty('aadhar_number');
    expect(row).not.toHaveProperty('password_hash');

    const byEmail = await api(
      admin,
      `/resources/merchants/actions/list?filters.email=${ravi.email.toUpperCase()}`,
    );
    expect(ids(byEmail)).toEqual([String(ravi.id)]);
    const byCity = await api(admin, '/resources/merchants/actions/list?filters.city=jaipur');
    expect(ids(byCity)).toContain(String(sita.id));
    expect(ids(byCity)).not.toContain(String(ravi.id));
    // A LIKE wildcard is matched literally.
    const wildcard = await api(admin, '/resources/merchants/actions/list?filters.email=%25');
    expect(ids(wildcard)).toEqual([]);
  });

  it('lists customers and guest buyers', async () => {
    const users = await api(
      admin,
      `/resources/users/actions/list?filters.phone=${encodeURIComponent(priya.phone)}`,
    );
    expect(ids(users)).toEqual([String(priya.id)]);
    expect(users.body.records[0].params).not.toHaveProperty('password_hash');
    const guests = await api(admin, `/resources/guest_users/actions/list?filters.merchant_id=${sita.id}`);
    expect(ids(guests)).toEqual([String(guestId)]);
    expect(guests.body.records[0].populated.merchant_id.title).toContain('Sita General');
  });

  it('browses every merchant’s transactions, filtered by merchant, customer, type, status and date', async () => {
    const all = await api(admin, '/resources/transactions/actions/list?perPage=50');
    expect(all.body.meta.total).toBe(4);
    expect(ids(all)).toEqual(expect.arrayContaining([`${ravi.id}-${dueSaleId}`, `${sita.id}-${oldSaleId}`]));
    const due = all.body.records.find((r: { id: string }) => r.id === `${ravi.id}-${dueSaleId}`);
    expect(due.params).toMatchObject({ amount: '250.50', type: 'pay_later', status: 'due', paid: '0.00' });
    expect(due.populated.merchant_id.title).toMatch(/^Ravi Kirana /);
    expect(due.populated.user_id.title).toContain('Priya');

    const q = (filters: string) => api(admin, `/resources/transactions/actions/list?perPage=50&${filters}`);
    expect((await q(`filters.merchant_id=${sita.id}`)).body.meta.total).toBe(2);
    expect((await q(`filters.user_id=${priya.id}`)).body.meta.total).toBe(3);
    expect((await q(`filters.guest_user_id=${guestId}`)).body.meta.total).toBe(1);
    expect(ids(await q('filters.type=pay_later'))).toEqual([`${ravi.id}-${dueSaleId}`]);
    expect(ids(await q(`filters.status=due&filters.merchant_id=${ravi.id}`))).toEqual([
      `${ravi.id}-${dueSaleId}`,
    ]);
    const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const old = await q(`filters.occurred_at~~to=${encodeURIComponent(weekAgo)}`);
    expect(ids(old)).toEqual([`${sita.id}-${oldSaleId}`]);
    expect((await q(`filters.occurred_at~~from=${encodeURIComponent(weekAgo)}`)).body.meta.total).toBe(3);
    expect((await q('filters.status=not-a-status')).body.meta.total).toBe(0);
    expect((await q(`filters.merchant_id=${encodeURIComponent('1 OR 1=1')}`)).body.meta.total).toBe(0);

    const show = await api(admin, `/resources/transactions/records/${ravi.id}-${dueSaleId}/show`);
    expect(show.body.record.params).toMatchObject({ id: String(dueSaleId), description: 'Rice 5kg' });
  });

  it('lists every merchant’s transactions without opening a merchant’s table', async () => {
    // Another session holds both shops' tables exclusively: a page that read them would wait.
    const conn = await t.db.connect();
    try {
      await conn.query('BEGIN');
      await conn.query(
        `LOCK TABLE ${merchantTable(ravi.id)}, ${merchantTable(sita.id)} IN ACCESS EXCLUSIVE MODE`,
      );
      const page = record(
        await admin.get('/admin/api/resources/transactions/actions/list?perPage=50').timeout(5_000),
      );
      expect(page.status).toBe(200);
      const due = page.body.records.find((r: { id: string }) => r.id === `${ravi.id}-${dueSaleId}`);
      expect(due.params).toMatchObject({ amount: '250.50', type: 'pay_later', status: 'due', paid: '0.00' });
      // Across merchants a status filter is answered by the index too.
      const open = record(
        await admin
          .get('/admin/api/resources/transactions/actions/list?perPage=50&filters.status=due')
          .timeout(5_000),
      );
      expect(open.body.records.map((r: { id: string }) => r.id)).toEqual([`${ravi.id}-${dueSaleId}`]);
    } finally {
      await conn.query('ROLLBACK');
      conn.release();
    }
  });

  it('keeps transactions read-only', async () => {
    const before = await t.db.query(`SELECT amount_paise FROM ${await allTransactions(t.db)} WHERE id = $1`, [
      dueSaleId,
    ]);
    const edit = await submit(admin, `/resources/transactions/records/${ravi.id}-${dueSaleId}/edit`, {
      description: 'changed',
    });
    expect(edit.body.record.baseError.type).toBe('ForbiddenError');
    const del = await submit(admin, `/resources/transactions/records/${ravi.id}-${dueSaleId}/delete`, {});
    expect(del.body.record.baseError.type).toBe('ForbiddenError');
    const created = await submit(admin, '/resources/transactions/actions/new', { amount: '1' });
    expect(created.body.record.baseError.type).toBe('ForbiddenError');
    const after = await t.db.query(
      `SELECT amount_paise, description FROM ${await allTransactions(t.db)} WHERE id = $1`,
      [dueSaleId],
    );
    expect(after.rows[0]).toEqual({ ...before.rows[0], description: 'Rice 5kg' });
    expect(
      Number((await t.db.query(`SELECT count(*) FROM ${await allTransactions(t.db)}`)).rows[0].count),
    ).toBe(4);
  });

  it('saves an edit to the database, through each field’s rule (NFKC emails, as at registration), and ignores fields that are not editable', async () => {
    const res = await submit(admin, `/resources/merchants/records/${ravi.id}/edit`, {
      city: 'Mumbai',
      email: ` Ravi.${unique()}@\uFF25xample.COM `,
      password_hash: 'not-a-hash',
      aadhar_number: '111111111111',
      id: String(sita.id),
    });
    expect(res.body.notice).toEqual({ message: 'successfullyUpdated', type: 'success' });
    const { rows } = await t.db.query(
      `SELECT id, city, email, password_hash, aadhar_number, updated_at > created_at AS touched FROM merchants WHERE id = ANY($1)`,
      [[ravi.id, sita.id]],
    );
    const saved = rows.find((r) => r.id === ravi.id);
    expect(saved).toMatchObject({ city: 'Mumbai', aadhar_number: '987654321098', touched: true });
    expect(saved.email).toMatch(/^ravi\.[a-z0-9]+@example\.com$/);
    expect(saved.password_hash).toMatch(/^\$2[aby]\$/);
    expect(rows.find((r) => r.id === sita.id).city).toBe('Jaipur');
    // The merchant can still sign in with their password.
    const login = await t.http
      .post('/api/v2/auth/login/merchant')
      .send({ email: saved.email, password: ravi.password });
    expect(login.status).toBe(200);

    const audit = await t.db.query(
      `SELECT admin_email, details FROM admin_audit_log WHERE action = 'edit' AND resource = 'merchants' AND record_id = $1 AND outcome = 'ok'`,
      [String(ravi.id)],
    );
    expect(audit.rows).toEqual([{ admin_email: ADMIN.email, details: { changed: ['email', 'city'] } }]);
  });

  it('refuses an invalid edit field by field, and a taken email, leaving the database as it was', async () => {
    const before = (await t.db.query(`SELECT * FROM users WHERE id = $1`, [priya.id])).rows[0];
    const bad = await submit(admin, `/resources/users/records/${priya.id}/edit`, {
      email: 'not-an-email',
      phone: '12',
      name: '',
    });
    expect(Object.keys(bad.body.record.errors).sort()).toEqual(['email', 'name', 'phone']);
    expect(bad.body.notice.type).toBe('error');
    // The rule of registration: a look-alike (a Cyrillic "а" among Latin letters) is refused.
    const lookAlike = await submit(admin, `/resources/users/records/${priya.id}/edit`, {
      email: `priy\u0430.${unique()}@example.com`,
    });
    expect(lookAlike.body.record.errors.email.message).toMatch(/several alphabets/);
    const other = await registerUser(t);
    const taken = await submit(admin, `/resources/users/records/${priya.id}/edit`, { email: other.email });
    expect(taken.body.record.errors.email.message).toMatch(/already used/);
    const after = (await t.db.query(`SELECT * FROM users WHERE id = $1`, [priya.id])).rows[0];
    expect(after).toEqual(before);
  });

  it('re-checks only the fields that changed, as the form sends every field back', async () => {
    const legacy = await registerUser(t);
    // Stored before today's rules: still editable.
    await t.db.query(`UPDATE users SET phone = '98765-43210 (home)' WHERE id = $1`, [legacy.id]);
    const form = (await api(admin, `/resources/users/records/${legacy.id}/show`)).body.record.params;
    const res = await submit(admin, `/resources/users/records/${legacy.id}/edit`, {
      ...Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v === null ? '' : String(v)])),
      city: 'Nashik',
    });
    expect(res.body.notice.type).toBe('success');
    const { rows } = await t.db.query(`SELECT phone, city FROM users WHERE id = $1`, [legacy.id]);
    expect(rows[0]).toEqual({ phone: '98765-43210 (home)', city: 'Nashik' });
  });

  it('deletes only what nothing depends on', async () => {
    const refused = await submit(admin, `/resources/merchants/records/${ravi.id}/delete`, {});
    expect(refused.body.notice).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/has transactions/),
    });
    const userRefused = await submit(admin, `/resources/users/records/${priya.id}/delete`, {});
    expect(userRefused.body.notice.type).toBe('error');
    const guestRefused = await submit(admin, `/resources/guest_users/records/${guestId}/delete`, {});
    expect(guestRefused.body.notice.type).toBe('error');
    const still = await t.db.query(
      `SELECT (SELECT count(*)::int FROM merchants WHERE id = $1) AS m, (SELECT count(*)::int FROM users WHERE id = $2) AS u,
              (SELECT count(*)::int FROM guest_users WHERE id = $3) AS g`,
      [ravi.id, priya.id, guestId],
    );
    expect(still.rows[0]).toEqual({ m: 1, u: 1, g: 1 });

    // A merchant with no sales goes, with their (empty) table and tokens.
    const deleted = await submit(admin, `/resources/merchants/records/${idle.id}/delete`, {});
    expect(deleted.body.notice).toEqual({ message: 'successfullyDeleted', type: 'success' });
    const gone = await t.db.query(
      `SELECT (SELECT count(*)::int FROM merchants WHERE id = $1) AS m, to_regclass($2) AS tbl,
              (SELECT count(*)::int FROM refresh_tokens WHERE subject_role = 'merchant' AND subject_id = $1) AS tokens`,
      [idle.id, `transaction_${idle.id}`],
    );
    expect(gone.rows[0]).toEqual({ m: 0, tbl: null, tokens: 0 });
    // Nobody can delete admins or transactions from the panel.
    const adminDelete = await submit(admin, '/resources/admins/records/1/delete', {});
    expect(adminDelete.body.record.baseError.type).toBe('ForbiddenError');
  });

  it('deletes customers and merchants quickly when there are many merchants, and never under a sale', async () => {
    const shops = await Promise.all(Array.from({ length: 6 }, () => registerMerchant(t)));
    const buyer = await registerUser(t);
    for (const shop of shops.slice(0, 3)) await sale(shop, { user_id: buyer.id, amount: 3, type: 'paid' });
    // A customer who bought at three of the shops stays; one who bought nowhere goes.
    const kept = await submit(admin, `/resources/users/records/${buyer.id}/delete`, {});
    expect(kept.body.notice.message).toMatch(/has transactions/);
    const idleBuyer = await registerUser(t);
    const started = Date.now();
    const gone = await submit(admin, `/resources/users/records/${idleBuyer.id}/delete`, {});
    expect(gone.body.notice.type).toBe('success');
    expect(Date.now() - started).toBeLessThan(10_000);
    // Shops without sales go one after another; the others stay with their tables.
    for (const shop of shops.slice(3)) {
      const res = await submit(admin, `/resources/merchants/records/${shop.id}/delete`, {});
      expect(res.body.notice.type).toBe('success');
    }
    const left = await t.db.query(
      `SELECT count(*)::int AS n FROM merchant_tables WHERE merchant_id = ANY($1::int[])`,
      [shops.map((s) => s.id)],
    );
    expect(left.rows[0].n).toBe(3);
    // A sale racing the delete of its customer: either the sale is written and the delete refused,
    // or the customer is gone and the sale refused; never a sale for a deleted customer.
    const racer = await registerUser(t);
    const [create, del] = await Promise.all([
      t.http
        .post('/api/v2/transactions/create')
        .set(shops[0].auth)
        .send({ user_id: racer.id, amount: 2, type: 'paid' }),
      submit(admin, `/resources/users/records/${racer.id}/delete`, {}),
    ]);
    const user = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE id = $1`, [racer.id]);
    const sales = await t.db.query(`SELECT count(*)::int AS n FROM transaction_index WHERE user_id = $1`, [
      racer.id,
    ]);
    if (create.status === 201) {
      expect(del.body.notice.type).toBe('error');
      expect(user.rows[0].n).toBe(1);
      expect(sales.rows[0].n).toBe(1);
    } else {
      expect(create.status).toBe(422);
      expect(user.rows[0].n).toBe(0);
      expect(sales.rows[0].n).toBe(0);
    }
  });

  it('shows system totals on the dashboard', async () => {
    const res = await api(admin, '/dashboard');
    const { rows } = await t.db.query(
      `SELECT (SELECT count(*)::int FROM merchants) AS merchants, (SELECT count(*)::int FROM users) AS users,
              (SELECT count(*)::int FROM ${await allTransactions(t.db)} WHERE occurred_at >= $1 AND occurred_at < $2) AS today,
              (SELECT coalesce(sum(amount_paise - paid_paise), 0)::int FROM ${await allTransactions(t.db)} WHERE status <> 'paid') AS due`,
      [res.body.today.from, res.body.today.to],
    );
    expect(res.body).toMatchObject({
      timezone: 'Asia/Kolkata',
      merchants: { total: rows[0].merchants },
      users: rows[0].users,
      today: { transactions: rows[0].today },
      outstanding: { bills: 1, amount: 250.5, amount_paise: rows[0].due },
    });
    expect(rows[0].today).toBeGreaterThanOrEqual(2);
    // Today is the local day in India: it starts at 18:30 UTC and lasts 24 hours.
    expect(res.body.today.from).toMatch(/T18:30:00\.000Z$/);
    expect(Date.parse(res.body.today.to) - Date.parse(res.body.today.from)).toBe(86_400_000);
  });

  it('serves the bundle of its own components', async () => {
    const res = await admin.get('/admin/frontend/assets/components.bundle.js');
    expect(res.status).toBe(200);
    expect(res.text).toContain('AdminJS.UserComponents.Dashboard');
  });

  it('audits every action: who, what, when', async () => {
    const { rows } = await t.db.query(
      `SELECT action, resource, admin_email, occurred_at FROM admin_audit_log WHERE admin_email = $1`,
      [ADMIN.email],
    );
    const actions = new Set(rows.map((r) => `${r.action}:${r.resource ?? ''}`));
    for (const a of [
      'login:',
      'list:merchants',
      'list:transactions',
      'show:transactions',
      'edit:merchants',
      'delete:merchants',
      'dashboard:',
    ])
      expect(actions).toContain(a);
    expect(rows.every((r) => r.occurred_at instanceof Date)).toBe(true);
  });
});

describe('admins', () => {
  let admin: Agent;
  const second = {
    name: 'Second Admin',
    email: `second.${unique()}@graminstore.com`,
    password: 'second-admin-pass',
  };
  let secondId: number;

  beforeAll(async () => {
    admin = await signedIn();
  });

  it('hashes a new admin’s password and never shows it', async () => {
    const short = await submit(admin, '/resources/admins/actions/new', { ...second, password: 'short' });
    expect(short.body.record.errors.password.message).toMatch(/at least 10 characters/);
    expect(short.text).not.toContain('short"');

    const res = await submit(admin, '/resources/admins/actions/new', second);
    expect(res.body.notice.type).toBe('success');
    expect(res.body.record.params).not.toHaveProperty('password');
    expect(res.text).not.toContain(second.password);
    secondId = res.body.record.params.id;
    const { rows } = await t.db.query(`SELECT password_hash, is_active FROM admins WHERE id = $1`, [
      secondId,
    ]);
    expect(rows[0].password_hash).toMatch(/^\$2[aby]\$/);
    expect(rows[0].is_active).toBe(true);
    await signedIn(second.email, second.password);
  });

  it('changes a password only when a new one is given', async () => {
    const { rows: before } = await t.db.query(`SELECT password_hash FROM admins WHERE id = $1`, [secondId]);
    await submit(admin, `/resources/admins/records/${secondId}/edit`, { name: 'Renamed', password: '' });
    const { rows: kept } = await t.db.query(`SELECT name, password_hash FROM admins WHERE id = $1`, [
      secondId,
    ]);
    expect(kept[0]).toEqual({ name: 'Renamed', password_hash: before[0].password_hash });
    const theirs = await signedIn(second.email, second.password);
    expect((await theirs.get('/admin')).status).toBe(200);
    const res = await submit(admin, `/resources/admins/records/${secondId}/edit`, {
      password: 'a-brand-new-pass',
    });
    expect(res.body.notice.type).toBe('success');
    expect(res.text).not.toContain('a-brand-new-pass');
    // A new password ends that admin's sessions.
    expect((await theirs.get('/admin')).headers.location).toBe('/admin/login');
    await signedIn(second.email, 'a-brand-new-pass');
  });

  it('lets only the super-admin manage admins', async () => {
    const theirs = await signedIn(second.email, 'a-brand-new-pass');
    const sneaky = `sneaky.${unique()}@graminstore.com`;
    const created = await submit(theirs, '/resources/admins/actions/new', {
      name: 'Sneaky',
      email: sneaky,
      password: 'sneaky-admin-pass',
    });
    expect(JSON.stringify(created.body)).toContain('Only a super-admin manages admins.');
    expect((await t.db.query(`SELECT 1 FROM admins WHERE email = $1`, [sneaky])).rowCount).toBe(0);
    const { rows } = await t.db.query(`SELECT id, password_hash FROM admins WHERE email = $1`, [ADMIN.email]);
    const takeover = await submit(theirs, `/resources/admins/records/${rows[0].id}/edit`, {
      password: 'taken-over-pass-1',
    });
    expect(JSON.stringify(takeover.body)).toContain('Only a super-admin manages admins.');
    const { rows: after } = await t.db.query(`SELECT password_hash FROM admins WHERE id = $1`, [rows[0].id]);
    expect(after[0].password_hash).toBe(rows[0].password_hash);
    // Customers and merchants are still theirs to manage.
    const edit = await submit(theirs, `/resources/users/records/${priya.id}/edit`, { city: 'Nashik' });
    expect(edit.body.notice.type).toBe('success');
  });

  it('ends a deactivated admin’s sessions, and an admin cannot deactivate themselves', async () => {
    const theirs = await signedIn(second.email, 'a-brand-new-pass');
    expect((await theirs.get('/admin')).status).toBe(200);
    const { rows } = await t.db.query(`SELECT id FROM admins WHERE email = $1`, [ADMIN.email]);
    const self = await submit(admin, `/resources/admins/records/${rows[0].id}/edit`, { is_active: 'false' });
    expect(self.body.record.errors.is_active.message).toMatch(/yourself/);

    await submit(admin, `/resources/admins/records/${secondId}/edit`, { is_active: 'false' });
    const after = await theirs.get('/admin');
    expect(after.status).toBe(302);
    expect(after.headers.location).toBe('/admin/login');
    const retry = await request
      .agent(t.app.getHttpServer())
      .post('/admin/login')
      .type('form')
      .send({ email: second.email, password: 'a-brand-new-pass' });
    expect(sessionCookie(retry)).toBeUndefined();
  });

  it('refuses sign-in for a while after 10 failures for one account', async () => {
    const third = {
      name: 'Third Admin',
      email: `third.${unique()}@graminstore.com`,
      password: 'third-admin-pass',
    };
    expect((await submit(admin, '/resources/admins/actions/new', third)).body.notice.type).toBe('success');
    for (let i = 0; i < 10; i++)
      await t.http
        .post('/admin/login')
        .type('form')
        .send({ email: third.email, password: `guess-${i}` });
    const res = await t.http.post('/admin/login').type('form').send(third);
    expect(res.status).toBe(400);
    expect(res.text).toContain('tooManyRequests');
    expect(sessionCookie(res)).toBeUndefined();
    // Other accounts are not affected.
    await signedIn();
  });

  it('never puts a password hash or a full Aadhaar number in any admin response', async () => {
    // Visit every resource's list and record pages once more, then look through everything seen.
    for (const resource of [
      'merchants',
      'users',
      'guest_users',
      'transactions',
      'admins',
      'admin_audit_log',
    ]) {
      const list = await api(admin, `/resources/${resource}/actions/list?perPage=100`);
      for (const id of ids(list).slice(0, 3)) await api(admin, `/resources/${resource}/records/${id}/show`);
      record(await admin.get(`/admin/resources/${resource}`));
    }
    await api(admin, '/resources/merchants/actions/search/Kirana');
    await api(admin, '/resources/admins/actions/search/');
    const secrets = await t.db.query(
      `SELECT password_hash AS s FROM merchants UNION ALL SELECT password_hash FROM users
       UNION ALL SELECT password_hash FROM admins UNION ALL SELECT aadhar_number FROM merchants WHERE aadhar_number IS NOT NULL`,
    );
    expect(secrets.rows.length).toBeGreaterThan(5);
    const everything = seen.join('\n');
    expect(seen.length).toBeGreaterThan(40);
    for (const { s } of secrets.rows) expect(everything).not.toContain(s);
    expect(everything).not.toMatch(/\$2[aby]\$\d\d\$/);
    expect(everything).not.toMatch(/password_hash|aadhar_number/);
  });
});

describe('ADMIN_PANEL=false', () => {
  it('leaves /admin out entirely', async () => {
    const off = await createTestApp({ database: t.database });
    try {
      const res = await off.http.get('/admin/login');
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('REDUX_STATE');
      expect(res.headers['content-security-policy']).not.toContain('nonce-');
    } finally {
      await off.close();
    }
  });
});

describe('one login limit for every way in', () => {
  it('counts REST admin logins and panel sign-ins against the same account limit', async () => {
    const email = `ghost.${unique()}@graminstore.com`;
    for (let i = 0; i < 10; i++)
      expect(
        (await t.http.post('/api/v2/auth/login/admin').send({ email, password: `guess-${i}` })).status,
      ).toBe(401);
    const res = await t.http
      .post('/admin/login')
      .type('form')
      .send({ email: email.toUpperCase(), password: 'guess-10' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('tooManyRequests');
  });
});

describe('same-origin changes only', () => {
  it('refuses a cross-site form post that rides on an admin session, and accepts the panel’s own', async () => {
    const admin = await signedIn();
    const before = (await t.db.query(`SELECT name FROM users WHERE id = $1`, [priya.id])).rows[0].name;
    for (const headers of [
      { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'https://evil.example' },
      { 'Sec-Fetch-Site': 'same-site' },
      { Origin: 'null' },
    ]) {
      const res = await admin
        .post(`/admin/api/resources/users/records/${priya.id}/edit`)
        .set(headers)
        .type('form')
        .send({ name: 'Hijacked' });
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const login = await t.http
      .post('/admin/login')
      .set({ Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' })
      .type('form')
      .send(ADMIN);
    expect(login.status).toBe(403);
    expect((await t.db.query(`SELECT name FROM users WHERE id = $1`, [priya.id])).rows[0].name).toBe(before);

    const own = await admin
      .post(`/admin/api/resources/users/records/${priya.id}/edit`)
      .set({ 'Sec-Fetch-Site': 'same-origin' })
      .field('name', `${before} Jr`);
    expect(own.body.notice.type).toBe('success');
  });
});

import type { TestingModuleBuilder } from '@nestjs/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Clock } from '../../src/common/time/clock.js';
import { ReminderScheduler } from '../../src/modules/reminders/reminder-scheduler.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestClock } from '../support/clock.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';
import { createSale } from '../support/sales.js';

/** 10:00 in Kolkata on a day after today, so every sale of the test lies before it. */
function morningIst(daysAhead: number, hour = 10, minute = 0): Date {
  const d = new Date();
  const at = new Date(
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + daysAhead, hour, minute),
  );
  return new Date(at.getTime() - 330 * 60_000); // IST is UTC+05:30
}

/** Polls `check` until it returns a value (bounded, so a broken queue fails the test instead of hanging). */
async function waitFor<T>(check: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

interface Gateway {
  url: string;
  received: string[];
  server: Server;
  close(): Promise<void>;
}

/** A small SMS gateway on a free port, answering with `status(n)` for the n-th request (from 1). */
async function gateway(status: (n: number) => number): Promise<Gateway> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      res.statusCode = status(received.length);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    received,
    server,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const clock = createTestClock();
const QUEUE_ENV = { JOB_QUEUE: 'true', JOB_QUEUE_POLL_SECONDS: '1' };

describe('payment reminders (/api/v2)', () => {
  let t: TestApp;
  let merchant: Account;

  beforeAll(async () => {
    t = await createTestApp({ env: QUEUE_ENV, override: (b) => b.overrideProvider(Clock).useValue(clock) });
  });
  afterAll(async () => {
    clock.at = null;
    await t.close();
  });
  beforeEach(async () => {
    clock.at = morningIst(1);
    merchant = await registerMerchant(t, { business_name: 'Sharma Kirana' });
  });

  async function customerOwing(amount: number, overrides: Record<string, unknown> = {}) {
    const user = await registerUser(t, overrides);
    const sale = await createSale(t, merchant, { user_id: user.id, amount, type: 'pay_later' });
    const { rows } = await t.db.query(
      'SELECT id FROM customer_accounts WHERE merchant_id = $1 AND user_id = $2',
      [merchant.id, user.id],
    );
    return { user, accountId: Number(rows[0].id), saleId: Number(sale.id) };
  }

  const remindersOf = async (accountId: number) =>
    (
      await t.db.query(
        'SELECT id, state, reason, source, channel, attempts, detail FROM reminders WHERE account_id = $1 ORDER BY id',
        [accountId],
      )
    ).rows;

  describe('POST /customers/{id}/reminders', () => {
    it('composes the reminder in English with the amount in Indian grouping, the links, and stores it', async () => {
      const { user, accountId } = await customerOwing(124000.5);
      const res = await t.http.post(`/api/v2/customers/${accountId}/reminders`).set(merchant.auth);
      expect(res.status).toBe(201);
      expect(res.body.language).toBe('en');
      expect(res.body.text).toContain('Sharma Kirana');
      expect(res.body.text).toContain('₹1,24,000.50');
      const digits = user.phone.slice(1);
      expect(res.body.whatsapp_url).toBe(`https://wa.me/${digits}?text=${encodeURIComponent(res.body.text)}`);
      expect(res.body.sms_url).toBe(`sms:${user.phone}?body=${encodeURIComponent(res.body.text)}`);
      expect(res.body.reminder).toMatchObject({
        customer_id: accountId,
        source: 'manual',
        state: 'sent',
        channel: 'merchant_app',
        amount: 124000.5,
        amount_paise: 12400050,
        recorded_by: null,
        local_date: morningIst(1).toISOString().slice(0, 10),
        text: res.body.text,
      });
      expect(await remindersOf(accountId)).toEqual([
        expect.objectContaining({ state: 'sent', source: 'manual', channel: 'merchant_app' }),
      ]);
    });

    it('carries the UPI link for the account’s due once the shop has a UPI address', async () => {
      const { accountId } = await customerOwing(250);
      const before = await t.http.post(`/api/v2/customers/${accountId}/reminders`).set(merchant.auth);
      expect(before.status).toBe(201);
      expect(before.body.reminder.upi_link).toBeNull();
      const other = await customerOwing(250);
      await t.http
        .put('/api/v2/auth/profile/merchant')
        .set(merchant.auth)
        .send({ upi_vpa: 'sharmakirana@oksbi' })
        .expect(200);
      const res = await t.http.post(`/api/v2/customers/${other.accountId}/reminders`).set(merchant.auth);
      expect(res.status).toBe(201);
      const link = `upi://pay?pa=sharmakirana@oksbi&pn=Sharma%20Kirana&am=250.00&cu=INR`;
      expect(res.body.reminder.upi_link).toContain(link);
      expect(res.body.reminder.upi_link).toContain(`&tr=GSA${other.accountId}`);
      expect(res.body.text).toContain(res.body.reminder.upi_link);
      await t.http
        .put('/api/v2/auth/profile/merchant')
        .set(merchant.auth)
        .send({ upi_vpa: null })
        .expect(200);
    });

    it('takes the reminder language and zone in the v2 profile only (v1 ignores them)', async () => {
      const { user } = await customerOwing(10);
      const v1 = await t.http
        .put('/api/v1/auth/profile/user')
        .set(user.auth)
        .send({ preferred_language: 'hi', timezone: 'Asia/Dubai', city: 'Pune' });
      expect(v1.status).toBe(200);
      const after = await t.http.get('/api/v2/auth/profile/user').set(user.auth).expect(200);
      expect(after.body).toMatchObject({ city: 'Pune', preferred_language: null, timezone: null });
      await t.http
        .put('/api/v2/auth/profile/user')
        .set(user.auth)
        .send({ preferred_language: 'hi' })
        .expect(200);
      const v2 = await t.http.get('/api/v2/auth/profile/user').set(user.auth).expect(200);
      expect(v2.body).toMatchObject({ preferred_language: 'hi' });
    });

    it('writes Hindi for Accept-Language hi, and the customer’s stored choice wins over the header', async () => {
      const a = await customerOwing(500);
      const hi = await t.http
        .post(`/api/v2/customers/${a.accountId}/reminders`)
        .set(merchant.auth)
        .set('Accept-Language', 'hi-IN,hi;q=0.9,en;q=0.8');
      expect(hi.status).toBe(201);
      expect(hi.body.language).toBe('hi');
      expect(hi.body.text).toContain('Sharma Kirana पर आपका ₹500 बकाया है।');

      const b = await customerOwing(750);
      const profile = await t.http
        .put('/api/v2/auth/profile/user')
        .set(b.user.auth)
        .send({ preferred_language: 'hi', timezone: 'Asia/Kolkata' });
      expect(profile.status).toBe(200);
      expect(profile.body).toMatchObject({ preferred_language: 'hi', timezone: 'Asia/Kolkata' });
      const res = await t.http
        .post(`/api/v2/customers/${b.accountId}/reminders`)
        .set(merchant.auth)
        .set('Accept-Language', 'en');
      expect(res.body.language).toBe('hi');
      expect(res.body.text).toContain('₹750');
    });

    it('refuses a second reminder the same day, a customer with nothing due, and others’ accounts', async () => {
      const { accountId } = await customerOwing(100);
      expect((await t.http.post(`/api/v2/customers/${accountId}/reminders`).set(merchant.auth)).status).toBe(
        201,
      );
      const again = await t.http.post(`/api/v2/customers/${accountId}/reminders`).set(merchant.auth);
      expectProblem(again, 409);
      expect(again.body.code).toBe('already-reminded-today');

      const paid = await registerUser(t);
      await createSale(t, merchant, { user_id: paid.id, amount: 10, type: 'paid', payment_method: 'cash' });
      const { rows } = await t.db.query(
        'SELECT id FROM customer_accounts WHERE merchant_id = $1 AND user_id = $2',
        [merchant.id, paid.id],
      );
      const none = await t.http.post(`/api/v2/customers/${rows[0].id}/reminders`).set(merchant.auth);
      expectProblem(none, 409);
      expect(none.body.code).toBe('nothing-due');

      const other = await registerMerchant(t);
      expectProblem(await t.http.post(`/api/v2/customers/${accountId}/reminders`).set(other.auth), 404);
      const customer = await registerUser(t);
      expectProblem(await t.http.post(`/api/v2/customers/${accountId}/reminders`).set(customer.auth), 403);
    });
  });

  describe('scheduled reminders', () => {
    it('reminds every N days on the queue, never in quiet hours, at most once a day, and lists each state', async () => {
      const scheduler = t.app.get(ReminderScheduler);
      const { accountId } = await customerOwing(300);
      const put = await t.http
        .put(`/api/v2/customers/${accountId}/reminder-schedule`)
        .set(merchant.auth)
        .send({ every_days: 3 });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ customer_id: accountId, every_days: 3, active: true });

      await scheduler.tick();
      await waitFor(async () => (await remindersOf(accountId))[0]?.state === 'sent', 'the first reminder');
      expect(await remindersOf(accountId)).toEqual([
        expect.objectContaining({ state: 'sent', source: 'schedule', channel: 'recorded' }),
      ]);

      // Two days on: not due yet.
      clock.at = morningIst(3);
      await scheduler.tick();
      expect(await remindersOf(accountId)).toHaveLength(1);

      // Three days on, at 22:00 in Kolkata: planned, but for 09:00 the next morning.
      clock.at = morningIst(4, 22);
      await scheduler.tick();
      const deferred = (await remindersOf(accountId))[1];
      expect(deferred).toMatchObject({ state: 'scheduled', reason: 'quiet_hours' });
      const { rows } = await t.db.query('SELECT scheduled_for, queued_at FROM reminders WHERE id = $1', [
        deferred.id,
      ]);
      expect(rows[0]).toEqual({ scheduled_for: morningIst(5, 9), queued_at: null });

      // The merchant sends one by hand that morning: the scheduled one is then not sent as well.
      clock.at = morningIst(5, 8, 30);
      const manual = await t.http.post(`/api/v2/customers/${accountId}/reminders`).set(merchant.auth);
      expectProblem(manual, 409); // the scheduled reminder already holds that day
      expect(manual.body.code).toBe('already-reminded-today');

      clock.at = morningIst(5, 9, 5);
      await scheduler.tick();
      await waitFor(async () => (await remindersOf(accountId))[1]?.state === 'sent', 'the deferred reminder');

      const list = await t.http
        .get(`/api/v2/reminders?customer_id=${accountId}&state=sent&limit=1`)
        .set(merchant.auth);
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0]).toMatchObject({ id: Number(deferred.id), state: 'sent', language: 'en' });
      expect(list.body.items[0].text).toContain('₹300');
      const next = await t.http
        .get(`/api/v2/reminders?customer_id=${accountId}&state=sent&limit=1&cursor=${list.body.next_cursor}`)
        .set(merchant.auth);
      expect(next.body.items).toHaveLength(1);
      expect(next.body.next_cursor).toBeNull();
    });

    it('stops when the balance is zero, and skips a customer who opted out', async () => {
      const scheduler = t.app.get(ReminderScheduler);
      const paying = await customerOwing(200);
      const leaving = await customerOwing(400);
      for (const c of [paying, leaving])
        await t.http
          .put(`/api/v2/customers/${c.accountId}/reminder-schedule`)
          .set(merchant.auth)
          .send({ every_days: 1 })
          .expect(200);
      await t.http
        .post(`/api/v2/transactions/${paying.saleId}/settle`)
        .set(merchant.auth)
        .send({ payment_method: 'cash' })
        .expect(200);
      const opt = await t.http
        .put(`/api/v2/me/shops/${merchant.id}/reminders`)
        .set(leaving.user.auth)
        .send({ enabled: false });
      expect(opt.status).toBe(200);
      expect(opt.body).toMatchObject({ customer_id: leaving.accountId, enabled: false });

      await scheduler.tick();
      await waitFor(
        async () => (await remindersOf(paying.accountId))[0]?.state === 'skipped',
        'zero balance',
      );
      await waitFor(async () => (await remindersOf(leaving.accountId))[0]?.state === 'skipped', 'opted out');
      expect((await remindersOf(paying.accountId))[0].reason).toBe('zero_balance');
      expect((await remindersOf(leaving.accountId))[0].reason).toBe('opted_out');
      for (const c of [paying, leaving]) {
        const s = await t.http.get(`/api/v2/customers/${c.accountId}/reminder-schedule`).set(merchant.auth);
        expect(s.body.active).toBe(false);
      }
      expect(
        (await t.http.get('/api/v2/reminders?state=skipped').set(merchant.auth)).body.items,
      ).toHaveLength(2);
      const manual = await t.http.post(`/api/v2/customers/${leaving.accountId}/reminders`).set(merchant.auth);
      expect(manual.body.code).toBe('customer-opted-out');
    });

    it('a shop-wide schedule reminds every customer with dues', async () => {
      const scheduler = t.app.get(ReminderScheduler);
      const a = await customerOwing(10);
      const b = await customerOwing(20);
      const paid = await registerUser(t);
      await createSale(t, merchant, { user_id: paid.id, amount: 5, type: 'paid', payment_method: 'upi' });
      await t.http.put('/api/v2/reminder-schedule').set(merchant.auth).send({ every_days: 7 }).expect(200);
      await scheduler.tick();
      await waitFor(async () => {
        const { rows } = await t.db.query(
          `SELECT count(*)::int AS n FROM reminders WHERE merchant_id = $1 AND state = 'sent'`,
          [merchant.id],
        );
        return rows[0].n === 2;
      }, 'two reminders');
      expect(await remindersOf(a.accountId)).toHaveLength(1);
      expect(await remindersOf(b.accountId)).toHaveLength(1);
      await t.http.delete('/api/v2/reminder-schedule').set(merchant.auth).expect(204);
      expectProblem(await t.http.get('/api/v2/reminder-schedule').set(merchant.auth), 404);
    });

    it('validates the schedule', async () => {
      const { accountId } = await customerOwing(10);
      for (const every_days of [0, 366, 1.5, 'x'])
        expectProblem(
          await t.http
            .put(`/api/v2/customers/${accountId}/reminder-schedule`)
            .set(merchant.auth)
            .send({ every_days }),
          422,
        );
      expectProblem(
        await t.http
          .put('/api/v2/customers/999999999/reminder-schedule')
          .set(merchant.auth)
          .send({ every_days: 2 }),
        404,
      );
    });
  });
});

describe('scheduled reminders through a webhook, on two instances', () => {
  it('sends one reminder when two instances tick at once, retrying a failing gateway', async () => {
    const hook = await gateway((n) => (n <= 2 ? 500 : 200));
    const env = {
      ...QUEUE_ENV,
      REMINDER_WEBHOOK_URL: hook.url,
      REMINDER_WEBHOOK_ATTEMPTS: '4',
      REMINDER_WEBHOOK_BACKOFF_MS: '10',
    };
    const override = (b: TestingModuleBuilder) => b.overrideProvider(Clock).useValue(clock);
    const a = await createTestApp({ env, override });
    const b = await createTestApp({ env, override, database: a.database });
    try {
      clock.at = morningIst(1);
      const merchant = await registerMerchant(a);
      const user = await registerUser(a);
      await createSale(a, merchant, { user_id: user.id, amount: 99, type: 'pay_later' });
      const { rows } = await a.db.query('SELECT id FROM customer_accounts WHERE user_id = $1', [user.id]);
      const accountId = Number(rows[0].id);
      await b.http
        .put(`/api/v2/customers/${accountId}/reminder-schedule`)
        .set(merchant.auth)
        .send({ every_days: 1 })
        .expect(200);

      await Promise.all([a.app.get(ReminderScheduler).tick(), b.app.get(ReminderScheduler).tick()]);
      const sent = await waitFor(async () => {
        const r = await a.db.query(`SELECT * FROM reminders WHERE account_id = $1`, [accountId]);
        return r.rows.length === 1 && r.rows[0].state === 'sent' ? r.rows[0] : undefined;
      }, 'the delivery');
      expect(sent).toMatchObject({ channel: 'webhook', attempts: 3 });
      expect(hook.received).toHaveLength(3);
      expect(new Set(hook.received).size).toBe(1);
      expect(JSON.parse(hook.received[2])).toMatchObject({ customer_id: accountId, phone: user.phone });
    } finally {
      clock.at = null;
      await b.close();
      await a.close();
      await hook.close();
    }
  });

  it('a reminder queued by an instance that then stops is delivered by the next one (survives restarts)', async () => {
    const hook = await gateway(() => 200);
    const env = { REMINDER_WEBHOOK_URL: hook.url };
    const override = (b: TestingModuleBuilder) => b.overrideProvider(Clock).useValue(clock);
    // The first instance's worker has looked for work at start and will not look again for a minute.
    const a = await createTestApp({
      env: { ...env, JOB_QUEUE: 'true', JOB_QUEUE_POLL_SECONDS: '60' },
      override,
    });
    let b: TestApp | undefined;
    try {
      clock.at = morningIst(1);
      const merchant = await registerMerchant(a);
      const user = await registerUser(a);
      await createSale(a, merchant, { user_id: user.id, amount: 77, type: 'pay_later' });
      const { rows } = await a.db.query('SELECT id FROM customer_accounts WHERE user_id = $1', [user.id]);
      await a.http
        .put(`/api/v2/customers/${rows[0].id}/reminder-schedule`)
        .set(merchant.auth)
        .send({ every_days: 1 })
        .expect(200);
      expect(await a.app.get(ReminderScheduler).tick()).toEqual({ planned: 1, queued: 1 });
      await a.app.close();
      expect(hook.received).toHaveLength(0);
      const queued = await a.db.query(`SELECT state FROM reminders WHERE account_id = $1`, [rows[0].id]);
      expect(queued.rows).toEqual([{ state: 'scheduled' }]);

      b = await createTestApp({ env: { ...env, ...QUEUE_ENV }, override, database: a.database });
      await waitFor(async () => {
        const r = await b!.db.query(`SELECT state FROM reminders WHERE account_id = $1`, [rows[0].id]);
        return r.rows[0].state === 'sent';
      }, 'the delivery after the restart');
      expect(hook.received).toHaveLength(1);
    } finally {
      clock.at = null;
      await b?.close();
      await a.db.end();
      await a.database.drop();
      await hook.close();
    }
  });

  it('marks a reminder failed, with the reason, when the gateway always fails', async () => {
    const hook = await gateway(() => 500);
    const t = await createTestApp({
      env: {
        ...QUEUE_ENV,
        REMINDER_WEBHOOK_URL: hook.url,
        REMINDER_WEBHOOK_ATTEMPTS: '3',
        REMINDER_WEBHOOK_BACKOFF_MS: '10',
      },
      override: (b) => b.overrideProvider(Clock).useValue(clock),
    });
    try {
      clock.at = morningIst(1);
      const merchant = await registerMerchant(t);
      const user = await registerUser(t);
      await createSale(t, merchant, { user_id: user.id, amount: 42, type: 'pay_later' });
      const { rows } = await t.db.query('SELECT id FROM customer_accounts WHERE user_id = $1', [user.id]);
      await t.http
        .put(`/api/v2/customers/${rows[0].id}/reminder-schedule`)
        .set(merchant.auth)
        .send({ every_days: 1 })
        .expect(200);
      await t.app.get(ReminderScheduler).tick();
      const failed = await waitFor(async () => {
        const res = await t.http.get('/api/v2/reminders?state=failed').set(merchant.auth);
        return res.body.items[0];
      }, 'the failure');
      expect(failed).toMatchObject({
        reason: 'delivery_failed',
        detail: 'the gateway answered HTTP 500; gave up after 3 attempts',
        attempts: 3,
      });
      expect(hook.received).toHaveLength(3);
    } finally {
      clock.at = null;
      await t.close();
      await hook.close();
    }
  });
});

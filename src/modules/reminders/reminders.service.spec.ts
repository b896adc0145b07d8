import { DomainError } from '../../common/errors/domain-error.js';
import type { Clock } from '../../common/time/clock.js';
import type { TransactionalConnection } from '../../database/transactional-connection.js';
import { ReminderUpiLinks, type ReminderAccount, type ReminderAccounts } from './reminder-ports.js';
import type { NewReminder, ReminderAudience, RemindersRepository } from './reminders.repository.js';
import { RemindersService } from './reminders.service.js';

const account: ReminderAccount = {
  id: 42,
  merchant_id: 3,
  user_id: 9,
  guest_user_id: null,
  name: 'Asha',
  phone: '+919876543210',
  due_paise: 12400050,
  advance_paise: 0,
};

function build(audience: Partial<ReminderAudience> = {}, over: Partial<ReminderAccount> = {}) {
  const inserted: NewReminder[] = [];
  const repo = {
    audience: () =>
      Promise.resolve({
        shop_name: 'Sharma Kirana',
        shop_time_zone: 'Asia/Kolkata',
        user_language: null,
        user_time_zone: null,
        account_language: null,
        opted_out: false,
        ...audience,
      }),
    insert: (r: NewReminder) => {
      inserted.push(r);
      return Promise.resolve(
        inserted.length > 1
          ? null
          : {
              ...r,
              id: '1',
              account_id: String(r.account_id),
              amount_paise: String(r.amount_paise),
              attempts: 1,
              created_at: new Date(),
              detail: null,
            },
      );
    },
    holdingDay: () => Promise.resolve(null),
  } as unknown as RemindersRepository;
  const accounts = {
    forMerchant: () => Promise.resolve({ ...account, ...over }),
  } as unknown as ReminderAccounts;
  class Upi extends ReminderUpiLinks {
    override forAccount(): Promise<string | null> {
      return Promise.resolve('upi://pay?pa=sharma@okaxis&am=124000.50&cu=INR&tr=GSA42');
    }
  }
  const clock = { now: () => new Date('2026-12-02T19:00:00Z') } as Clock; // 00:30 IST on the 3rd
  const service = new RemindersService(repo, accounts, new Upi(), {} as TransactionalConnection, clock);
  return { service, inserted };
}

describe('RemindersService.remindNow', () => {
  it('uses the customer’s language over the account’s and the header, and counts the day in their zone', async () => {
    const { service, inserted } = build({
      user_language: 'hi',
      account_language: 'en',
      user_time_zone: 'UTC',
    });
    const res = await service.remindNow(3, 42, 'en', 5);
    expect(res.language).toBe('hi');
    expect(res.text).toContain('₹1,24,000.50');
    expect(res.text).toContain('upi://pay?pa=sharma@okaxis');
    expect(inserted[0]).toMatchObject({
      local_date: '2026-12-02',
      recorded_by: 5,
      state: 'sent',
      source: 'manual',
    });
  });

  it('falls back to the account’s language, then Accept-Language, then English; the shop’s zone by default', async () => {
    expect((await build({ account_language: 'hi' }).service.remindNow(3, 42, 'en', null)).language).toBe(
      'hi',
    );
    expect((await build().service.remindNow(3, 42, 'hi-IN', null)).language).toBe('hi');
    const plain = build();
    expect((await plain.service.remindNow(3, 42, undefined, null)).language).toBe('en');
    expect(plain.inserted[0].local_date).toBe('2026-12-03');
  });

  it('refuses nothing due, an opted-out customer, and a second reminder that day', async () => {
    await expect(build({}, { due_paise: 0 }).service.remindNow(3, 42, undefined, null)).rejects.toMatchObject(
      {
        code: 'nothing-due',
      },
    );
    await expect(build({ opted_out: true }).service.remindNow(3, 42, undefined, null)).rejects.toMatchObject({
      code: 'customer-opted-out',
    });
    const twice = build();
    await twice.service.remindNow(3, 42, undefined, null);
    const err = await twice.service.remindNow(3, 42, undefined, null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'already-reminded-today', status: 409 });
  });
});

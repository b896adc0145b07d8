import type { TestApp } from '../../support/app.js';
import { registerMerchant, registerUser, type Account } from '../../support/factories.js';
import { createSale } from '../../support/sales.js';
import { createStaff, inviteStaff, type StaffAccount } from '../../support/staff.js';
import { badTokens } from '../../support/tokens.js';

/** The admin createTestApp boots with (ADMIN_EMAIL / ADMIN_PASSWORD). */
export const ADMIN = { email: 'admin@graminstore.com', password: 'admin123' };

/** Who calls: no token, tokens that must never get through, and the four real principals. */
export const CALLERS = [
  'none',
  'garbage',
  'algNone',
  'expired',
  'forged',
  'user',
  'merchant',
  'otherMerchant',
  'admin',
] as const;
/**
 * `merchant`'s staff: a cashier and a manager. Every route answers them as the table says (403 by
 * default); public routes answer every token alike, so the matrix tries staff on the others only.
 */
export const STAFF_CALLERS = ['cashier', 'manager'] as const;
export type Caller = (typeof CALLERS)[number] | (typeof STAFF_CALLERS)[number];
export type Role = Extract<Caller, 'user' | 'merchant' | 'otherMerchant' | 'admin' | 'cashier' | 'manager'>;
export const BAD_TOKEN_CALLERS: Caller[] = ['none', 'garbage', 'algNone', 'expired', 'forged'];

/** Real accounts and ids created through the API, used for path params and ownership checks. */
export interface Fixture {
  merchant: Account;
  otherMerchant: Account;
  user: Account;
  admin: { id: number; token: string; email: string; password: string };
  /** A paid sale of `merchant` to `user`. */
  saleId: number;
  /** A large pay-later bill of `merchant` to `user` (small settlements keep succeeding). */
  billId: number;
  /** The customer account of `user` at `merchant` (the khata), which owes the large bill. */
  accountId: number;
  /** An unused guest of `merchant`. */
  guestId: number;
  /** Appears only in `merchant`'s data: another merchant's response must never contain it. */
  marker: string;
  /** A merchant that billed `user` and that the matrix and fuzzer may block and unblock. */
  shopToBlock: number;
  /** A refresh token nobody has spent (from a throwaway customer's registration). */
  freshRefreshToken(): Promise<string>;
  /** Accounts that only sign in through /api/v1: the login limit counts per account on every version. */
  v1Login: { merchant: Account; user: Account };
  /** `merchant`'s cashier and manager. */
  cashier: StaffAccount;
  manager: StaffAccount;
  /** A member of `merchant`'s staff the matrix may re-invite and patch (never disabled). */
  spareStaffId: number;
  /** A staff member who only signs in through the login route (the login limit counts per person). */
  staffLogin: StaffAccount;
  /** A code nobody has used (a new member of `merchant`'s staff is invited for each). */
  freshInvitationCode(): Promise<string>;
  /** A new paid sale of `merchant` (to void or edit). */
  freshSaleId(): Promise<number>;
  /** The khata account of a new customer of `merchant` who owes a bill (to remind). */
  freshAccountId(): Promise<number>;
  /** Like freshAccountId, with a reminder schedule set. */
  scheduledAccountId(): Promise<number>;
  /** Sets `merchant`'s shop-wide reminder schedule (so it can be read and deleted). */
  ensureShopSchedule(): Promise<void>;
}

export async function createFixture(t: TestApp): Promise<Fixture> {
  const [merchant, otherMerchant, user, v1LoginMerchant, v1LoginUser] = await Promise.all([
    registerMerchant(t),
    registerMerchant(t),
    registerUser(t),
    registerMerchant(t),
    registerUser(t),
  ]);
  const login = await t.http.post('/api/v2/auth/login/admin').send(ADMIN);
  if (login.status !== 200)
    throw new Error(`admin login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const upi = await t.http
    .put('/api/v2/auth/profile/merchant')
    .set(merchant.auth)
    .send({ upi_vpa: `shop${merchant.id}@oksbi` });
  if (upi.status !== 200) throw new Error(`setting the UPI address failed: ${upi.status}`);
  const marker = `only-for-merchant-${merchant.id}-${Date.now().toString(36)}`;
  const sale = await createSale(t, merchant, {
    user_id: user.id,
    amount: 120.5,
    type: 'paid',
    payment_method: 'upi',
    description: marker,
  });
  const bill = await createSale(t, merchant, {
    user_id: user.id,
    amount: 9_000_000,
    type: 'pay_later',
    description: marker,
  });
  await createSale(t, merchant, {
    is_guest_transaction: true,
    amount: 15.75,
    type: 'pay_later',
    description: marker,
  });
  const shopToBlock = await registerMerchant(t);
  await createSale(t, shopToBlock, { user_id: user.id, amount: 10, type: 'pay_later' });
  const [cashier, manager, staffLogin, spare] = await Promise.all([
    createStaff(t, merchant, 'cashier'),
    createStaff(t, merchant, 'manager'),
    createStaff(t, merchant, 'cashier'),
    inviteStaff(t, merchant, 'cashier'),
  ]);
  const guest = await t.http.post('/api/v2/transactions/guest-user').set(merchant.auth).send({});
  if (guest.status !== 201) throw new Error(`guest-user failed: ${guest.status}`);
  const account = await t.db.query<{ id: number }>(
    `SELECT id::int FROM customer_accounts WHERE merchant_id = $1 AND user_id = $2`,
    [merchant.id, user.id],
  );
  return {
    accountId: account.rows[0].id,
    v1Login: { merchant: v1LoginMerchant, user: v1LoginUser },
    merchant,
    otherMerchant,
    user,
    admin: { id: login.body.user_id, token: login.body.access_token, ...ADMIN },
    saleId: sale.id,
    billId: bill.id,
    guestId: guest.body.id,
    marker,
    shopToBlock: shopToBlock.id,
    freshRefreshToken: async () => (await registerUser(t)).refreshToken,
    cashier,
    manager,
    staffLogin,
    spareStaffId: spare.id,
    freshInvitationCode: async () => (await inviteStaff(t, merchant, 'cashier')).code,
    freshSaleId: async () =>
      (await createSale(t, merchant, { user_id: user.id, amount: 5, type: 'paid', payment_method: 'cash' }))
        .id,
    freshAccountId,
    scheduledAccountId: async () => {
      const id = await freshAccountId();
      await expectStatus(
        t.http.put(`/api/v2/customers/${id}/reminder-schedule`).set(merchant.auth).send({ every_days: 7 }),
        200,
      );
      return id;
    },
    ensureShopSchedule: () =>
      expectStatus(t.http.put('/api/v2/reminder-schedule').set(merchant.auth).send({ every_days: 7 }), 200),
  };

  async function freshAccountId(): Promise<number> {
    const buyer = await registerUser(t);
    await createSale(t, merchant, { user_id: buyer.id, amount: 500, type: 'pay_later' });
    const row = await t.db.query<{ id: number }>(
      `SELECT id::int FROM customer_accounts WHERE merchant_id = $1 AND user_id = $2`,
      [merchant.id, buyer.id],
    );
    return row.rows[0].id;
  }
}

async function expectStatus(request: PromiseLike<{ status: number; body: unknown }>, status: number) {
  const res = await request;
  if (res.status !== status)
    throw new Error(`fixture request answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/** The Authorization header a caller sends (none for `none`). */
export function authHeader(f: Fixture, caller: Caller): Record<string, string> {
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  switch (caller) {
    case 'none':
      return {};
    case 'garbage':
      return bearer(badTokens.garbage);
    case 'algNone':
      return bearer(badTokens.algNone(f.merchant.id, 'merchant'));
    case 'expired':
      return bearer(badTokens.expired(f.merchant.id, 'merchant'));
    case 'forged':
      return bearer(badTokens.wrongSecret(f.merchant.id, 'merchant'));
    case 'user':
      return f.user.auth;
    case 'merchant':
      return f.merchant.auth;
    case 'otherMerchant':
      return f.otherMerchant.auth;
    case 'admin':
      return bearer(f.admin.token);
    case 'cashier':
      return f.cashier.auth;
    case 'manager':
      return f.manager.auth;
  }
}

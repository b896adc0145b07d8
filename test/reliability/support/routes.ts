import { merchantBody, uniquePhone, userBody } from '../../support/factories.js';
import { BAD_TOKEN_CALLERS, type Caller, type Fixture, type Role } from './fixture.js';

/** One valid request to a route: path params, query and JSON body. */
export interface RouteCall {
  params?: Record<string, string | number>;
  query?: Record<string, string>;
  body?: unknown;
}

/**
 * Who may call a route and what each caller gets.
 * - `public`: no token needed; every caller gets this status whatever token they send.
 * - `allow`: the roles that may call it and the status each gets — e.g. 404 for a merchant who does
 *   not own the resource; every role left out gets 403, and every missing or bad token gets 401.
 */
export interface RouteEntry {
  public?: number;
  allow?: Partial<Record<Role, number>>;
  /** A valid request, built afresh for each call (registrations need unique emails). */
  call: (f: Fixture) => RouteCall | Promise<RouteCall>;
  /** The request the fuzzer mutates, when it must differ from `call`. */
  fuzzBase?: (f: Fixture) => RouteCall | Promise<RouteCall>;
}

const MERCHANTS = { merchant: 200, otherMerchant: 200 } as const;
const USER = { user: 200 } as const;
/** A merchant route a shop's cashier and manager may call too (see `@StaffMay`). */
const SHOP_STAFF = { ...MERCHANTS, cashier: 200, manager: 200 } as const;
/** A merchant route open to the shop's managers, not its cashiers. */
const MANAGERS = { ...MERCHANTS, manager: 200 } as const;
const none = (): RouteCall => ({});
/** A refresh token that was never issued: the fuzzer must not spend real ones (reuse revokes a family). */
const unknownRefresh = (): RouteCall => ({
  body: { refresh_token: 'never-issued-refresh-token-0123456789abcdef' },
});

/**
 * Every route of the OpenAPI document. A route the document gains without an entry here fails the
 * authorization matrix, and so does an entry whose route left the document.
 */
export const ROUTES: Record<string, RouteEntry> = {
  'GET /': { public: 200, call: none },
  'GET /health/live': { public: 200, call: none },
  'GET /health/ready': { public: 200, call: none },

  'POST /api/v2/auth/register/merchant': { public: 201, call: () => ({ body: merchantBody() }) },
  'POST /api/v2/auth/register/user': { public: 201, call: () => ({ body: userBody() }) },
  'POST /api/v2/auth/login/merchant': {
    public: 200,
    call: (f) => ({ body: { email: f.merchant.email, password: f.merchant.password } }),
  },
  'POST /api/v2/auth/login/user': {
    public: 200,
    call: (f) => ({ body: { email: f.user.email, password: f.user.password } }),
  },
  'POST /api/v2/auth/login/admin': {
    public: 200,
    call: (f) => ({ body: { email: f.admin.email, password: f.admin.password } }),
  },
  'POST /api/v2/auth/refresh': {
    public: 200,
    call: async (f) => ({ body: { refresh_token: await f.freshRefreshToken() } }),
    fuzzBase: unknownRefresh,
  },
  'POST /api/v2/auth/logout': {
    public: 204,
    call: async (f) => ({ body: { refresh_token: await f.freshRefreshToken() } }),
    fuzzBase: unknownRefresh,
  },
  // A wrong current password: the matrix must not change the fixture's passwords (that would end its
  // other sessions). Every signed-in role may call it and gets 422 for that.
  'POST /api/v2/auth/password': {
    allow: { merchant: 422, otherMerchant: 422, user: 422, admin: 422 },
    call: () => ({ body: { current_password: 'not-the-password', new_password: 'fresh-ledger-4821' } }),
    fuzzBase: () => ({ body: { current_password: 'not-the-password', new_password: 'fresh-ledger-4821' } }),
  },
  'GET /api/v2/auth/profile/merchant': { allow: MANAGERS, call: none },
  'GET /api/v2/auth/profile/user': { allow: USER, call: none },

  'GET /api/v2/users/lookup': { allow: SHOP_STAFF, call: (f) => ({ query: { phone: f.user.phone } }) },

  'POST /api/v2/transactions/guest-user': {
    allow: { merchant: 201, otherMerchant: 201, cashier: 201, manager: 201 },
    call: () => ({ body: {} }),
  },
  'GET /api/v2/transactions/guest-users': { allow: MANAGERS, call: () => ({ query: { limit: '20' } }) },
  'POST /api/v2/transactions/create': {
    allow: { merchant: 201, otherMerchant: 201, cashier: 201, manager: 201 },
    call: (f) => ({
      body: {
        user_id: f.user.id,
        amount: 42.25,
        type: 'pay_later',
        description: 'matrix sale',
        payment_method: 'cash',
        reference_number: 'REF-1',
      },
    }),
  },
  'GET /api/v2/transactions/history': {
    allow: { merchant: 200, otherMerchant: 200, user: 200, cashier: 200, manager: 200 },
    call: () => ({ query: { limit: '20', type: 'pay_later' } }),
  },
  'GET /api/v2/transactions/analytics': { allow: MANAGERS, call: () => ({ query: { days: '30' } }) },
  'GET /api/v2/transactions/export.csv': {
    allow: MANAGERS,
    call: () => ({
      query: {
        from: new Date(Date.now() - 86_400_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      },
    }),
  },
  'GET /api/v2/transactions/{id}': {
    // Only the merchant who recorded it and the customer who bought it; anyone else must not learn it exists.
    // The fixture's sale is of today, so the cashier sees it too.
    allow: { merchant: 200, user: 200, otherMerchant: 404, cashier: 200, manager: 200 },
    call: (f) => ({ params: { id: f.saleId } }),
  },
  // The fixture's merchant has a UPI address and the bill is large: there is always something due.
  'GET /api/v2/transactions/{id}/upi': {
    allow: { merchant: 200, user: 200, otherMerchant: 404, cashier: 200, manager: 200 },
    call: (f) => ({ params: { id: f.billId } }),
  },
  'GET /api/v2/transactions/{id}/upi.png': {
    allow: { merchant: 200, user: 200, otherMerchant: 404, cashier: 200, manager: 200 },
    call: (f) => ({ params: { id: f.billId } }),
  },
  'GET /api/v2/transactions/{id}/upi.svg': {
    allow: { merchant: 200, user: 200, otherMerchant: 404, cashier: 200, manager: 200 },
    call: (f) => ({ params: { id: f.billId } }),
  },
  'GET /api/v2/transactions/{id}/receipt.pdf': {
    allow: { merchant: 200, user: 200, otherMerchant: 404, cashier: 200, manager: 200 },
    call: (f) => ({ params: { id: f.billId } }),
  },
  'POST /api/v2/transactions/{id}/settle': {
    allow: { merchant: 200, otherMerchant: 404, cashier: 200, manager: 200 },
    call: (f) => ({ params: { id: f.billId }, body: { amount: 1, payment_method: 'cash' } }),
  },

  // The khata's documents and payment links: the fixture's account owes the large bill.
  'GET /api/v2/customers/{id}/upi': {
    allow: { merchant: 200, otherMerchant: 404, cashier: 200, manager: 200 },
    call: (f) => ({ params: { id: f.accountId } }),
  },
  'GET /api/v2/customers/{id}/upi.png': {
    allow: { merchant: 200, otherMerchant: 404, cashier: 200, manager: 200 },
    call: (f) => ({ params: { id: f.accountId } }),
  },
  'GET /api/v2/customers/{id}/upi.svg': {
    allow: { merchant: 200, otherMerchant: 404, cashier: 200, manager: 200 },
    call: (f) => ({ params: { id: f.accountId } }),
  },
  'GET /api/v2/customers/{id}/statement.pdf': {
    allow: { merchant: 200, otherMerchant: 404, manager: 200 },
    call: (f) => ({ params: { id: f.accountId } }),
  },

  // The khata: corrections (managers), accounts and payments (the counter too).
  'POST /api/v2/transactions/{id}/void': {
    allow: { merchant: 200, otherMerchant: 404, manager: 200 },
    fuzzBase: (f) => ({ params: { id: f.saleId }, body: { reason: 'typed the wrong amount' } }),
    call: async (f) => ({
      params: { id: await f.freshSaleId() },
      body: { reason: 'typed the wrong amount' },
    }),
  },
  'POST /api/v2/transactions/{id}/edit': {
    allow: { merchant: 200, otherMerchant: 404, manager: 200 },
    fuzzBase: (f) => ({
      params: { id: f.saleId },
      body: { reason: 'wrong amount', user_id: f.user.id, amount: 6, type: 'paid', payment_method: 'cash' },
    }),
    call: async (f) => ({
      params: { id: await f.freshSaleId() },
      body: { reason: 'wrong amount', user_id: f.user.id, amount: 6, type: 'paid', payment_method: 'cash' },
    }),
  },
  'GET /api/v2/transactions/{id}/audit': {
    allow: { merchant: 200, otherMerchant: 404, manager: 200 },
    call: (f) => ({ params: { id: f.saleId } }),
  },
  'GET /api/v2/customers': { allow: SHOP_STAFF, call: () => ({ query: { limit: '5' } }) },
  'GET /api/v2/customers/{id}': {
    allow: { merchant: 200, otherMerchant: 404, cashier: 200, manager: 200 },
    call: (f) => ({ params: { id: f.accountId } }),
  },
  'GET /api/v2/customers/{id}/ledger': {
    allow: { merchant: 200, otherMerchant: 404, cashier: 200, manager: 200 },
    call: (f) => ({ params: { id: f.accountId }, query: { limit: '5' } }),
  },
  'POST /api/v2/customers/{id}/payments': {
    allow: { merchant: 201, otherMerchant: 404, cashier: 201, manager: 201 },
    call: (f) => ({ params: { id: f.accountId }, body: { amount: 1, payment_method: 'cash' } }),
  },
  'GET /api/v2/me/shops/{merchant_id}/ledger': {
    allow: USER,
    call: (f) => ({ params: { merchant_id: f.merchant.id } }),
  },
  // Reminders: the shop's owner and managers; the customer opts in or out.
  'POST /api/v2/customers/{id}/reminders': {
    allow: { merchant: 201, otherMerchant: 404, manager: 201 },
    fuzzBase: (f) => ({ params: { id: f.accountId } }),
    call: async (f) => ({ params: { id: await f.freshAccountId() } }),
  },
  'GET /api/v2/reminders': { allow: MANAGERS, call: none },
  'PUT /api/v2/customers/{id}/reminder-schedule': {
    allow: { merchant: 200, otherMerchant: 404, manager: 200 },
    call: (f) => ({ params: { id: f.accountId }, body: { every_days: 7 } }),
  },
  'GET /api/v2/customers/{id}/reminder-schedule': {
    allow: { merchant: 200, otherMerchant: 404, manager: 200 },
    fuzzBase: (f) => ({ params: { id: f.accountId } }),
    call: async (f) => ({ params: { id: await f.scheduledAccountId() } }),
  },
  'DELETE /api/v2/customers/{id}/reminder-schedule': {
    allow: { merchant: 204, otherMerchant: 404, manager: 204 },
    fuzzBase: (f) => ({ params: { id: f.accountId } }),
    call: async (f) => ({ params: { id: await f.scheduledAccountId() } }),
  },
  'PUT /api/v2/customers/{id}/reminder-settings': {
    allow: { merchant: 200, otherMerchant: 404, manager: 200 },
    call: (f) => ({ params: { id: f.accountId }, body: { language: 'hi' } }),
  },
  'PUT /api/v2/reminder-schedule': { allow: MANAGERS, call: () => ({ body: { every_days: 7 } }) },
  // The other merchant has a schedule of its own by now (its PUT above).
  'GET /api/v2/reminder-schedule': {
    allow: MANAGERS,
    fuzzBase: none,
    call: async (f) => (await f.ensureShopSchedule(), {}),
  },
  'DELETE /api/v2/reminder-schedule': {
    allow: { merchant: 204, otherMerchant: 204, manager: 204 },
    fuzzBase: none,
    call: async (f) => (await f.ensureShopSchedule(), {}),
  },
  'PUT /api/v2/me/shops/{merchant_id}/reminders': {
    allow: USER,
    call: (f) => ({ params: { merchant_id: f.merchant.id }, body: { enabled: true } }),
  },

  'GET /api/v2/dashboard/merchant': { allow: MANAGERS, call: () => ({ query: { days: '30' } }) },
  'GET /api/v2/dashboard/merchant/top-customers': {
    allow: MANAGERS,
    call: () => ({ query: { limit: '5', days: '30' } }),
  },
  'GET /api/v2/dashboard/user': { allow: USER, call: () => ({ query: { tz: 'Asia/Kolkata' } }) },
  'GET /api/v2/dashboard/user/expenses': {
    allow: USER,
    call: () => ({ query: { tz: 'Asia/Kolkata', period: 'week', count: '2' } }),
  },
  'GET /api/v2/dashboard/user/merchants': { allow: USER, call: none },
  'GET /api/v2/dashboard/user/bills': {
    allow: USER,
    call: () => ({ query: { status: 'due', limit: '10' } }),
  },

  'GET /api/v2/me/shops': { allow: USER, call: none },
  'GET /api/v2/me/shops/{merchant_id}/upi': {
    allow: USER,
    call: (f) => ({ params: { merchant_id: f.merchant.id } }),
  },
  'GET /api/v2/me/shops/{merchant_id}/upi.png': {
    allow: USER,
    call: (f) => ({ params: { merchant_id: f.merchant.id } }),
  },
  'GET /api/v2/me/shops/{merchant_id}/upi.svg': {
    allow: USER,
    call: (f) => ({ params: { merchant_id: f.merchant.id } }),
  },
  'GET /api/v2/me/shops/{merchant_id}/statement.pdf': {
    allow: USER,
    call: (f) => ({ params: { merchant_id: f.merchant.id } }),
  },
  'POST /api/v2/me/shops/{merchant_id}/accept': {
    allow: USER,
    call: (f) => ({ params: { merchant_id: f.merchant.id } }),
  },
  'POST /api/v2/me/shops/{merchant_id}/block': {
    allow: USER,
    call: (f) => ({ params: { merchant_id: f.shopToBlock } }),
  },
  'POST /api/v2/me/shops/{merchant_id}/unblock': {
    allow: USER,
    call: (f) => ({ params: { merchant_id: f.shopToBlock } }),
  },
  'PUT /api/v2/auth/profile/merchant': { allow: MERCHANTS, call: () => ({ body: { city: 'Pune' } }) },
  'PUT /api/v2/auth/profile/user': { allow: USER, call: () => ({ body: { city: 'Pune' } }) },

  // A shop's staff: the owner manages them (staff, managers too, get 403); staff sign in.
  'POST /api/v2/staff': {
    allow: { merchant: 201, otherMerchant: 201 },
    call: () => ({ body: { name: 'Matrix Staff', phone: uniquePhone(), role: 'cashier' } }),
  },
  'GET /api/v2/staff': { allow: MERCHANTS, call: none },
  'PATCH /api/v2/staff/{id}': {
    allow: { merchant: 200, otherMerchant: 404 },
    call: (f) => ({ params: { id: f.spareStaffId }, body: { active: true } }),
  },
  'POST /api/v2/staff/{id}/invitation': {
    allow: { merchant: 201, otherMerchant: 404 },
    call: (f) => ({ params: { id: f.spareStaffId } }),
  },
  'POST /api/v2/auth/staff/accept': {
    public: 200,
    call: async (f) => ({ body: { code: await f.freshInvitationCode(), password: 'counter-till-4821' } }),
    fuzzBase: () => ({ body: { code: 'NEVR-ISSU-EDCO-DE22', password: 'counter-till-4821' } }),
  },
  'POST /api/v2/auth/staff/login': {
    public: 200,
    call: (f) => ({ body: { phone: f.staffLogin.phone, password: f.staffLogin.password } }),
  },
  'GET /api/v2/auth/profile/staff': { allow: { cashier: 200, manager: 200 }, call: none },

  // /api/v1: the original API's contract.
  'POST /api/v1/auth/register/merchant': { public: 200, call: () => ({ body: merchantBody() }) },
  'POST /api/v1/auth/register/user': { public: 200, call: () => ({ body: userBody() }) },
  'POST /api/v1/auth/login/merchant': {
    public: 200,
    call: ({ v1Login: { merchant } }) => ({ body: { email: merchant.email, password: merchant.password } }),
  },
  'POST /api/v1/auth/login/user': {
    public: 200,
    call: ({ v1Login: { user } }) => ({ body: { email: user.email, password: user.password } }),
  },
  'GET /api/v1/auth/profile/merchant': { allow: MANAGERS, call: none },
  'GET /api/v1/auth/profile/user': { allow: USER, call: none },
  'PUT /api/v1/auth/profile/merchant': { allow: MERCHANTS, call: () => ({ body: { city: 'Pune' } }) },
  'PUT /api/v1/auth/profile/user': { allow: USER, call: () => ({ body: { city: 'Pune' } }) },
  // No token needed (the original PWA sends none); a merchant's token only adds the full name.
  'GET /api/v1/auth/lookup/user-by-phone': { public: 200, call: (f) => ({ query: { phone: f.user.phone } }) },
  'GET /api/v1/auth/search/users-by-phone': {
    allow: SHOP_STAFF,
    call: (f) => ({ query: { phone: f.user.phone.slice(-6), limit: '10' } }),
  },
  'POST /api/v1/transactions/create': {
    allow: SHOP_STAFF,
    call: (f) => ({
      body: { user_id: f.user.id, amount: 10 / 3, type: 'pending', payment_method: 'online', note: 'x' },
    }),
  },
  'POST /api/v1/transactions/simple': { public: 200, call: () => ({ body: { amount: 1.5, type: 'payed' } }) },
  'GET /api/v1/transactions/history': {
    allow: SHOP_STAFF,
    call: () => ({ query: { days: '7', limit: '10' } }),
  },
  'GET /api/v1/transactions/analytics': { allow: MANAGERS, call: () => ({ query: { days: '30' } }) },
  'GET /api/v1/transactions/user-transactions/{merchant_id}': {
    allow: USER,
    call: (f) => ({ params: { merchant_id: f.merchant.id }, query: { limit: '10' } }),
  },
  'POST /api/v1/transactions/guest-user': { allow: SHOP_STAFF, call: () => ({ body: { merchant_id: 1 } }) },
  'GET /api/v1/transactions/guest-users': { allow: MANAGERS, call: none },
  'GET /api/v1/health': { public: 200, call: none },

  'GET /api/v1/dashboard/merchant': { allow: MANAGERS, call: () => ({ query: { days: '30' } }) },
  'GET /api/v1/dashboard/merchant/top-customers': {
    allow: MANAGERS,
    call: () => ({ query: { limit: '5' } }),
  },
  'GET /api/v1/dashboard/merchant/analytics/detailed': {
    allow: MANAGERS,
    call: () => ({ query: { period: 'weekly' } }),
  },
  'GET /api/v1/dashboard/user': { allow: USER, call: none },
  'GET /api/v1/dashboard/user/expenses': { allow: USER, call: none },
  'GET /api/v1/dashboard/user/merchants': { allow: USER, call: none },
  'GET /api/v1/dashboard/user/spending-analytics': {
    allow: USER,
    call: () => ({ query: { period: 'monthly' } }),
  },
  'GET /api/v1/dashboard/user/transactions/{merchant_id}': {
    allow: USER,
    call: (f) => ({ params: { merchant_id: f.merchant.id }, query: { limit: '50', offset: '0' } }),
  },
};

/** The role the fuzzer calls a route as: the first one allowed a success. */
export function fuzzRole(entry: RouteEntry): Role | undefined {
  if (entry.public !== undefined) return undefined;
  const order: Role[] = ['merchant', 'user', 'otherMerchant', 'admin', 'cashier', 'manager'];
  return order.find((r) => (entry.allow?.[r] ?? 0) >= 200 && (entry.allow?.[r] ?? 0) < 300);
}

/** The status the table says `caller` gets from `entry`. */
export function expectedStatus(entry: RouteEntry, caller: Caller): number {
  if (entry.public !== undefined) return entry.public;
  if (BAD_TOKEN_CALLERS.includes(caller)) return 401;
  return entry.allow?.[caller as keyof NonNullable<RouteEntry['allow']>] ?? 403;
}

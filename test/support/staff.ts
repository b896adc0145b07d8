import type { TestApp } from './app.js';
import { unique, uniquePhone, type Account } from './factories.js';

export interface StaffAccount {
  id: number;
  merchantId: number;
  role: 'cashier' | 'manager';
  phone: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  auth: { Authorization: string };
}

/** The owner invites a member (by phone and email); returns the member's id and one-time code. */
export async function inviteStaff(
  t: TestApp,
  owner: Pick<Account, 'auth'>,
  role: 'cashier' | 'manager',
  overrides: Record<string, unknown> = {},
): Promise<{ id: number; code: string; phone: string; email: string }> {
  const body = {
    name: `Staff ${unique()}`,
    phone: uniquePhone(),
    email: `staff.${unique()}@example.com`,
    role,
    ...overrides,
  };
  const res = await t.http.post('/api/v2/staff').set(owner.auth).send(body);
  if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.staff.id,
    code: res.body.invitation_code,
    phone: String(body.phone),
    email: String(body.email),
  };
}

/** Invites a member and accepts the invitation: a signed-in cashier or manager of the owner's shop. */
export async function createStaff(
  t: TestApp,
  owner: Pick<Account, 'auth' | 'id'>,
  role: 'cashier' | 'manager',
  password = 'counter-till-4821',
): Promise<StaffAccount> {
  const invited = await inviteStaff(t, owner, role);
  const res = await t.http.post('/api/v2/auth/staff/accept').send({ code: invited.code, password });
  if (res.status !== 200) throw new Error(`accept failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: invited.id,
    merchantId: owner.id,
    role,
    phone: invited.phone,
    email: invited.email,
    password,
    token: res.body.access_token,
    refreshToken: res.body.refresh_token,
    auth: { Authorization: `Bearer ${res.body.access_token}` },
  };
}

import { randomBytes } from 'node:crypto';
import type { TestApp } from './app.js';

let counter = 0;
/** A unique suffix per call, across files and runs. */
export function unique(): string {
  counter += 1;
  return `${Date.now().toString(36)}${counter}${randomBytes(3).toString('hex')}`;
}

/** A unique valid Indian mobile number (+91 and 10 digits starting 6-9). */
export function uniquePhone(): string {
  const digits = String(Math.floor(Math.random() * 1e9)).padStart(9, '0');
  return `+919${digits}`;
}

export interface Account {
  id: number;
  token: string;
  refreshToken: string;
  email: string;
  phone: string;
  password: string;
  auth: { Authorization: string };
}

export function merchantBody(overrides: Record<string, unknown> = {}) {
  const tag = unique();
  return {
    name: `Merchant ${tag}`,
    email: `merchant.${tag}@example.com`,
    phone: uniquePhone(),
    password: 'till-roll-4821',
    business_name: `Kirana ${tag}`,
    business_type: 'kirana',
    city: 'Pune',
    state: 'Maharashtra',
    zip_code: '411001',
    aadhar_number: '123456789012',
    ...overrides,
  };
}

export function userBody(overrides: Record<string, unknown> = {}) {
  const tag = unique();
  return {
    name: `Customer ${tag}`,
    email: `user.${tag}@example.com`,
    phone: uniquePhone(),
    password: 'khata-book-4821',
    ...overrides,
  };
}

async function register(
  t: TestApp,
  role: 'merchant' | 'user',
  body: Record<string, unknown>,
): Promise<Account> {
  const res = await t.http.post(`/api/v2/auth/register/${role}`).send(body);
  if (res.status !== 201)
    throw new Error(`register ${role} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user_id,
    token: res.body.access_token,
    refreshToken: res.body.refresh_token,
    email: String(body.email),
    phone: String(body.phone),
    password: String(body.password),
    auth: { Authorization: `Bearer ${res.body.access_token}` },
  };
}

export const registerMerchant = (t: TestApp, overrides: Record<string, unknown> = {}) =>
  register(t, 'merchant', merchantBody(overrides));
export const registerUser = (t: TestApp, overrides: Record<string, unknown> = {}) =>
  register(t, 'user', userBody(overrides));

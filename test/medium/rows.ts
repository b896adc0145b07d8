import type { DataSource } from 'typeorm';
import type { ShopRelation } from '../../src/modules/users/customer-shops.repository.js';
import type { NewMerchant } from '../../src/modules/merchants/merchants.repository.js';
import type { NewUser } from '../../src/modules/users/users.repository.js';
import type { NewSale } from '../../src/modules/transactions/transactions.repository.js';
import { unique, uniquePhone } from '../support/factories.js';

/** A customer row with every column set (unique email and phone). */
export function newUser(overrides: Partial<NewUser> = {}): Required<NewUser> {
  const tag = unique();
  return {
    name: `Asha ${tag}`,
    email: `asha.${tag}@example.com`,
    phone: uniquePhone(),
    passwordHash: `$2b$10$hash.${tag}`,
    address: '12 MG Road',
    city: 'Pune',
    state: 'Maharashtra',
    ...overrides,
  };
}

/** A merchant row with every column set (unique email and phone). */
export function newMerchant(overrides: Partial<NewMerchant> = {}): Required<NewMerchant> {
  const tag = unique();
  return {
    name: `Ravi ${tag}`,
    email: `ravi.${tag}@example.com`,
    phone: uniquePhone(),
    passwordHash: `$2b$10$hash.${tag}`,
    businessName: `Ravi Kirana ${tag}`,
    businessType: 'kirana',
    address: '4 Station Road',
    city: 'Nashik',
    state: 'Maharashtra',
    zipCode: '422001',
    country: 'Nepal',
    timezone: 'Asia/Kathmandu',
    aadharNumber: '123456789012',
    ...overrides,
  };
}

/**
 * Links a customer to a shop as a sale does (`customer_merchants`); the sale itself lives in the
 * transactions module and is not needed by the repositories tested here.
 */
export async function linkCustomer(
  dataSource: DataSource,
  userId: number,
  merchantId: number,
  relation: ShopRelation,
  lastTransactionAt = new Date('2026-11-20T10:00:00Z'),
): Promise<void> {
  await dataSource.query(
    `INSERT INTO customer_merchants (user_id, merchant_id, first_transaction_at, last_transaction_at, relation)
     VALUES ($1, $2, $3::timestamptz - interval '3 days', $3, $4)`,
    [userId, merchantId, lastTransactionAt, relation],
  );
}

/**
 * `taken` of the users and merchants repositories: email compared in any case, phone exactly, and the
 * account itself (`exceptId`) never counts against its own profile change.
 */
export async function expectTakenByOthers(
  repo: {
    taken(email: string, phone: string, exceptId?: number): Promise<{ email: boolean; phone: boolean }>;
  },
  account: { id: number; email: string; phone: string },
): Promise<void> {
  expect(await repo.taken(account.email.toUpperCase(), account.phone)).toEqual({ email: true, phone: true });
  expect(await repo.taken(account.email, '+919000000002')).toEqual({ email: true, phone: false });
  expect(await repo.taken('free@example.com', account.phone)).toEqual({ email: false, phone: true });
  expect(await repo.taken(account.email, account.phone, account.id)).toEqual({ email: false, phone: false });
}

/** A sale as TransactionsRepository.insertSale takes it: a due bill of ₹25.50, now, unless told. */
export function newSale(patch: Partial<NewSale> & Pick<NewSale, 'merchantId'>): NewSale {
  return {
    userId: null,
    guestUserId: null,
    newGuest: false,
    amountPaise: 2550,
    type: 'pay_later',
    description: 'Rice',
    paymentMethod: null,
    referenceNumber: null,
    clientId: null,
    occurredAt: null,
    items: null,
    calculation: null,
    ...patch,
  };
}

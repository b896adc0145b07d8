import { Ajv, type SchemaObject } from 'ajv';
import type { Response } from 'supertest';
import type { TestApp } from './app.js';
import { registerMerchant, registerUser, type Account } from './factories.js';
import { createSale } from './sales.js';

/*
 * The /api/v1 contract, as JSON Schemas written from the original API's documented shapes (field
 * names, JSON types, enums, array or object), checked against live responses. Objects are closed
 * (`additionalProperties: false`): a v1 client sees exactly the original's keys.
 */

// multipleOfPrecision: 153.2 is a whole number of paise although 153.2 / 0.01 is not exact in binary.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, multipleOfPrecision: 9 });

/** ISO 8601 UTC with `Z` (our deliberate change from the original's zone-less strings). */
export const instant = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z$',
};
export const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
export const month = { type: 'string', pattern: '^\\d{4}-\\d{2}$' };
export const int = { type: 'integer' };
export const num = { type: 'number' };
export const str = { type: 'string' };
export const bool = { type: 'boolean' };
/** A rupee amount exact to the paisa: at most 2 decimals once printed. */
export const amount = { type: 'number', multipleOf: 0.01 };
export const nullable = (schema: SchemaObject): SchemaObject => ({ anyOf: [schema, { type: 'null' }] });
export const oneOf = (...values: unknown[]): SchemaObject => ({ enum: values });
/** A closed object: every listed key present (unless `optional`), no others. */
export function obj(properties: Record<string, SchemaObject>, optional: string[] = []): SchemaObject {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}
export const arrayOf = (items: SchemaObject): SchemaObject => ({ type: 'array', items });
/** A map from keys matching `key` to values of `value` (the dashboards' date-keyed objects). */
export const mapOf = (key: SchemaObject, value: SchemaObject): SchemaObject => ({
  type: 'object',
  propertyNames: key,
  additionalProperties: value,
});

// Auth
const token = (userType: 'merchant' | 'user') =>
  obj({
    access_token: str,
    token_type: oneOf('bearer'),
    user_type: oneOf(userType),
    user_id: int,
    expires_in: oneOf(1800),
  });
const lookupUser = obj({ id: int, name: str, email: { type: 'null' }, phone: str });

// Transactions
const v1Type = oneOf('payed', 'pending');
/** The fields a history row and a customer's own row share. */
const saleFields = {
  transaction_id: int,
  timestamp: instant,
  amount: amount,
  type: v1Type,
  description: nullable(str),
  payment_method: nullable(str),
  guest_user: bool,
};
const userDetails = obj({ name: str, phone_last_4: str, email: { type: 'null' } });

export const V1 = {
  token: token,
  merchantProfile: obj({
    id: int,
    name: str,
    email: str,
    phone: str,
    aadhar_number: { type: 'string', pattern: '^\\*{8}\\d{4}$' },
    business_name: nullable(str),
    city: nullable(str),
    state: nullable(str),
    zip_code: nullable(str),
    country: nullable(str),
    business_type: nullable(str),
    user_type: oneOf('merchant'),
    created_at: instant,
  }),
  userProfile: obj({
    id: int,
    name: str,
    email: str,
    phone: str,
    user_type: oneOf('user'),
    created_at: instant,
  }),
  lookupUser,
  searchUsers: arrayOf(lookupUser),
  createTransaction: obj({
    message: oneOf('Transaction created successfully'),
    transaction_id: int,
    user_id: int,
    merchant_id: int,
    is_guest_transaction: bool,
    amount: amount,
  }),
  simple: obj({
    message: oneOf('Simple transaction endpoint works'),
    amount: amount,
    type: oneOf('TransactionType.PAYED', 'TransactionType.PAY_LATER'),
    payment_method: str,
    description: nullable(str),
    is_guest_transaction: bool,
  }),
  history: arrayOf(
    obj({
      ...saleFields,
      user_id: nullable(int),
      guest_user_id: nullable(int),
      user_details: nullable(userDetails),
    }),
  ),
  analytics: obj({
    total_sales: amount,
    total_transactions: int,
    total_pending: amount,
    avg_transaction: amount,
  }),
  guestUser: obj({ id: int, merchant_id: int, timestamp: instant }),
  guestUsers: arrayOf(
    obj({
      id: int,
      merchant_id: int,
      timestamp: instant,
      transaction_amount: amount,
      transaction_type: oneOf('PAYED', 'PAY_LATER'),
      transaction_description: nullable(str),
      transaction_date: instant,
      payment_method: nullable(str),
    }),
  ),
  userTransactions: arrayOf(obj({ ...saleFields, user_id: int })),
  // Health
  rootHealth: obj({
    status: oneOf('healthy'),
    message: oneOf('GraminStore Backend API is running'),
    version: str,
  }),
  apiHealth: obj({ status: oneOf('healthy'), message: oneOf('GraminStore API is running'), version: str }),
  /** The v1 error body: problem+json whose `detail` is the original's string, or its 422 item list. */
  problem: {
    type: 'object',
    required: ['type', 'title', 'status', 'detail', 'instance'],
    properties: { type: str, title: str, status: int, instance: str, detail: str },
  },
  validationProblem: {
    type: 'object',
    required: ['type', 'title', 'status', 'detail', 'instance', 'errors'],
    properties: {
      type: str,
      title: str,
      instance: str,
      status: oneOf(422),
      detail: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['type', 'loc', 'msg'],
          properties: {
            type: str,
            loc: { type: 'array', minItems: 1, items: { type: ['string', 'integer'] } },
            msg: str,
            ctx: { type: 'object' },
          },
        },
      },
      errors: arrayOf(obj({ field: str, message: str })),
    },
  },
} satisfies Record<string, SchemaObject | ((...a: never[]) => SchemaObject)>;

const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/** Asserts `body` satisfies `schema`; a failure names every violated rule and shows the body. */
export function expectShape(body: unknown, schema: SchemaObject): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(body))
    throw new Error(
      `response does not match the v1 contract:\n${ajv.errorsText(validate.errors, { separator: '\n' })}\n` +
        `body: ${JSON.stringify(body, null, 1).slice(0, 2000)}`,
    );
}

/** Asserts a v1 response: status, JSON content type and the schema. */
export function expectV1(res: Response, status: number, schema: SchemaObject): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expectShape(res.body, schema);
}

/** Asserts a v1 error: problem+json, this status, and `detail` equal to the original's string. */
export function expectV1Problem(res: Response, status: number, detail?: string | RegExp): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status } });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expectShape(res.body, V1.problem);
  if (typeof detail === 'string') expect(res.body.detail).toBe(detail);
  else if (detail) expect(res.body.detail).toMatch(detail);
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(js|ts):\d+|QueryFailedError|node_modules/);
}

/**
 * Asserts a v1 422: problem+json with pydantic-style `detail` items and the v2 `errors` list, and
 * returns the message the original PWA would show (`Validation error: body.amount: …`).
 */
export function expectV1Validation(res: Response): string {
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 422 });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expectShape(res.body, V1.validationProblem);
  const items = res.body.detail as { loc: (string | number)[]; msg: string }[];
  for (const i of items) expect(['body', 'query', 'path']).toContain(i.loc[0]);
  return `Validation error: ${items.map((i) => `${i.loc.join('.')}: ${i.msg}`).join(', ')}`;
}

/**
 * A small demo-like world: three merchants (one with no sales), three customers buying from several
 * merchants, guests, sales paid at the counter, bills still due and bills settled. Built through
 * /api/v2 so any v1 test can read it back through /api/v1.
 */
export interface V1World {
  kirana: Account;
  pharmacy: Account;
  idle: Account;
  priya: Account;
  rahul: Account;
  /** A customer with no purchases. */
  anita: Account;
  /** Ids of the sales, by name, within their merchant. */
  sales: Record<string, number>;
}

export async function seedV1World(t: TestApp): Promise<V1World> {
  const [kirana, pharmacy, idle, priya, rahul, anita] = await Promise.all([
    registerMerchant(t, { business_name: 'Sharma Kirana', city: 'Pune', state: 'Maharashtra' }),
    registerMerchant(t, { business_name: 'Gupta Medicals', city: 'Nashik', state: 'Maharashtra' }),
    registerMerchant(t),
    registerUser(t, { name: 'Priya Sharma' }),
    registerUser(t, { name: 'Rahul Verma' }),
    registerUser(t, { name: 'Anita Desai' }),
  ]);
  const sales: Record<string, number> = {};
  const sell = async (name: string, m: Account, body: Record<string, unknown>) => {
    sales[name] = (await createSale(t, m, body)).transaction_id;
  };
  // One after another, so the newest-first order is the order written here.
  await sell('priyaPaid', kirana, { user_id: priya.id, amount: 25.5, type: 'paid', payment_method: 'upi' });
  await sell('priyaDue', kirana, { user_id: priya.id, amount: 40, type: 'pay_later', description: 'Rice' });
  await sell('priyaSettled', kirana, { user_id: priya.id, amount: 10.1, type: 'pay_later' });
  await sell('guestPaid', kirana, {
    is_guest_transaction: true,
    amount: 15.75,
    type: 'paid',
    payment_method: 'cash',
  });
  await sell('guestDue', kirana, { is_guest_transaction: true, amount: 12.5, type: 'pay_later' });
  await sell('rahulPaid', kirana, { user_id: rahul.id, amount: 0.1, type: 'paid', payment_method: 'cash' });
  await sell('rahulPaid2', kirana, { user_id: rahul.id, amount: 0.2, type: 'paid', payment_method: 'cash' });
  await sell('priyaPharmacy', pharmacy, {
    user_id: priya.id,
    amount: 100,
    type: 'paid',
    payment_method: 'card',
  });
  await sell('rahulPharmacyDue', pharmacy, { user_id: rahul.id, amount: 30.25, type: 'pay_later' });
  await sell('pharmacyGuest', pharmacy, { is_guest_transaction: true, amount: 5, type: 'paid' });
  const settle = await t.http
    .post(`/api/v2/transactions/${sales.priyaSettled}/settle`)
    .set(kirana.auth)
    .send({ payment_method: 'cash' });
  if (settle.status !== 200)
    throw new Error(`settle failed: ${settle.status} ${JSON.stringify(settle.body)}`);
  return { kirana, pharmacy, idle, priya, rahul, anita, sales };
}

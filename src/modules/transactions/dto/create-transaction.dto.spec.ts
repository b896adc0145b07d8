import 'reflect-metadata';
import {
  AppValidationPipe,
  precompiledBody,
  ValidationFailedException,
} from '../../../common/errors/validation.js';
import { checkCreateTransaction, CreateTransactionDto } from './create-transaction.dto.js';

const full = new AppValidationPipe(false);
const fast = new AppValidationPipe();
const meta = { type: 'body' as const, metatype: CreateTransactionDto };

/** A copy of a body (own fields only, its prototype kept), made in this realm as body-parser's would be. */
const copy = (body: unknown): unknown =>
  body && typeof body === 'object' && !Array.isArray(body)
    ? Object.assign(Object.create(Object.getPrototypeOf(body) as object | null) as object, body)
    : body;

/** What the full class-validator pipe makes of a body: the DTO, or the 422's field issues. */
async function fullPipe(body: unknown): Promise<unknown> {
  try {
    return await full.transform(copy(body), meta);
  } catch (err) {
    if (err instanceof ValidationFailedException) return { rejected: err.issues };
    throw err;
  }
}

/** Candidate values per field: valid, edge and wrong ones, as clients really send them. */
const VALUES: Record<string, unknown[]> = {
  user_id: [1, 42, 0, -3, 1.5, '7', null, true, 2 ** 53, [1]],
  amount: [25.5, 1, 0.01, 10_000_000, 10_000_000.01, 0, -5, 1.005, '25', NaN, null, 1e-7, { v: 1 }],
  type: ['paid', 'pay_later', 'PAID', ' Payed ', 'pending', 'pay-later', 'credit', 'cash', '', 3, null],
  description: ['Coffee', '  tea  ', '', 'x'.repeat(500), 'x'.repeat(501), '😀'.repeat(300), 5, null, ['a']],
  payment_method: ['upi', 'UPI', ' Bank Transfer ', 'bank-transfer', 'cheque', '', 1, null],
  reference_number: ['UPI-1', ' r ', 'x'.repeat(100), 'x'.repeat(101), 7, null],
  is_guest_transaction: [true, false, 'true', 1, null],
  guest_user_id: [3, 0, '3', 2.5, null],
  occurred_at: ['2026-11-24T04:30:00Z', '2026-11-24', '2026-11-24 10:00', '2026-W48-2', 'yesterday', 5, null],
  client_id: [
    '3f2b8c1e-9a4d-4c7e-8b1a-2d3e4f5a6b7c',
    '3F2B8C1E-9A4D-4C7E-8B1A-2D3E4F5A6B7C',
    'abc',
    '',
    1,
    null,
  ],
  items: [
    [{ name: 'Rice', quantity: 2, unit_price: 45 }],
    [
      { unit_price: 12.5, name: ' Sugar ', quantity: 0.125 },
      { name: 'Free bag', quantity: 1, unit_price: 0 },
    ],
    [{ name: 'Tea', quantity: 1_000_000, unit_price: 10_000_000 }],
    Array.from({ length: 100 }, (_, i) => ({ name: `Line ${i}`, quantity: 1, unit_price: 1 })),
    Array.from({ length: 101 }, (_, i) => ({ name: `Line ${i}`, quantity: 1, unit_price: 1 })),
    [],
    [{ name: 'Rice', quantity: 0, unit_price: 45 }],
    [{ name: 'Rice', quantity: 1.0005, unit_price: 45 }],
    [{ name: 'Rice', quantity: 1_000_000.5, unit_price: 45 }],
    [{ name: 'Rice', quantity: 2, unit_price: 45.001 }],
    [{ name: 'Rice', quantity: 2, unit_price: -1 }],
    [{ name: 'Rice', quantity: 2, unit_price: 10_000_000.01 }],
    [{ name: 'Rice', quantity: '2', unit_price: 45 }],
    [{ name: 'Rice', quantity: 1e-7, unit_price: 45 }],
    [{ name: '   ', quantity: 2, unit_price: 45 }],
    [{ name: 'x'.repeat(101), quantity: 2, unit_price: 45 }],
    [{ name: 'Rice', quantity: 2 }],
    [{ name: 'Rice', quantity: 2, unit_price: 45, sku: 'R1' }],
    [JSON.parse('{"name": "Rice", "quantity": 2, "unit_price": 45, "__proto__": {"x": 1}}')],
    [Object.assign(Object.create({ name: 'Rice' }), { quantity: 2, unit_price: 45 })],
    [[1, 2]],
    ['Rice'],
    { name: 'Rice', quantity: 2, unit_price: 45 },
    'Rice x2',
    null,
  ],
  calculation: ['2*45 + 3*12.5 - 10', '  200 - 10%  ', '', '1/0', 'x'.repeat(500), 'x'.repeat(501), 5, null],
};

/** A deterministic stream of numbers in [0, 1), so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

function bodies(count: number): unknown[] {
  const pick = random(18);
  const choose = <T>(xs: T[]) => xs[Math.floor(pick() * xs.length)];
  const out: unknown[] = [
    { amount: 25.5, type: 'paid', user_id: 9, payment_method: 'upi' },
    { amount: 120, type: 'pay_later', is_guest_transaction: true },
    { amount: 120, type: 'paid' },
    { type: 'paid', user_id: 9 },
    { amount: 5, user_id: 9 },
    { amount: 5, type: 'paid', user_id: 9, extra: 1 },
    JSON.parse('{"amount": 5, "type": "paid", "__proto__": {"admin": true}}'),
    Object.assign(Object.create({ amount: 5 }), { type: 'paid' }),
    [],
    null,
    'amount=5',
    {},
  ];
  const fields = Object.keys(VALUES);
  while (out.length < count) {
    const body: Record<string, unknown> = {};
    // Usually the required fields with valid values; sometimes anything.
    if (pick() < 0.8) body.amount = choose(VALUES.amount.slice(0, 4));
    if (pick() < 0.8) body.type = choose(VALUES.type.slice(0, 7));
    for (const field of fields) if (pick() < 0.3) body[field] = choose(VALUES[field]);
    // Shuffled key order: the DTO keeps the body's order, in both paths.
    out.push(Object.fromEntries(Object.entries(body).sort(() => pick() - 0.5)));
  }
  return out;
}

describe('the precompiled check of a sale body', () => {
  it('is the one the validation pipe uses for CreateTransactionDto bodies', () => {
    expect(precompiledBody(CreateTransactionDto)).toBe(checkCreateTransaction);
  });

  it('accepts exactly what class-validator accepts and builds the same DTO, or defers to it', async () => {
    let accepted = 0;
    for (const body of bodies(2000)) {
      const expected = await fullPipe(body);
      const checked = checkCreateTransaction(copy(body));
      if (checked === undefined) continue;
      accepted += 1;
      // Never accepted unless class-validator accepts it, with the same fields, values and order.
      expect({ body, result: expected }).toEqual({ body, result: checked });
      expect(expected).toBeInstanceOf(CreateTransactionDto);
      expect(Object.getPrototypeOf(checked)).toBe(CreateTransactionDto.prototype);
      expect(Object.entries(checked)).toEqual(Object.entries(expected as object));
    }
    // The usual sales take the fast path (the comparison above is not vacuous).
    expect(accepted).toBeGreaterThan(200);
  });

  it('takes the fast path for the usual sales, and the full one for the rest', () => {
    expect(
      checkCreateTransaction({ amount: 25.5, type: 'PAID', user_id: 9, payment_method: ' UPI ' }),
    ).toEqual(
      Object.assign(new CreateTransactionDto(), {
        amount: 25.5,
        type: 'paid',
        user_id: 9,
        payment_method: 'upi',
      }),
    );
    expect(
      checkCreateTransaction({ amount: 120, type: 'pay_later', is_guest_transaction: true }),
    ).toBeDefined();
    for (const body of [
      { amount: 5 },
      { amount: 5, type: 'paid', extra: 1 },
      { amount: 0.001, type: 'paid' },
    ])
      expect(checkCreateTransaction(body)).toBeUndefined();
  });

  it('answers an invalid body with the same 422 either way', async () => {
    const body = { amount: 0, type: 'cash', user_id: 9, extra: true };
    const [a, b] = await Promise.allSettled([fast.transform(body, meta), full.transform({ ...body }, meta)]);
    expect(a.status).toBe('rejected');
    expect((a as PromiseRejectedResult).reason).toEqual((b as PromiseRejectedResult).reason);
    expect(
      ((a as PromiseRejectedResult).reason as ValidationFailedException).errors.map((e) => e.field),
    ).toEqual(['extra', 'amount', 'type']);
  });
});

import { registerDecorator, ValidationOptions } from 'class-validator';

/** ₹1 crore: the most one sale or one payment may carry. */
export const MAX_AMOUNT_PAISE = 1_000_000_000;
const RUPEES = /^(0|[1-9]\d*)(\.\d{1,2})?$/;

/**
 * Converts a rupee amount from a request (a JSON number like 25.5) to integer paise, exactly.
 * The decimal text of the number is parsed, so 0.1 + 0.2 style float error can never enter the books.
 * Returns undefined when the value is not a positive rupee amount with at most two decimals.
 */
export function rupeesToPaise(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  const text = String(value);
  if (!RUPEES.test(text)) return undefined;
  const [whole, fraction = ''] = text.split('.');
  const paise = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return Number.isSafeInteger(paise) ? paise : undefined;
}

/**
 * A positive rupee amount with any number of decimals, rounded to the nearest paisa, half away from
 * zero (`3.3333333333333335` → 333, `1.005` → 101), from the number's decimal text so binary float
 * error cannot tip a half. Numeric strings are read the same way. Undefined when the value is not a
 * finite positive number or rounds to nothing.
 */
export function rupeesToPaiseRounded(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return undefined;
  const text = String(n);
  // Exponent notation: below 1e-6 it rounds to nothing, from 1e21 it is beyond any limit.
  if (/e/i.test(text)) return n < 1 ? undefined : Number.isSafeInteger(n * 100) ? n * 100 : undefined;
  const [whole, fraction = ''] = text.split('.');
  const paise =
    Number(whole) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0')) + (fraction[2] >= '5' ? 1 : 0);
  return paise > 0 && Number.isSafeInteger(paise) ? paise : undefined;
}

/** Paise to rupees for a response; integer paise divide by 100 to the exact shortest decimal. */
export function paiseToRupees(paise: number | string | bigint): number {
  return Number(paise) / 100;
}

/** Whether `value` is a rupee amount: positive, at most 2 decimals, at most ₹1 crore. */
export function isRupeeAmount(value: unknown): boolean {
  const paise = rupeesToPaise(value);
  return paise !== undefined && paise <= MAX_AMOUNT_PAISE;
}

/** A rupee amount: positive, at most 2 decimals, at most ₹1 crore. */
export function IsRupeeAmount(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isRupeeAmount',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: 'must be a positive amount in rupees with at most 2 decimals, up to 10000000',
        ...options,
      },
      validator: {
        validate: isRupeeAmount,
      },
    });
}

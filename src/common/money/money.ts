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

/** Paise to rupees for a response; integer paise divide by 100 to the exact shortest decimal. */
export function paiseToRupees(paise: number | string | bigint): number {
  return Number(paise) / 100;
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
        validate(value: unknown) {
          const paise = rupeesToPaise(value);
          return paise !== undefined && paise <= MAX_AMOUNT_PAISE;
        },
      },
    });
}

import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';

/**
 * A UPI virtual payment address (`handle@bank`), as NPCI's UPI linking specification shapes it: a
 * handle of letters, digits, `.`, `-` and `_`, then `@` and the bank's letters. Stored lower-case:
 * UPI addresses are case-insensitive, so `Ravi.Kirana@OKSBI` and `ravi.kirana@oksbi` are one payee.
 */
export const VPA_PATTERN = /^[a-z0-9._-]{2,256}@[a-z]{2,64}$/;

/** Trims and lower-cases a VPA from a request; anything else passes through to the validator. */
export function normaliseVpa(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().toLowerCase() : value;
}

/** A VPA field: normalised, then checked against {@link VPA_PATTERN}. */
export function IsUpiVpa(): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    Transform(({ value }) => normaliseVpa(value))(target, property);
    Matches(VPA_PATTERN, { message: 'must be a UPI address such as ravikirana@oksbi' })(target, property);
  };
}

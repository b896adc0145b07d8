import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';
// The core build with the metadata as a JS module (the default entry imports it as JSON).
import { parsePhoneNumberFromString } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';

/** Numbers written without a country code are Indian. */
const DEFAULT_PHONE_REGION = 'IN';
/** What a normalised number looks like: E.164. */
export const E164 = /^\+[1-9]\d{7,14}$/;

/**
 * The one phone normaliser (registration, lookups, the admin panel, the phone migration): any way of
 * writing a number — `00919876543210`, `098765 43210`, `+91 98765-43210`, `9876543210` — becomes its
 * E.164 form `+919876543210`, so that it is one number for lookups and duplicates. Input that is not a
 * possible phone number is returned compacted, for validation to reject.
 */
export function normalizePhone(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const compact = value.replace(/[\s\-().]/g, '');
  if (!/^\+?\d+$/.test(compact)) return compact;
  const parsed = parsePhoneNumberFromString(compact, DEFAULT_PHONE_REGION, metadata);
  return parsed?.isPossible() ? parsed.number : compact;
}

/** A phone number, normalised to E.164 (`+<country code><number>`). */
export function IsPhone(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    Transform(({ value }) => normalizePhone(value))(target, key);
    Matches(E164, { message: 'must be a phone number such as +919876543210' })(target, key);
  };
}

export function lastDigits(phone: string, count = 4): string {
  return phone.slice(-count);
}

/** A phone number with every digit but the last 4 hidden: `+919876543210` → `+********3210`. */
export function maskPhone(phone: string): string {
  return phone.replace(/\d(?=\d{4})/g, '*');
}

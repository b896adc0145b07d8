import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';

/**
 * Normalises an Indian or international phone number to `+<digits>`: a bare 10-digit Indian mobile
 * number gets +91, and spaces, dashes and brackets are dropped. Anything else is left for validation.
 */
export function normalizePhone(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const compact = value.replace(/[\s\-().]/g, '');
  if (/^[6-9]\d{9}$/.test(compact)) return `+91${compact}`;
  if (/^0[6-9]\d{9}$/.test(compact)) return `+91${compact.slice(1)}`;
  if (/^91[6-9]\d{9}$/.test(compact)) return `+${compact}`;
  return compact;
}

/** A phone number, normalised to `+<8 to 15 digits>`. */
export function IsPhone(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    Transform(({ value }) => normalizePhone(value))(target, key);
    Matches(/^\+?\d{8,15}$/, { message: 'must be a phone number such as +919876543210' })(target, key);
  };
}

export function lastDigits(phone: string, count = 4): string {
  return phone.slice(-count);
}

/** A phone number with every digit but the last 4 hidden: `+919876543210` → `+********3210`. */
export function maskPhone(phone: string): string {
  return phone.replace(/\d(?=\d{4})/g, '*');
}

import { registerDecorator, ValidationOptions } from 'class-validator';

export const DEFAULT_TIME_ZONE = 'Asia/Kolkata';
const known = new Set<string>([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);

/** True for IANA zone names this runtime knows (and PostgreSQL shares: both use the tz database). */
export function isTimeZone(value: unknown): value is string {
  return typeof value === 'string' && known.has(value);
}

/** An IANA time zone name such as `Asia/Kolkata`. */
export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an IANA time zone such as Asia/Kolkata', ...options },
      validator: { validate: isTimeZone },
    });
}

/** An instant as ISO 8601 in UTC with `Z`, or null. */
export function toIso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

import { registerDecorator, ValidationOptions } from 'class-validator';

export const DEFAULT_TIME_ZONE = 'Asia/Kolkata';
const verdicts = new Map<string, boolean>();
/** PostgreSQL's zone names (lower-cased), once loaded at start; until then the runtime alone decides. */
let databaseZones: ReadonlySet<string> | undefined;

/**
 * Narrows {@link isTimeZone} to the zones PostgreSQL knows (`pg_timezone_names`, loaded once at start):
 * a name the runtime still accepts but the database does not (`US/Pacific-New`) is then refused at
 * validation (422) instead of failing in a query (500).
 */
export function useDatabaseTimeZones(names: Iterable<string>): void {
  databaseZones = new Set([...names].map((n) => n.toLowerCase()));
  verdicts.clear();
}

/**
 * True for IANA zone names this runtime knows (PostgreSQL shares the tz database). Aliases count:
 * `Intl.supportedValuesOf` lists only canonical names (`Asia/Calcutta` on some runtimes), so the
 * runtime is asked directly, and the answer remembered.
 */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value))
    return false;
  let ok = verdicts.get(value);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      ok = databaseZones === undefined || databaseZones.has(value.toLowerCase());
    } catch {
      ok = false;
    }
    if (verdicts.size < 1000) verdicts.set(value, ok);
  }
  return ok;
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

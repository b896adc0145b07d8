import { isISO8601, registerDecorator, ValidationOptions } from 'class-validator';

/** A date and time without `Z` or an offset, with `T` or a space between them. */
const WITHOUT_ZONE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/**
 * An ISO 8601 calendar date or date-time as the instant it names, or undefined when it names none.
 * ISO 8601 also has week dates (`2026-W48-2`), ordinal dates (`2026-328`) and basic forms
 * (`20261124T043000Z`), which a validator accepts but JavaScript cannot read: those are refused,
 * never turned into an invalid Date. A date-time without a zone is read as UTC, like a bare date,
 * whatever the server's own time zone.
 */
export function parseInstant(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !isISO8601(value, { strict: true })) return undefined;
  const local = WITHOUT_ZONE.exec(value);
  const ms = Date.parse(local ? `${local[1]}T${local[2]}Z` : value);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/** An ISO 8601 date or instant that names a real moment (see {@link parseInstant}). */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an ISO 8601 date or instant such as 2026-11-24T04:30:00Z', ...options },
      validator: { validate: (value: unknown) => parseInstant(value) !== undefined },
    });
}

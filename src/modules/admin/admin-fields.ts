import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { AdminTable } from './admin-tables.js';
import type { AdminRow } from './admin.repository.js';

export type FieldValues = Record<string, string | boolean | null>;
/** A message per field that breaks its rule. */
export type FieldErrors = Record<string, string>;

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/**
 * Runs the table's DTO rules over the given fields (null: emptied, nothing to check): their normalised
 * values, or a message each, in the order given.
 */
function check(
  table: AdminTable,
  submitted: Record<string, string | null>,
): { values: FieldValues; errors: FieldErrors } {
  if (!table.fields) throw new Error(`${table.name} has no field rules`);
  const dto = plainToInstance(table.fields, submitted) as Record<string, string | boolean | null>;
  const broken = new Map(
    validateSync(dto, { skipMissingProperties: true }).map((e) => [
      e.property,
      Object.values(e.constraints ?? {})[0] ?? 'is not valid',
    ]),
  );
  const values: FieldValues = {};
  const errors: FieldErrors = {};
  for (const name of Object.keys(submitted)) {
    const problem = broken.get(name);
    if (problem) errors[name] = problem;
    else values[name] = submitted[name] === null ? null : dto[name];
  }
  return { values, errors };
}

/**
 * The editable fields present in a submitted form, normalised by the table's rules (those of
 * registration), with a message per bad field. The form sends every field back: one whose value did
 * not change is left alone, so a record stored under older rules can still be edited. An emptied
 * optional field is stored as null.
 */
export function readFields(
  table: AdminTable,
  payload: Record<string, unknown>,
  current?: AdminRow,
): { values: FieldValues; errors: FieldErrors } {
  const submitted: Record<string, string | null> = {};
  for (const column of table.columns) {
    if (!column.edit || !(column.name in payload)) continue;
    const raw = text(payload[column.name]);
    if (current && raw === text(current[column.name])) continue;
    submitted[column.name] = raw.trim() === '' && !column.required ? null : raw;
  }
  return check(table, submitted);
}

/** Why a new password breaks the table's password rule, or undefined when it is acceptable. */
export function passwordProblem(table: AdminTable, password: string): string | undefined {
  return check(table, { password }).errors.password;
}

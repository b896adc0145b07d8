import { SetMetadata } from '@nestjs/common';
import { paiseToRupees } from '../money/money.js';

/**
 * The compatibility surface: `/api/v1` speaks the original GraminStore API (its paths, shapes and
 * vocabulary) over the same services as `/api/v2`. This file holds what every v1 controller and
 * mapper shares.
 */
export const V1 = '1';
const V1_PATH_PREFIX = '/api/v1';

/** True when a request path (without the query) belongs to the v1 surface. */
export function isV1Path(path: string | undefined): boolean {
  return !!path && (path === V1_PATH_PREFIX || path.startsWith(`${V1_PATH_PREFIX}/`));
}

export const LENIENT_FIELDS = 'graminstore:lenient-fields';

/**
 * On a body or query DTO class: unknown fields are dropped instead of rejected, as the original
 * API did. The global validation pipe reads this from the DTO class, so the choice is per route
 * (v1 routes use lenient DTOs; v2 DTOs keep rejecting unknown fields).
 */
export const LenientFields = (): ClassDecorator => SetMetadata(LENIENT_FIELDS, true);

/** A v1 time stamp: ISO 8601 in UTC with `Z` (the original's zone-less strings showed UTC as local). */
export function v1Instant(value: Date | string): string;
export function v1Instant(value: Date | string | null): string | null;
export function v1Instant(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** A v1 amount: a JSON number of rupees, exact to the paisa (always computed from integer paise). */
export function v1Amount(paise: number | string | bigint | null | undefined): number {
  return paise === null || paise === undefined ? 0 : paiseToRupees(paise);
}

/**
 * The original's validation error item (pydantic style): what its PWA reads on a 422 as
 * `loc.join('.') + ': ' + msg`.
 */
export interface V1ValidationItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

/**
 * How a v1 DTO says which pydantic error a failed constraint is, e.g.
 * `@Min(1, v1Rule('greater_than_equal', 'Input should be greater than or equal to 1', { ge: 1 }))`.
 */
export function v1Rule(type: string, msg: string, ctx?: Record<string, unknown>) {
  return { message: msg, context: { v1: { type, ctx } } };
}

import { paiseToRupees } from '../../common/money/money.js';
import type { AdminColumn, AdminTable } from './admin-tables.js';
import type { AdminRow, Condition } from './admin.repository.js';

/**
 * The panel's requests in the terms of the table specs: record ids, filters, sort and page as the
 * repository takes them, and rows as the panel shows them.
 */

/** A filter as the panel sends it: a text, or a from/to range for dates. */
export type FilterValue = string | { from?: string; to?: string };

export interface SortRequest {
  sortBy?: string;
  direction?: string;
}

export interface Sort {
  column: AdminColumn;
  direction: 'asc' | 'desc';
}

export const MAX_PAGE = 500;

/** "1" or "5-42" (merchant 5, transaction 42) for the table's key; undefined for anything else. */
export function parseRecordId(table: AdminTable, recordId: string | number): string[] | undefined {
  const parts = String(recordId).split('-');
  if (parts.length !== table.key.length || !parts.every((p) => /^\d{1,18}$/.test(p))) return undefined;
  return parts;
}

/** A page size of 1..MAX_PAGE (10 when unusable) and an offset of 0 or more. */
export function pageOf(limit: number, offset: number): { limit: number; offset: number } {
  return {
    limit: Math.min(Math.max(1, Math.trunc(limit) || 10), MAX_PAGE),
    offset: Math.max(0, Math.trunc(offset) || 0),
  };
}

/** Filters on declared filterable columns only; a value that cannot match yields no rows. */
export function conditionsOf(table: AdminTable, filters: Record<string, FilterValue>): Condition[] {
  const out: Condition[] = [];
  for (const [path, value] of Object.entries(filters)) {
    const column = table.columns.find((c) => c.name === path && c.filter);
    if (!column) continue;
    if (column.kind === 'datetime') {
      if (typeof value !== 'object') continue;
      for (const [bound, op] of [
        ['from', 'gte'],
        ['to', 'lte'],
      ] as const) {
        const at = value[bound] ? new Date(value[bound]) : undefined;
        if (at && !Number.isNaN(at.getTime())) out.push({ column, op, value: at.toISOString() });
      }
      continue;
    }
    if (typeof value !== 'string' || value.trim() === '') continue;
    out.push(conditionOf(column, value.trim()));
  }
  return out;
}

function conditionOf(column: AdminColumn, value: string): Condition {
  switch (column.kind) {
    case 'integer':
    case 'reference':
      return /^\d{1,18}$/.test(value) ? { column, op: 'eq', value } : { op: 'never' };
    case 'enum':
      return column.values?.includes(value) ? { column, op: 'eq', value } : { op: 'never' };
    case 'boolean':
      return value === 'true' || value === 'false'
        ? { column, op: 'eq', value: value === 'true' }
        : { op: 'never' };
    default:
      return { column, op: 'contains', value };
  }
}

/** The requested sortable column and direction, else the table's default order. */
export function sortOf(table: AdminTable, sort: SortRequest): Sort {
  const requested = table.columns.find((c) => c.name === sort.sortBy && c.sort);
  const column = requested ?? table.columns.find((c) => c.name === table.sort.column)!;
  const direction =
    sort.direction === 'asc' || sort.direction === 'desc'
      ? sort.direction
      : requested
        ? 'asc'
        : table.sort.direction;
  return { column, direction };
}

/** A row as the panel shows it: amounts in paise become rupees with two decimals. */
export function toRecord(table: AdminTable, row: AdminRow): AdminRow {
  const record: AdminRow = { ...row };
  for (const column of table.columns) {
    const value = record[column.name];
    if (column.kind === 'rupees' && (typeof value === 'string' || typeof value === 'number'))
      record[column.name] = paiseToRupees(value).toFixed(2);
  }
  return record;
}

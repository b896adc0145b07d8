import type { Type } from '@nestjs/common';
import { AdminFieldsDto, CustomerFieldsDto, MerchantFieldsDto } from './dto/admin-fields.dto.js';

/**
 * What the admin panel may see and change, table by table. Columns are an allow-list: a column that
 * is not declared here (`password_hash`, the full `aadhar_number`) is never selected, so it can reach
 * neither the page nor the JSON behind it. The SQL built from these specs (admin.repository.ts) uses
 * only the names written here, quoted, and binds every value.
 */

export type AdminTableName =
  'merchants' | 'users' | 'guest_users' | 'transactions' | 'admins' | 'admin_audit_log';

/**
 * - `text`, `longtext`: filtered by case-insensitive substring;
 * - `integer`, `reference`: exact match on an integer id;
 * - `enum`: exact match on one of `values`;
 * - `boolean`, `datetime` (filtered by a from/to range);
 * - `rupees`: integer paise shown as rupees (display only);
 * - `password`: a write-only form field, never selected (admins only).
 */
export type ColumnKind =
  'text' | 'longtext' | 'integer' | 'reference' | 'enum' | 'boolean' | 'datetime' | 'rupees' | 'password';

export interface AdminColumn {
  /** The column name, the record key and the AdminJS property path. */
  readonly name: string;
  readonly kind: ColumnKind;
  readonly label?: string;
  /** A read-only SQL expression over the table's own columns, selected `AS name`. */
  readonly sql?: string;
  readonly reference?: AdminTableName;
  readonly values?: readonly string[];
  /** Shown in the list view (everything not write-only is shown on the record page). */
  readonly list?: boolean;
  readonly filter?: boolean;
  readonly sort?: boolean;
  /** The record's title (in references, search and breadcrumbs). */
  readonly title?: boolean;
  /** Editable in the admin's edit form, checked by the table's `fields` rules. */
  readonly edit?: boolean;
  /** Required when editable; an emptied optional field is stored as null. */
  readonly required?: boolean;
}

export interface AdminTable {
  readonly name: AdminTableName;
  readonly label: string;
  /** Primary-key columns; a record id is their values joined with '-'. */
  readonly key: readonly string[];
  readonly columns: readonly AdminColumn[];
  readonly sort: { readonly column: string; readonly direction: 'asc' | 'desc' };
  /** Set to now() on every edit. */
  readonly touch?: string;
  readonly actions: { readonly edit: boolean; readonly create: boolean; readonly delete: boolean };
  /** The DTO whose class-validator rules check (and normalise) an edit: the account's registration rules. */
  readonly fields?: Type<object>;
  /** Sidebar group. */
  readonly group: 'People' | 'Money' | 'Administration';
}

const TYPES = ['paid', 'pay_later'] as const;
const STATUSES = ['paid', 'due', 'partially_paid'] as const;
const METHODS = ['cash', 'upi', 'card', 'online', 'bank_transfer', 'other'] as const;

const id: AdminColumn = { name: 'id', kind: 'integer', label: 'ID', list: true, filter: true, sort: true };
const createdAt: AdminColumn = { name: 'created_at', kind: 'datetime', list: true, filter: true, sort: true };
const updatedAt: AdminColumn = { name: 'updated_at', kind: 'datetime', sort: true };
const isActive: AdminColumn = {
  name: 'is_active',
  kind: 'boolean',
  label: 'Active',
  list: true,
  filter: true,
  edit: true,
};
/** An editable text column with these traits, checked by its table's `fields` rules. */
const field = (name: string, traits: Partial<AdminColumn> = {}): AdminColumn => ({
  name,
  kind: 'text',
  edit: true,
  ...traits,
});
const listed = { list: true, filter: true, sort: true };
// The contact fields merchants and customers share.
const email = field('email', { ...listed, required: true });
const phone = field('phone', { list: true, filter: true, required: true });
const address = field('address');
const city = field('city', listed);
const state = field('state', { filter: true, sort: true });

export const ADMIN_TABLES: readonly AdminTable[] = [
  {
    name: 'merchants',
    label: 'Merchants',
    group: 'People',
    key: ['id'],
    sort: { column: 'id', direction: 'desc' },
    touch: 'updated_at',
    actions: { edit: true, create: false, delete: true },
    fields: MerchantFieldsDto,
    columns: [
      id,
      field('business_name', { ...listed, title: true, required: true }),
      field('name', { ...listed, label: 'Owner', required: true }),
      email,
      phone,
      field('business_type', { filter: true }),
      address,
      city,
      state,
      field('zip_code', { label: 'PIN code', filter: true }),
      field('country', { required: true }),
      field('timezone', { label: 'Time zone', required: true }),
      // Only the last 4 digits ever leave the database.
      { name: 'aadhar_last_4', kind: 'text', label: 'Aadhaar (last 4)', sql: 'right(aadhar_number, 4)' },
      isActive,
      createdAt,
      updatedAt,
    ],
  },
  {
    name: 'users',
    label: 'Customers',
    group: 'People',
    key: ['id'],
    sort: { column: 'id', direction: 'desc' },
    touch: 'updated_at',
    actions: { edit: true, create: false, delete: true },
    fields: CustomerFieldsDto,
    columns: [
      id,
      field('name', { ...listed, title: true, required: true }),
      email,
      phone,
      address,
      city,
      state,
      isActive,
      createdAt,
      updatedAt,
    ],
  },
  {
    name: 'guest_users',
    label: 'Guest buyers',
    group: 'People',
    key: ['id'],
    sort: { column: 'id', direction: 'desc' },
    // Every column of a guest is an invariant (whose guest, which sale): nothing to edit by hand.
    actions: { edit: false, create: false, delete: true },
    columns: [
      id,
      { name: 'label', kind: 'text', label: 'Guest', sql: `'Guest #' || id`, title: true },
      {
        name: 'merchant_id',
        kind: 'reference',
        label: 'Merchant',
        reference: 'merchants',
        list: true,
        filter: true,
      },
      { name: 'transaction_id', kind: 'integer', label: 'Transaction ID', list: true, filter: true },
      createdAt,
    ],
  },
  {
    name: 'transactions',
    label: 'Transactions',
    group: 'Money',
    // Ids are unique across merchants, but the merchant id lets a lookup go straight to one merchant table.
    key: ['merchant_id', 'id'],
    sort: { column: 'occurred_at', direction: 'desc' },
    actions: { edit: false, create: false, delete: false },
    columns: [
      { name: 'ref', kind: 'text', label: 'Reference', sql: `merchant_id || '-' || id` },
      { ...id, title: true },
      {
        name: 'merchant_id',
        kind: 'reference',
        label: 'Merchant',
        reference: 'merchants',
        list: true,
        filter: true,
      },
      { name: 'user_id', kind: 'reference', label: 'Customer', reference: 'users', list: true, filter: true },
      {
        name: 'guest_user_id',
        kind: 'reference',
        label: 'Guest',
        reference: 'guest_users',
        list: true,
        filter: true,
      },
      { name: 'amount', kind: 'rupees', label: 'Amount (₹)', sql: 'amount_paise', list: true, sort: true },
      { name: 'type', kind: 'enum', values: TYPES, list: true, filter: true },
      { name: 'status', kind: 'enum', values: STATUSES, list: true, filter: true },
      { name: 'paid', kind: 'rupees', label: 'Paid (₹)', sql: 'paid_paise' },
      { name: 'payment_method', kind: 'enum', values: METHODS, filter: true },
      { name: 'description', kind: 'text', filter: true },
      { name: 'reference_number', kind: 'text', filter: true },
      { name: 'client_id', kind: 'text', label: 'Client ID', sql: 'client_id::text' },
      { name: 'seq', kind: 'integer', label: 'Change sequence' },
      { name: 'occurred_at', kind: 'datetime', label: 'Date', list: true, filter: true, sort: true },
      createdAt,
      { name: 'settled_at', kind: 'datetime', filter: true, sort: true },
    ],
  },
  {
    name: 'admins',
    label: 'Admins',
    group: 'Administration',
    key: ['id'],
    sort: { column: 'id', direction: 'asc' },
    // Admins are deactivated, not deleted: the audit trail keeps pointing at them.
    actions: { edit: true, create: true, delete: false },
    fields: AdminFieldsDto,
    columns: [
      id,
      field('name', { ...listed, required: true }),
      field('email', { ...listed, title: true, required: true }),
      // Write-only: hashed on save, never read back.
      { name: 'password', kind: 'password', label: 'New password' },
      isActive,
      { name: 'last_login_at', kind: 'datetime', list: true, sort: true },
      createdAt,
    ],
  },
  {
    name: 'admin_audit_log',
    label: 'Audit log',
    group: 'Administration',
    key: ['id'],
    sort: { column: 'id', direction: 'desc' },
    actions: { edit: false, create: false, delete: false },
    columns: [
      { ...id, title: false },
      { name: 'occurred_at', kind: 'datetime', label: 'When', list: true, filter: true, sort: true },
      { name: 'admin_id', kind: 'reference', label: 'Admin', reference: 'admins', filter: true },
      { name: 'admin_email', kind: 'text', label: 'Who', list: true, filter: true, sort: true },
      { name: 'action', kind: 'text', list: true, filter: true, sort: true, title: true },
      { name: 'resource', kind: 'text', list: true, filter: true, sort: true },
      { name: 'record_id', kind: 'text', label: 'Record', list: true, filter: true },
      { name: 'outcome', kind: 'enum', values: ['ok', 'rejected', 'failed'], list: true, filter: true },
      { name: 'details', kind: 'longtext', sql: 'details::text' },
      { name: 'ip', kind: 'text', label: 'IP', filter: true },
      { name: 'request_id', kind: 'text', label: 'Request ID', filter: true },
    ],
  },
];

/** The spec of one table; throws for a name that is not an admin table. */
export function adminTable(name: string): AdminTable {
  const table = ADMIN_TABLES.find((t) => t.name === name);
  if (!table) throw new Error(`Not an admin table: ${name}`);
  return table;
}

import { Property } from '@adminjs/sql';
import {
  BaseRecord,
  BaseResource,
  ValidationError,
  type ActionContext,
  type ActionRequest,
  type ActionResponse,
  type After,
  type Before,
  type CurrentAdmin,
  type Filter,
  type PropertyType,
  type ResourceOptions,
  type ResourceWithOptions,
} from 'adminjs';
import { DomainError, ForbiddenError } from '../../common/errors/domain-error.js';
import type { AdminAuditService } from './admin-audit.service.js';
import type { FilterValue } from './admin-query.js';
import type { AdminIdentity } from './admin-request.js';
import { AdminRecordRejected, type AdminResourcesService } from './admin-resources.service.js';
import { ADMIN_TABLES, type AdminColumn, type AdminTable, type ColumnKind } from './admin-tables.js';
import type { AdminRow } from './admin.repository.js';

// The AdminJS side of the admin tables: one resource per table spec, reading and writing through
// AdminResourcesService, with hooks that keep secrets out and audit every read.

/** Where the `new` and `edit` hooks leave a submitted password for the resource (never in params). */
const NEW_PASSWORD = 'graminstoreNewPassword';

const GROUP_ICONS: Record<AdminTable['group'], string> = {
  People: 'Users',
  Money: 'DollarSign',
  Administration: 'Settings',
};

const TYPES: Record<ColumnKind, PropertyType> = {
  text: 'string',
  longtext: 'textarea',
  integer: 'number',
  reference: 'reference',
  enum: 'string',
  boolean: 'boolean',
  datetime: 'datetime',
  rupees: 'string',
  password: 'password',
};

/** The column a record's id comes from: the key itself, or `ref` for a composite key. */
function recordIdColumn(table: AdminTable): string {
  return table.key.length === 1 ? table.key[0] : 'ref';
}

export function actorOf(admin: CurrentAdmin | undefined): AdminIdentity {
  if (!admin?.id) throw new ValidationError({}, { message: 'Please sign in again.' });
  return { id: Number(admin.id), email: admin.email, name: String(admin.title ?? admin.email) };
}

/** AdminJS's filter as plain values: text, or a from/to range. */
function filterValues(filter: Filter | undefined): Record<string, FilterValue> {
  const values: Record<string, FilterValue> = {};
  for (const [path, element] of Object.entries(filter?.filters ?? {})) {
    const value: unknown = element.value;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      values[path] = String(value);
    else if (value && typeof value === 'object') {
      const { from, to } = value as { from?: unknown; to?: unknown };
      values[path] = {
        from: typeof from === 'string' ? from : undefined,
        to: typeof to === 'string' ? to : undefined,
      };
    }
  }
  return values;
}

/**
 * Turns the service's refusals into AdminJS validation errors, shown beside the fields and as a
 * notice. A refusal that is about no field is pinned to `field` too: AdminJS's edit and new actions
 * report success unless some field has an error.
 */
async function asAdminJs<T>(field: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AdminRecordRejected)
      throw new ValidationError(
        Object.fromEntries(Object.entries(err.fields).map(([name, message]) => [name, { message }])),
        { message: err.detail },
      );
    if (err instanceof DomainError)
      throw new ValidationError({ [field]: { message: err.detail } }, { message: err.detail });
    throw err;
  }
}

/**
 * One admin table as an AdminJS resource. Properties are @adminjs/sql's, built from our spec instead
 * of its schema introspection; data goes through AdminResourcesService (and so AdminRepository's allow-listed
 * SQL), never through a `SELECT *`.
 */
class TableResource extends BaseResource {
  private readonly props: Property[];
  private readonly idColumn: string;

  constructor(
    private readonly table: AdminTable,
    private readonly service: AdminResourcesService,
  ) {
    super(table.name);
    this.idColumn = recordIdColumn(table);
    this.props = table.columns.map(
      (column, position) =>
        new Property({
          name: column.name,
          isId: column.name === this.idColumn,
          position,
          isNullable: !column.required,
          isEditable: Boolean(column.edit) || column.kind === 'password',
          type: TYPES[column.kind],
          referencedTable: column.reference ?? null,
          availableValues: column.values ? [...column.values] : null,
        }),
    );
  }

  override databaseName(): string {
    return 'graminstore';
  }
  override databaseType(): string {
    return 'Postgres';
  }
  override id(): string {
    return this.table.name;
  }
  override properties(): Property[] {
    return this.props;
  }
  override property(path: string): Property | null {
    return this.props.find((p) => p.path() === path) ?? null;
  }

  override count(filter: Filter): Promise<number> {
    return this.service.count(this.table.name, filterValues(filter));
  }

  override async find(
    filter: Filter,
    options: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } },
  ): Promise<BaseRecord[]> {
    const rows = await this.service.list(
      this.table.name,
      filterValues(filter),
      options.sort ?? {},
      options.limit,
      options.offset,
    );
    return rows.map((row) => new BaseRecord(row, this));
  }

  override async findOne(id: string): Promise<BaseRecord | null> {
    const row = await this.service.findOne(this.table.name, id);
    return row ? new BaseRecord(row, this) : null;
  }

  override async findMany(ids: (string | number)[]): Promise<BaseRecord[]> {
    const rows = await this.service.findMany(this.table.name, ids);
    return rows.map((row) => new BaseRecord(row, this));
  }

  /** Only admins are created here: merchants and customers register through the API. */
  override create(params: Record<string, unknown>, context?: ActionContext): Promise<AdminRow> {
    return asAdminJs(this.idColumn, async () => {
      if (this.table.name !== 'admins')
        throw new ForbiddenError(`${this.table.label} cannot be created here.`);
      return this.service.createAdmin(actorOf(context?.currentAdmin), params, context?.[NEW_PASSWORD]);
    });
  }

  override update(id: string, params: Record<string, unknown>, context?: ActionContext): Promise<AdminRow> {
    return asAdminJs(this.idColumn, () =>
      this.service.update(
        actorOf(context?.currentAdmin),
        this.table.name,
        id,
        params,
        context?.[NEW_PASSWORD],
      ),
    );
  }

  override delete(id: string, context?: ActionContext): Promise<void> {
    return asAdminJs(this.idColumn, () =>
      this.service.delete(actorOf(context?.currentAdmin), this.table.name, id),
    );
  }
}

/**
 * Keeps only the fields the admin may submit. AdminJS copies the payload into the record before it
 * saves (and echoes it back), so anything else — an `id`, a `password_hash` — must not get that far.
 */
function onlyEditable(table: AdminTable): Before {
  const editable = new Set(table.columns.filter((c) => c.edit || c.kind === 'password').map((c) => c.name));
  return async (request) =>
    request.payload
      ? {
          ...request,
          payload: Object.fromEntries(Object.entries(request.payload).filter(([k]) => editable.has(k))),
        }
      : request;
}

/** Takes a submitted password out of the payload before AdminJS copies the payload into the record. */
const holdPassword: Before = async (request, context) => {
  const payload = request.payload;
  if (!payload || !('password' in payload)) return request;
  const { password, ...rest } = payload;
  context[NEW_PASSWORD] = typeof password === 'string' && password !== '' ? password : undefined;
  return { ...request, payload: rest };
};

/** Secrets have no property, but a response is scrubbed anyway before it leaves. */
const SECRET_PARAMS = ['password', 'password_hash', 'aadhar_number'];
type RecordJson = { params?: Record<string, unknown>; populated?: Record<string, RecordJson | null> };
function scrub(record: RecordJson | undefined | null): void {
  if (!record) return;
  if (record.params) for (const key of SECRET_PARAMS) delete record.params[key];
  for (const referenced of Object.values(record.populated ?? {})) scrub(referenced);
}
const scrubSecrets: After<ActionResponse> = async (response) => {
  scrub(response.record);
  for (const record of response.records ?? []) scrub(record);
  return response;
};

/** The filters, page, search text or ids a read asked for: what the admin looked at. */
function readDetails(request: ActionRequest): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  const filters = Object.entries(request.query ?? {}).filter(([k]) => k.startsWith('filters.'));
  if (filters.length) details.filters = Object.fromEntries(filters.map(([k, v]) => [k.slice(8), v]));
  if (request.query?.page) details.page = request.query.page;
  if (request.params.query) details.search = request.params.query;
  if (request.query?.recordIds) details.record_ids = request.query.recordIds;
  return details;
}

function resourceOptions(table: AdminTable, audit: AdminAuditService): ResourceOptions {
  // Writes are audited by AdminResourcesService with their outcome; this records every read.
  const auditRead: After<ActionResponse> = async (response, request, context) => {
    if (request.method === 'get')
      await audit.record(actorOf(context.currentAdmin), {
        action: context.action.name,
        resource: table.name,
        recordId: request.params.recordId ?? null,
        outcome: 'ok',
        details: readDetails(request),
      });
    return response;
  };
  const after = [scrubSecrets, auditRead];
  const before = [
    onlyEditable(table),
    ...(table.columns.some((c) => c.kind === 'password') ? [holdPassword] : []),
  ];
  const visible = (column: AdminColumn) => ({
    list: Boolean(column.list),
    show: column.kind !== 'password',
    edit: Boolean(column.edit) || column.kind === 'password',
    filter: Boolean(column.filter),
  });
  return {
    id: table.name,
    navigation: { name: table.group, icon: GROUP_ICONS[table.group] },
    sort: { sortBy: table.sort.column, direction: table.sort.direction },
    properties: Object.fromEntries(
      table.columns.map((column, position) => [
        column.name,
        {
          position,
          isVisible: visible(column),
          isSortable: Boolean(column.sort),
          isTitle: Boolean(column.title),
        },
      ]),
    ),
    actions: {
      list: { after },
      show: { after },
      search: { after },
      new: { isAccessible: table.actions.create, before, after },
      edit: { isAccessible: table.actions.edit, before, after },
      delete: { isAccessible: table.actions.delete, after },
      bulkDelete: { isAccessible: false },
    },
  };
}

/** Every admin table as an AdminJS resource with its options. */
export function adminJsResources(
  resources: AdminResourcesService,
  audit: AdminAuditService,
): ResourceWithOptions[] {
  return ADMIN_TABLES.map((table) => ({
    resource: new TableResource(table, resources),
    options: resourceOptions(table, audit),
  }));
}

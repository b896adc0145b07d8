import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../../common/auth/role.js';
import { SessionRevocations, type SessionsEnded } from '../../common/auth/session-revocations.js';
import { ADMIN_PASSWORD_MIN_CHARS, passwordProblem } from '../../common/auth/credential-rules.js';
import { PasswordService } from '../../common/auth/password.service.js';
import {
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
} from '../../common/errors/domain-error.js';
import { violatedUniqueConstraint } from '../../common/errors/pg-error.js';
import { requestContext } from '../../common/logging/request-context.js';
import { paiseToRupees } from '../../common/money/money.js';
import { DEFAULT_TIME_ZONE, toIso } from '../../common/time/time-zone.js';
import { normalizeEmail } from '../../common/http/email.js';
import { AdminsRepository } from '../auth/admins.repository.js';
import { LoginLimiter } from '../auth/login-limiter.js';
import { RefreshTokensRepository } from '../auth/refresh-tokens.repository.js';
import { adminRequestContext } from './admin-request.js';
import { adminTable, FieldRejected, type AdminColumn, type AdminTable } from './admin-tables.js';
import { AdminRepository, type AdminRow, type AuditEntry, type Condition } from './admin.repository.js';
import { AdminDashboardDto } from './dto/admin-dashboard.dto.js';
import { AdminErrorCode } from '../../common/errors/error-codes.js';

/** The signed-in admin, as kept in the panel's session. */
export interface AdminIdentity {
  id: number;
  email: string;
  name: string;
}

/** A filter as the panel sends it: a text, or a from/to range for dates. */
export type FilterValue = string | { from?: string; to?: string };

export interface SortRequest {
  sortBy?: string;
  direction?: string;
}

/** A record the admin submitted breaks the rules of some fields: a message per field. */
export class AdminRecordRejected extends DomainError {
  constructor(readonly fields: Record<string, string>) {
    super(AdminErrorCode.RecordRejected, 'Some fields are not valid.', {
      errors: Object.entries(fields).map(([field, message]) => ({ field, message })),
    });
  }
}

const MAX_PAGE = 500;
/** The tables that hold accounts someone signs in with, and their role. */
const ACCOUNT_ROLES: Partial<Record<string, Role>> = {
  merchants: 'merchant',
  users: 'user',
  admins: 'admin',
};
/** Unique indexes of the admin tables, and the field each one is about. */
const UNIQUE_FIELDS: Record<string, string> = {
  merchants_email_key: 'email',
  merchants_phone_key: 'phone',
  users_email_key: 'email',
  users_phone_key: 'phone',
  admins_email_key: 'email',
};

/** "1" or "5-42" (merchant 5, transaction 42) for the table's key; undefined for anything else. */
function parseRecordId(table: AdminTable, recordId: string | number): string[] | undefined {
  const parts = String(recordId).split('-');
  if (parts.length !== table.key.length || !parts.every((p) => /^\d{1,18}$/.test(p))) return undefined;
  return parts;
}

function uniqueViolationField(err: unknown): string | undefined {
  const constraint = violatedUniqueConstraint(err);
  return constraint ? UNIQUE_FIELDS[constraint] : undefined;
}

/**
 * The rules of the admin panel: who may sign in, what each table lets an admin see, filter, change
 * and delete, and the audit trail of every action. AdminJS talks to this service only; it never
 * sees a password hash or a full Aadhaar number, because the specs never select them.
 */
@Injectable()
export class AdminService {
  private readonly logger = new Logger('AdminAudit');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: AdminRepository,
    private readonly admins: AdminsRepository,
    private readonly passwords: PasswordService,
    private readonly loginLimiter: LoginLimiter,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly revocations: SessionRevocations,
  ) {}

  /**
   * Checks an admin's email and password (bcrypt). Unknown accounts cost the same time as wrong
   * passwords; inactive admins cannot sign in; attempts count against the same login limits as the
   * REST admin login (LoginLimiter), and over them sign-in is refused outright. Every outcome is
   * audited.
   */
  async authenticate(email: unknown, password: unknown): Promise<AdminIdentity | null> {
    const address = typeof email === 'string' ? normalizeEmail(email).slice(0, 254) : '';
    try {
      await this.loginLimiter.check('admin', address, adminRequestContext.getStore()?.ip);
    } catch (err) {
      await this.audit(null, {
        action: 'login',
        outcome: 'rejected',
        details: { email: address, reason: 'throttled' },
      });
      throw err;
    }
    const account = address ? await this.admins.findByEmailWithSecrets(address) : null;
    const ok = await this.passwords.compareOrBurn(
      typeof password === 'string' ? password : '',
      account?.passwordHash,
    );
    if (!ok || !account || !account.isActive) {
      await this.audit(null, { action: 'login', outcome: 'rejected', details: { email: address } });
      return null;
    }
    await this.admins.touchLogin(account.id);
    const identity = { id: account.id, email: account.email, name: account.name };
    await this.audit(identity, { action: 'login', outcome: 'ok' });
    return identity;
  }

  /** Whether a signed-in admin may still act (deactivated admins lose their sessions). */
  isActiveAdmin(id: number): Promise<boolean> {
    return this.repo.isActiveAdmin(id);
  }

  /** Merchants, customers, today's sales (Indian Standard Time) and what is still owed, system-wide. */
  async systemTotals(): Promise<AdminDashboardDto> {
    const row = await this.repo.systemTotals(DEFAULT_TIME_ZONE);
    return {
      timezone: DEFAULT_TIME_ZONE,
      generated_at: new Date().toISOString(),
      merchants: { total: Number(row.merchants), active: Number(row.active_merchants) },
      users: Number(row.users),
      guest_users: Number(row.guest_users),
      today: {
        from: toIso(row.today_from)!,
        to: toIso(row.today_to)!,
        transactions: Number(row.today_transactions),
        sales: paiseToRupees(row.today_sales_paise),
        sales_paise: Number(row.today_sales_paise),
      },
      outstanding: {
        bills: Number(row.open_bills),
        amount: paiseToRupees(row.outstanding_paise),
        amount_paise: Number(row.outstanding_paise),
      },
    };
  }

  async count(tableName: string, filters: Record<string, FilterValue>): Promise<number> {
    const table = adminTable(tableName);
    return this.repo.count(table, this.conditions(table, filters));
  }

  async list(
    tableName: string,
    filters: Record<string, FilterValue>,
    sort: SortRequest,
    limit = 10,
    offset = 0,
  ): Promise<AdminRow[]> {
    const table = adminTable(tableName);
    const rows = await this.repo.find(
      table,
      this.conditions(table, filters),
      this.sortOf(table, sort),
      Math.min(Math.max(1, Math.trunc(limit) || 10), MAX_PAGE),
      Math.max(0, Math.trunc(offset) || 0),
    );
    return rows.map((r) => this.toRecord(table, r));
  }

  async findOne(tableName: string, recordId: string): Promise<AdminRow | null> {
    return (await this.findMany(tableName, [recordId]))[0] ?? null;
  }

  async findMany(tableName: string, recordIds: readonly (string | number)[]): Promise<AdminRow[]> {
    const table = adminTable(tableName);
    const keys = recordIds.map((id) => parseRecordId(table, id)).filter((k) => k !== undefined);
    const rows = await this.repo.findByKeys(table, keys.slice(0, MAX_PAGE));
    return rows.map((r) => this.toRecord(table, r));
  }

  /**
   * Saves the editable fields present in `payload` (others are ignored), each through its column's
   * rule. For admins, a non-empty `newPassword` is hashed and stored; an admin cannot deactivate
   * themselves, and the last active admin cannot be deactivated.
   */
  async update(
    actor: AdminIdentity,
    tableName: string,
    recordId: string,
    payload: Record<string, unknown>,
    newPassword?: string,
  ): Promise<AdminRow> {
    const table = adminTable(tableName);
    if (!table.actions.edit) throw new ForbiddenError(`${table.label} cannot be edited.`);
    if (table.name === 'admins') await this.requireSuperAdmin(actor, table, recordId, 'edit');
    const key = parseRecordId(table, recordId);
    const [current] = key ? await this.repo.findByKeys(table, [key]) : [];
    if (!key || !current) throw new NotFoundError('Record');

    const { values, errors } = this.readFields(table, payload, current);
    const password = table.name === 'admins' ? newPassword : undefined;
    if (password) this.checkPassword(password, errors);
    const changed = Object.keys(values).filter((c) => values[c] !== current[c]);
    const changes = Object.fromEntries(changed.map((c) => [c, values[c]]));
    if (table.name === 'admins' && changes.is_active === false && Number(recordId) === actor.id)
      errors.is_active = 'You cannot deactivate yourself.';
    await this.rejectIfAny(actor, table, recordId, 'edit', errors);
    const passwordHash = password ? await this.passwords.hash(password) : undefined;
    if (passwordHash) changed.push('password');
    // Switching an account off ends its sessions; so does a new password or email for an admin.
    const role = ACCOUNT_ROLES[table.name];
    const ending =
      role && (changes.is_active === false || (role === 'admin' && (passwordHash || 'email' in changes)))
        ? { role, id: Number(key[0]) }
        : undefined;

    const row = await this.write(actor, table, recordId, 'edit', async () =>
      this.dataSource.transaction(async (manager) => {
        if (table.name === 'admins' && changes.is_active === false) {
          const active = await this.repo.lockActiveAdmins(manager);
          if (active.length <= 1 && active.includes(Number(recordId)))
            throw new UnprocessableError(
              AdminErrorCode.LastAdmin,
              'The last active admin cannot be deactivated.',
            );
        }
        const updated = await this.repo.update(manager, table, key, changes);
        if (updated && passwordHash) await this.repo.setAdminPassword(manager, key[0], passwordHash);
        if (updated && ending) await this.endSessions(manager, ending);
        return updated;
      }),
    );
    if (!row) throw new NotFoundError('Record');
    if (ending) this.revocations.publish(ending);
    await this.audit(actor, {
      action: 'edit',
      resource: table.name,
      recordId,
      outcome: 'ok',
      details: { changed },
    });
    return this.toRecord(table, row);
  }

  /** Creates an admin; the password is required and only its bcrypt hash is stored. */
  async createAdmin(
    actor: AdminIdentity,
    payload: Record<string, unknown>,
    password?: string,
  ): Promise<AdminRow> {
    const table = adminTable('admins');
    await this.requireSuperAdmin(actor, table, null, 'new');
    const { values, errors } = this.readFields(table, payload);
    for (const column of table.columns)
      if (column.required && values[column.name] === undefined && !errors[column.name])
        errors[column.name] = 'is required';
    if (!password) errors.password = 'is required';
    else this.checkPassword(password, errors);
    await this.rejectIfAny(actor, table, null, 'new', errors);
    const row = await this.write(actor, table, null, 'new', async () =>
      this.repo.insertAdmin(
        table,
        { name: String(values.name), email: String(values.email), is_active: values.is_active !== false },
        await this.passwords.hash(password!),
      ),
    );
    await this.audit(actor, { action: 'new', resource: table.name, recordId: String(row.id), outcome: 'ok' });
    return this.toRecord(table, row);
  }

  /**
   * Deletes a record only where nothing hangs off it: a merchant or customer without sales (their
   * tokens, and a merchant's empty table, go too), a guest never used in a sale. Everything else is
   * refused with the reason. Checks and delete run in one transaction with the row locked.
   */
  async delete(actor: AdminIdentity, tableName: string, recordId: string): Promise<void> {
    const table = adminTable(tableName);
    if (!table.actions.delete) throw new ForbiddenError(`${table.label} cannot be deleted.`);
    const key = parseRecordId(table, recordId);
    if (!key) throw new NotFoundError('Record');
    const id = Number(key[0]);
    await this.write(actor, table, recordId, 'delete', () =>
      this.dataSource.transaction(async (manager) => {
        if (table.name === 'merchants') {
          if (!(await this.repo.lockMerchant(manager, id))) throw new NotFoundError('Merchant');
          if (await this.repo.merchantHasTransactions(manager, id))
            throw new UnprocessableError(
              AdminErrorCode.MerchantHasTransactions,
              'This merchant has transactions, so it cannot be deleted. Deactivate it instead.',
            );
          await this.repo.deleteMerchant(manager, id);
        } else if (table.name === 'users') {
          if (!(await this.repo.lockUser(manager, id))) throw new NotFoundError('Customer');
          if (await this.repo.userHasTransactions(manager, id))
            throw new UnprocessableError(
              AdminErrorCode.UserHasTransactions,
              'This customer has transactions, so they cannot be deleted. Deactivate them instead.',
            );
          await this.repo.deleteUser(manager, id);
        } else {
          const guest = await this.repo.lockGuest(manager, id);
          if (!guest) throw new NotFoundError('Guest');
          if (guest.transaction_id !== null || (await this.repo.guestHasTransactions(manager, id)))
            throw new UnprocessableError(
              AdminErrorCode.GuestUsed,
              'This guest has a transaction, so it cannot be deleted.',
            );
          await this.repo.deleteGuest(manager, id);
        }
      }),
    );
    // The account's refresh tokens went with it; its access tokens and sockets end now.
    const role = ACCOUNT_ROLES[table.name];
    if (role) this.revocations.publish({ role, id });
    await this.audit(actor, { action: 'delete', resource: table.name, recordId, outcome: 'ok' });
  }

  /** Only a super-admin manages admins: anyone else is refused (and the attempt audited). */
  private async requireSuperAdmin(
    actor: AdminIdentity,
    table: AdminTable,
    recordId: string | null,
    action: string,
  ): Promise<void> {
    if (await this.repo.isSuperAdmin(actor.id)) return;
    await this.audit(actor, {
      action,
      resource: table.name,
      recordId,
      outcome: 'rejected',
      details: { reason: 'not a super-admin' },
    });
    throw new ForbiddenError('Only a super-admin manages admins.');
  }

  /** Revokes an account's refresh tokens (and an admin's panel sessions) inside the caller's transaction. */
  private async endSessions(manager: EntityManager, ended: SessionsEnded): Promise<void> {
    await this.refreshTokens.revokeSubject(manager, ended.role, ended.id);
    if (ended.role === 'admin')
      await this.repo.endPanelSessions(manager, ended.id, adminRequestContext.getStore()?.sessionId?.());
  }

  /**
   * Records an admin action: a structured log line, and a row in `admin_audit_log` with the caller's
   * address and request id. A failure to write the row is logged, never thrown at the admin.
   */
  async audit(
    actor: AdminIdentity | null,
    entry: Omit<AuditEntry, 'adminId' | 'adminEmail' | 'ip' | 'requestId'>,
  ): Promise<void> {
    const full: AuditEntry = {
      ...entry,
      adminId: actor?.id ?? null,
      adminEmail: actor?.email ?? null,
      ip: adminRequestContext.getStore()?.ip ?? null,
      requestId: requestContext.getStore()?.requestId ?? null,
    };
    this.logger.log({
      msg: 'admin action',
      admin_id: full.adminId,
      admin_email: full.adminEmail,
      action: full.action,
      resource: full.resource,
      record_id: full.recordId,
      outcome: full.outcome,
      details: full.details,
      ip: full.ip,
    });
    try {
      await this.repo.insertAudit(full);
    } catch (err) {
      this.logger.error({ msg: 'could not write the admin audit log', err });
    }
  }

  /** Runs a write; refusals and unique violations are audited as rejected and thrown as field errors. */
  private async write<T>(
    actor: AdminIdentity,
    table: AdminTable,
    recordId: string | null,
    action: string,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const field = uniqueViolationField(err);
      const reason = field ? `${field} is taken` : err instanceof DomainError ? err.detail : undefined;
      await this.audit(actor, {
        action,
        resource: table.name,
        recordId,
        outcome: reason ? 'rejected' : 'failed',
        details: reason ? { reason } : {},
      });
      if (field)
        throw new AdminRecordRejected({ [field]: `This ${field} is already used by another account.` });
      throw err;
    }
  }

  private async rejectIfAny(
    actor: AdminIdentity,
    table: AdminTable,
    recordId: string | null,
    action: string,
    errors: Record<string, string>,
  ): Promise<void> {
    if (!Object.keys(errors).length) return;
    await this.audit(actor, {
      action,
      resource: table.name,
      recordId,
      outcome: 'rejected',
      details: { fields: Object.keys(errors) },
    });
    throw new AdminRecordRejected(errors);
  }

  /**
   * The editable columns present in a submitted form, normalised, with a message per bad field.
   * The form sends every field back: one whose value did not change is left alone, so a record
   * stored under older rules can still be edited.
   */
  private readFields(
    table: AdminTable,
    payload: Record<string, unknown>,
    current?: AdminRow,
  ): { values: Record<string, string | boolean | null>; errors: Record<string, string> } {
    const values: Record<string, string | boolean | null> = {};
    const errors: Record<string, string> = {};
    const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
    for (const column of table.columns) {
      if (!column.edit || !(column.name in payload)) continue;
      const raw = payload[column.name];
      if (current && text(raw) === text(current[column.name])) continue;
      try {
        values[column.name] = column.edit(text(raw));
      } catch (err) {
        if (!(err instanceof FieldRejected)) throw err;
        errors[column.name] = err.message;
      }
    }
    return { values, errors };
  }

  private checkPassword(password: string, errors: Record<string, string>): void {
    const problem = passwordProblem(password, ADMIN_PASSWORD_MIN_CHARS);
    if (problem) errors.password = problem;
  }

  /** Filters on declared filterable columns only; a value that cannot match yields no rows. */
  private conditions(table: AdminTable, filters: Record<string, FilterValue>): Condition[] {
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
      out.push(this.condition(column, value.trim()));
    }
    return out;
  }

  private condition(column: AdminColumn, value: string): Condition {
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

  private sortOf(table: AdminTable, sort: SortRequest): { column: AdminColumn; direction: 'asc' | 'desc' } {
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

  private toRecord(table: AdminTable, row: AdminRow): AdminRow {
    const record: AdminRow = { ...row };
    for (const column of table.columns) {
      const value = record[column.name];
      if (column.kind === 'rupees' && (typeof value === 'string' || typeof value === 'number'))
        record[column.name] = paiseToRupees(value).toFixed(2);
    }
    return record;
  }
}

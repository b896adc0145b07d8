import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../../common/auth/role.js';
import { SessionRevocations, type SessionsEnded } from '../../common/auth/session-revocations.js';
import { PasswordService } from '../../common/auth/password.service.js';
import {
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
} from '../../common/errors/domain-error.js';
import { violatedUniqueConstraint } from '../../common/errors/pg-error.js';
import { paiseToRupees } from '../../common/money/money.js';
import { DEFAULT_TIME_ZONE, toIso } from '../../common/time/time-zone.js';
import { AccountsRepository } from '../auth/accounts.repository.js';
import { AdminAccountsRepository } from '../auth/admin-accounts.repository.js';
import { RefreshTokensRepository } from '../auth/refresh-tokens.repository.js';
import { AdminAuditService } from './admin-audit.service.js';
import { passwordProblem, readFields, type FieldErrors } from './admin-fields.js';
import {
  conditionsOf,
  MAX_PAGE,
  pageOf,
  parseRecordId,
  sortOf,
  toRecord,
  type FilterValue,
  type SortRequest,
} from './admin-query.js';
import { adminRequestContext, type AdminIdentity } from './admin-request.js';
import { adminTable, type AdminTable } from './admin-tables.js';
import { AdminRepository, type AdminRow } from './admin.repository.js';
import { AdminDashboardDto } from './dto/admin-dashboard.dto.js';
import { AdminErrorCode } from '../../common/errors/error-codes.js';

/** A record the admin submitted breaks the rules of some fields: a message per field. */
export class AdminRecordRejected extends DomainError {
  constructor(readonly fields: FieldErrors) {
    super(AdminErrorCode.RecordRejected, 'Some fields are not valid.', {
      errors: Object.entries(fields).map(([field, message]) => ({ field, message })),
    });
  }
}

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

function uniqueViolationField(err: unknown): string | undefined {
  const constraint = violatedUniqueConstraint(err);
  return constraint ? UNIQUE_FIELDS[constraint] : undefined;
}

/** Who did what to which record, for the audit entries of one write. */
interface Write {
  actor: AdminIdentity;
  table: AdminTable;
  recordId: string | null;
  action: 'edit' | 'new' | 'delete';
}

/**
 * What each table lets an admin see, filter, change and delete (admin-tables.ts), and the system
 * totals of the dashboard. AdminJS reaches the data through this service only; it never sees a
 * password hash or a full Aadhaar number, because the specs never select them. Every write is audited
 * with its outcome.
 */
@Injectable()
export class AdminResourcesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: AdminRepository,
    private readonly adminAccounts: AdminAccountsRepository,
    private readonly accounts: AccountsRepository,
    private readonly passwords: PasswordService,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly revocations: SessionRevocations,
    private readonly audit: AdminAuditService,
  ) {}

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

  /** How many records of the table match the filters. */
  async count(tableName: string, filters: Record<string, FilterValue>): Promise<number> {
    const table = adminTable(tableName);
    return this.repo.count(table, conditionsOf(table, filters));
  }

  /** One page of the table's records, filtered and sorted on declared columns only. */
  async list(
    tableName: string,
    filters: Record<string, FilterValue>,
    sort: SortRequest,
    limit = 10,
    offset = 0,
  ): Promise<AdminRow[]> {
    const table = adminTable(tableName);
    const page = pageOf(limit, offset);
    const rows = await this.repo.find(
      table,
      conditionsOf(table, filters),
      sortOf(table, sort),
      page.limit,
      page.offset,
    );
    return rows.map((r) => toRecord(table, r));
  }

  async findOne(tableName: string, recordId: string): Promise<AdminRow | null> {
    return (await this.findMany(tableName, [recordId]))[0] ?? null;
  }

  /** The records with these ids; ids that are malformed or unknown are left out. */
  async findMany(tableName: string, recordIds: readonly (string | number)[]): Promise<AdminRow[]> {
    const table = adminTable(tableName);
    const keys = recordIds.map((id) => parseRecordId(table, id)).filter((k) => k !== undefined);
    const rows = await this.repo.findByKeys(table, keys.slice(0, MAX_PAGE));
    return rows.map((r) => toRecord(table, r));
  }

  /**
   * Saves the editable fields present in `payload` (others are ignored), each through the table's
   * rules. For admins, a non-empty `newPassword` is hashed and stored; an admin cannot deactivate
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
    const write: Write = { actor, table, recordId, action: 'edit' };
    if (!table.actions.edit) throw new ForbiddenError(`${table.label} cannot be edited.`);
    if (table.name === 'admins') await this.requireSuperAdmin(write);
    const key = parseRecordId(table, recordId);
    const [current] = key ? await this.repo.findByKeys(table, [key]) : [];
    if (!key || !current) throw new NotFoundError('Record');

    const { values, errors } = readFields(table, payload, current);
    const password = table.name === 'admins' ? newPassword : undefined;
    if (password) this.checkPassword(table, password, errors);
    const changed = Object.keys(values).filter((c) => values[c] !== current[c]);
    const changes = Object.fromEntries(changed.map((c) => [c, values[c]]));
    if (table.name === 'admins' && changes.is_active === false && Number(recordId) === actor.id)
      errors.is_active = 'You cannot deactivate yourself.';
    await this.rejectIfAny(write, errors);
    const passwordHash = password ? await this.passwords.hash(password) : undefined;
    if (passwordHash) changed.push('password');
    // Switching an account off ends its sessions; so does a new password or email for an admin.
    const role = ACCOUNT_ROLES[table.name];
    const ending =
      role && (changes.is_active === false || (role === 'admin' && (passwordHash || 'email' in changes)))
        ? { role, id: Number(key[0]) }
        : undefined;

    const row = await this.audited(write, async () =>
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
        if (updated && passwordHash)
          await this.accounts.setPassword(manager, 'admin', Number(key[0]), passwordHash);
        if (updated && ending) await this.endSessions(manager, ending);
        return updated;
      }),
    );
    if (!row) throw new NotFoundError('Record');
    if (ending) this.revocations.publish(ending);
    await this.audit.record(actor, {
      action: 'edit',
      resource: table.name,
      recordId,
      outcome: 'ok',
      details: { changed },
    });
    return toRecord(table, row);
  }

  /** Creates an admin; the password is required and only its bcrypt hash is stored. */
  async createAdmin(
    actor: AdminIdentity,
    payload: Record<string, unknown>,
    password?: string,
  ): Promise<AdminRow> {
    const table = adminTable('admins');
    const write: Write = { actor, table, recordId: null, action: 'new' };
    await this.requireSuperAdmin(write);
    const { values, errors } = readFields(table, payload);
    for (const column of table.columns)
      if (column.required && values[column.name] == null && !errors[column.name])
        errors[column.name] = 'is required';
    if (!password) errors.password = 'is required';
    else this.checkPassword(table, password, errors);
    await this.rejectIfAny(write, errors);
    const row = await this.audited(write, async () =>
      this.repo.insertAdmin(
        table,
        { name: String(values.name), email: String(values.email), is_active: values.is_active !== false },
        await this.passwords.hash(password!),
      ),
    );
    await this.audit.record(actor, {
      action: 'new',
      resource: table.name,
      recordId: String(row.id),
      outcome: 'ok',
    });
    return toRecord(table, row);
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
    await this.audited({ actor, table, recordId, action: 'delete' }, () =>
      this.dataSource.transaction((manager) => this.deleteLocked(manager, table, id)),
    );
    // The account's refresh tokens went with it; its access tokens and sockets end now.
    const role = ACCOUNT_ROLES[table.name];
    if (role) this.revocations.publish({ role, id });
    await this.audit.record(actor, { action: 'delete', resource: table.name, recordId, outcome: 'ok' });
  }

  private async deleteLocked(manager: EntityManager, table: AdminTable, id: number): Promise<void> {
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
  }

  /** Only a super-admin manages admins: anyone else is refused (and the attempt audited). */
  private async requireSuperAdmin(write: Write): Promise<void> {
    if (await this.adminAccounts.isSuperAdmin(write.actor.id)) return;
    await this.auditRejected(write, { reason: 'not a super-admin' });
    throw new ForbiddenError('Only a super-admin manages admins.');
  }

  /** Revokes an account's refresh tokens (and an admin's panel sessions) inside the caller's transaction. */
  private async endSessions(manager: EntityManager, ended: SessionsEnded): Promise<void> {
    await this.refreshTokens.revokeSubject(manager, ended.role, ended.id);
    if (ended.role === 'admin')
      await this.repo.endPanelSessions(manager, ended.id, adminRequestContext.getStore()?.sessionId?.());
  }

  /** Runs a write; refusals and unique violations are audited as rejected and thrown as field errors. */
  private async audited<T>(write: Write, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const field = uniqueViolationField(err);
      const reason = field ? `${field} is taken` : err instanceof DomainError ? err.detail : undefined;
      if (reason) await this.auditRejected(write, { reason });
      else await this.audit.record(write.actor, { ...this.subject(write), outcome: 'failed', details: {} });
      if (field)
        throw new AdminRecordRejected({ [field]: `This ${field} is already used by another account.` });
      throw err;
    }
  }

  private async rejectIfAny(write: Write, errors: FieldErrors): Promise<void> {
    if (!Object.keys(errors).length) return;
    await this.auditRejected(write, { fields: Object.keys(errors) });
    throw new AdminRecordRejected(errors);
  }

  private auditRejected(write: Write, details: Record<string, unknown>): Promise<void> {
    return this.audit.record(write.actor, { ...this.subject(write), outcome: 'rejected', details });
  }

  private subject(write: Write): { action: string; resource: string; recordId: string | null } {
    return { action: write.action, resource: write.table.name, recordId: write.recordId };
  }

  private checkPassword(table: AdminTable, password: string, errors: FieldErrors): void {
    const problem = passwordProblem(table, password);
    if (problem) errors.password = problem;
  }
}

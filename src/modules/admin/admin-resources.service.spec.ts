import type { DataSource, EntityManager } from 'typeorm';
import type { PasswordService } from '../../common/auth/password.service.js';
import type { SessionRevocations, SessionsEnded } from '../../common/auth/session-revocations.js';
import { ForbiddenError, UnprocessableError } from '../../common/errors/domain-error.js';
import type { AccountsRepository } from '../auth/accounts.repository.js';
import type { AdminAccountsRepository } from '../auth/admin-accounts.repository.js';
import type { RefreshTokensRepository } from '../auth/refresh-tokens.repository.js';
import { AdminAuditService } from './admin-audit.service.js';
import { AdminRecordRejected, AdminResourcesService } from './admin-resources.service.js';
import type { AdminTable } from './admin-tables.js';
import type { AdminRepository, AdminRow, AuditEntry, Condition } from './admin.repository.js';

/** A repository with only the methods a test gives it. */
const fake = <T>(methods: Partial<T>) => methods as T;

const admin = { id: 1, email: 'admin@graminstore.com', name: 'Administrator' };
const merchant: AdminRow = {
  id: 9,
  business_name: 'Ravi Kirana',
  name: 'Ravi',
  email: 'ravi@example.com',
  phone: '+919876543210',
  city: 'Pune',
  zip_code: '411001',
  country: 'India',
  timezone: 'Asia/Kolkata',
  is_active: true,
};

function setup(options: { superAdmin?: boolean; rows?: AdminRow[]; writeError?: unknown } = {}) {
  const audit: AuditEntry[] = [];
  const updates: AdminRow[] = [];
  const published: SessionsEnded[] = [];
  const revoked: string[] = [];
  const passwordsSet: number[] = [];
  const queries: { conditions: readonly Condition[]; sort: string; limit: number; offset: number }[] = [];
  const rows = options.rows ?? [merchant];
  const repo = fake<AdminRepository>({
    insertAudit: async (e) => void audit.push(e),
    findByKeys: async (_t: AdminTable, keys: readonly (readonly string[])[]) =>
      rows.filter((r) => keys.some((k) => String(r.id) === k[0])),
    find: async (_t, conditions, sort, limit, offset) => {
      queries.push({ conditions, sort: `${sort.column.name} ${sort.direction}`, limit, offset });
      return [{ id: 1, amount: '25050' }];
    },
    update: async (_m, _t, key, values) => {
      if (options.writeError) throw options.writeError;
      updates.push(values);
      return { ...rows.find((r) => String(r.id) === key[0]), ...values };
    },
    insertAdmin: async (_t, values) => ({ id: 12, ...values }),
    lockActiveAdmins: async () => [1],
    endPanelSessions: async () => undefined,
    lockMerchant: async () => true,
    merchantHasTransactions: async () => true,
  });
  const service = new AdminResourcesService(
    fake<DataSource>({
      transaction: (async (run: (m: EntityManager) => Promise<unknown>) =>
        run({} as EntityManager)) as DataSource['transaction'],
    }),
    repo,
    fake<AdminAccountsRepository>({ isSuperAdmin: async () => options.superAdmin ?? true }),
    fake<AccountsRepository>({ setPassword: async (_m, _r, id) => void passwordsSet.push(id) }),
    fake<PasswordService>({ hash: async (p) => `hash:${p}` }),
    fake<RefreshTokensRepository>({
      revokeSubject: async (_m, role, id) => void revoked.push(`${role}:${id}`),
    }),
    fake<SessionRevocations>({ publish: (e) => void published.push(e) }),
    new AdminAuditService(repo),
  );
  return { service, audit, updates, published, revoked, passwordsSet, queries };
}

describe('AdminResourcesService', () => {
  describe('reading', () => {
    it('turns filters into conditions on filterable columns only, and shows paise as rupees', async () => {
      const { service, queries } = setup();
      const rows = await service.list(
        'transactions',
        { merchant_id: '5', status: 'refunded', amount: '10', description: ' rice ' },
        {},
        9999,
        -3,
      );
      expect(rows).toEqual([{ id: 1, amount: '250.50' }]);
      const [query] = queries;
      expect(
        query.conditions.map((c) => (c.op === 'never' ? 'never' : `${c.column.name} ${c.op} ${c.value}`)),
      ).toEqual(['merchant_id eq 5', 'never', 'description contains rice']);
      expect(query).toMatchObject({ sort: 'occurred_at desc', limit: 500, offset: 0 });
    });

    it('leaves out malformed record ids', async () => {
      const { service } = setup();
      expect(await service.findMany('merchants', ['9', '9; DROP TABLE merchants', '1-2'])).toEqual([
        merchant,
      ]);
      expect(await service.findOne('merchants', 'abc')).toBeNull();
    });
  });

  describe('editing', () => {
    it('applies the registration rules: NFKC, lower-case email and an E.164 phone; unchanged fields are left alone', async () => {
      const { service, updates, audit } = setup();
      await service.update(admin, 'merchants', '9', {
        ...merchant,
        email: ' Ravi.Kirana@ＥＸＡＭＰＬＥ.com ',
        phone: '098765 43211',
        city: '',
      });
      expect(updates).toEqual([{ email: 'ravi.kirana@example.com', phone: '+919876543211', city: null }]);
      expect(audit.at(-1)).toMatchObject({
        action: 'edit',
        outcome: 'ok',
        details: { changed: ['email', 'phone', 'city'] },
      });
    });

    it('refuses a look-alike email, as registration does, field by field and audited', async () => {
      const { service, updates, audit } = setup();
      const err = await service
        .update(admin, 'merchants', '9', { email: 'rаvi@example.com', country: 'I', timezone: 'Mars/Base' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdminRecordRejected);
      expect(Object.keys((err as AdminRecordRejected).fields).sort()).toEqual([
        'country',
        'email',
        'timezone',
      ]);
      expect((err as AdminRecordRejected).fields.email).toMatch(/several alphabets/);
      expect(updates).toEqual([]);
      expect(audit).toMatchObject([
        { outcome: 'rejected', details: { fields: ['email', 'country', 'timezone'] } },
      ]);
    });

    it('ends the sessions of a merchant switched off', async () => {
      const { service, revoked, published } = setup();
      await service.update(admin, 'merchants', '9', { is_active: 'false' });
      expect(revoked).toEqual(['merchant:9']);
      expect(published).toEqual([{ role: 'merchant', id: 9 }]);
    });

    it('turns a taken email into a field error', async () => {
      const taken = Object.assign(new Error('duplicate'), {
        code: '23505',
        constraint: 'merchants_email_key',
      });
      const { service, audit } = setup({ writeError: taken });
      const err = await service
        .update(admin, 'merchants', '9', { email: 'sita@example.com' })
        .catch((e: unknown) => e);
      expect((err as AdminRecordRejected).fields).toEqual({
        email: 'This email is already used by another account.',
      });
      expect(audit.at(-1)).toMatchObject({ outcome: 'rejected', details: { reason: 'email is taken' } });
    });
  });

  describe('admins', () => {
    const adminRow = { id: 1, name: 'Administrator', email: 'admin@graminstore.com', is_active: true };

    it('holds new admin passwords to the one password rule, with the admins’ minimum', async () => {
      const { service } = setup({ rows: [adminRow] });
      const problem = (password: string) =>
        service
          .createAdmin(admin, { name: 'Ops', email: 'ops@graminstore.com' }, password)
          .catch((e: AdminRecordRejected) => e.fields.password);
      expect(await problem('nine-char')).toBe('must be at least 10 characters');
      expect(await problem('password123')).toMatch(/too common/);
      expect(await problem('x'.repeat(73))).toMatch(/72 bytes/);
      const created = await service.createAdmin(
        admin,
        { name: 'Ops', email: 'Ops@GraminStore.com' },
        'night-shift-42',
      );
      expect(created).toEqual({ id: 12, name: 'Ops', email: 'ops@graminstore.com', is_active: true });
    });

    it('lets only a super-admin manage admins', async () => {
      const { service, audit } = setup({ superAdmin: false, rows: [adminRow] });
      await expect(service.update(admin, 'admins', '1', { name: 'Me' })).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      expect(audit).toMatchObject([{ outcome: 'rejected', details: { reason: 'not a super-admin' } }]);
    });

    it('stores a new password as a hash and ends the admin’s other sessions', async () => {
      const { service, passwordsSet, revoked, audit } = setup({ rows: [{ ...adminRow, id: 2 }] });
      await service.update(admin, 'admins', '2', {}, 'night-shift-42');
      expect(passwordsSet).toEqual([2]);
      expect(revoked).toEqual(['admin:2']);
      expect(audit.at(-1)).toMatchObject({ details: { changed: ['password'] } });
    });

    it('refuses to deactivate yourself', async () => {
      const { service } = setup({ rows: [adminRow] });
      const err = await service.update(admin, 'admins', '1', { is_active: 'false' }).catch((e: unknown) => e);
      expect((err as AdminRecordRejected).fields).toEqual({ is_active: 'You cannot deactivate yourself.' });
    });
  });

  it('refuses to delete a merchant who has sales, and says why', async () => {
    const { service, audit, published } = setup();
    await expect(service.delete(admin, 'merchants', '9')).rejects.toBeInstanceOf(UnprocessableError);
    expect(published).toEqual([]);
    expect(audit).toMatchObject([
      {
        action: 'delete',
        outcome: 'rejected',
        details: { reason: expect.stringMatching(/has transactions/) },
      },
    ]);
  });
});

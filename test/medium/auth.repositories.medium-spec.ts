import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '../../src/common/auth/role.js';
import { AccountsRepository } from '../../src/modules/auth/accounts.repository.js';
import { AdminAccountsRepository } from '../../src/modules/auth/admin-accounts.repository.js';
import { Admin } from '../../src/modules/auth/entities/admin.entity.js';
import { RefreshToken } from '../../src/modules/auth/entities/refresh-token.entity.js';
import { RefreshTokensRepository } from '../../src/modules/auth/refresh-tokens.repository.js';
import { MerchantsRepository } from '../../src/modules/merchants/merchants.repository.js';
import { UsersRepository } from '../../src/modules/users/users.repository.js';
import { unique } from '../support/factories.js';
import { entityColumns, tableColumns } from './columns.js';
import { useMediumDatabase } from './medium-database.js';
import { newMerchant, newUser } from './rows.js';

const DAY_MS = 86_400_000;

describe('auth repositories (PostgreSQL)', () => {
  const db = useMediumDatabase();
  let admins: AdminAccountsRepository;
  let accounts: AccountsRepository;
  let tokens: RefreshTokensRepository;

  beforeAll(() => {
    admins = new AdminAccountsRepository(db.dataSource);
    accounts = new AccountsRepository(db.dataSource);
    tokens = new RefreshTokensRepository(db.dataSource);
  });

  const adminEmail = () => `admin.${unique()}@example.com`;
  /** One account of each role, for the role-generic repository. */
  async function account(role: Role): Promise<number> {
    if (role === 'merchant')
      return (await new MerchantsRepository(db.dataSource).insert(db.dataSource.manager, newMerchant())).id;
    if (role === 'user') return (await new UsersRepository(db.dataSource).insert(newUser())).id;
    const email = adminEmail();
    await admins.insertIfMissing(email, 'admin-hash');
    return (await admins.findByEmailWithSecrets(email))!.id;
  }

  describe('AdminAccountsRepository', () => {
    it('maps every column of `admins` that the entity declares, with its type and nullability', async () => {
      expect(await tableColumns(db.dataSource, 'admins')).toMatchObject(entityColumns(db.dataSource, Admin));
    });

    it('round-trips every column; the first admin is the super-admin, later ones are not', async () => {
      const first = adminEmail();
      expect(await admins.insertIfMissing(first, 'hash-1')).toBe(true);
      const row = await admins.findByEmailWithSecrets(first.toUpperCase());
      expect(row).toEqual({
        id: expect.any(Number),
        name: 'Administrator',
        email: first,
        passwordHash: 'hash-1',
        isActive: true,
        lastLoginAt: null,
        createdAt: expect.any(Date),
      } satisfies Record<keyof Admin, unknown>);
      const second = adminEmail();
      await admins.insertIfMissing(second, 'hash-2');
      const supers: { email: string; is_super: boolean }[] = await db.dataSource.query(
        `SELECT email, is_super FROM admins WHERE email = ANY($1) ORDER BY id`,
        [[first, second]],
      );
      expect(supers).toEqual([
        { email: first, is_super: true },
        { email: second, is_super: false },
      ]);
    });

    it('leaves an existing admin alone, whatever the case of the email (no error, no change)', async () => {
      const email = adminEmail();
      await admins.insertIfMissing(email, 'original');
      expect(await admins.insertIfMissing(email.toUpperCase(), 'replaced')).toBe(false);
      expect(await admins.findByEmailWithSecrets(email)).toMatchObject({ passwordHash: 'original' });
    });

    it('creates one admin when several instances boot at once', async () => {
      const email = adminEmail();
      const created = await Promise.all(Array.from({ length: 5 }, () => admins.insertIfMissing(email, 'h')));
      expect(created.filter(Boolean)).toHaveLength(1);
    });

    it('stamps the last login, and answers null for an unknown email', async () => {
      const email = adminEmail();
      await admins.insertIfMissing(email, 'h');
      const { id } = (await admins.findByEmailWithSecrets(email))!;
      await admins.touchLogin(id);
      const after = await admins.findByEmailWithSecrets(email);
      expect(after!.lastLoginAt).toBeInstanceOf(Date);
      expect(Math.abs(after!.lastLoginAt!.getTime() - Date.now())).toBeLessThan(60_000);
      expect(await admins.findByEmailWithSecrets('nobody@example.com')).toBeNull();
    });
  });

  describe('AccountsRepository', () => {
    it.each(ROLES)('reads and sets a %s account’s state and password hash', async (role) => {
      const id = await account(role);
      await db.dataSource.transaction(async (manager) => {
        expect(await accounts.lockForSignIn(manager, role, id)).toEqual({
          isActive: true,
          passwordHash: expect.any(String),
        });
        await accounts.setPassword(manager, role, id, `new-${role}-hash`);
      });
      await db.dataSource.query(
        `UPDATE ${role === 'user' ? 'users' : `${role}s`} SET is_active = false WHERE id = $1`,
        [id],
      );
      await db.dataSource.transaction(async (manager) => {
        expect(await accounts.lockForSignIn(manager, role, id)).toEqual({
          isActive: false,
          passwordHash: `new-${role}-hash`,
        });
      });
    });

    it.each(ROLES)('answers null for a %s account that does not exist', async (role) => {
      await db.dataSource.transaction(async (manager) => {
        expect(await accounts.lockForSignIn(manager, role, 2_000_000_000)).toBeNull();
      });
    });

    it('locks the account row until the caller’s transaction ends', async () => {
      const id = await account('user');
      const runner = db.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await accounts.lockForSignIn(runner.manager, 'user', id);
        const blocked = db.dataSource.transaction(async (manager) => {
          await manager.query(`SET LOCAL lock_timeout = '200ms'`);
          return accounts.lockForSignIn(manager, 'user', id);
        });
        await expect(blocked).rejects.toMatchObject({
          driverError: expect.objectContaining({ code: '55P03' }),
        });
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    });
  });

  describe('RefreshTokensRepository', () => {
    const token = (patch: Partial<RefreshToken> = {}) => ({
      id: randomUUID(),
      familyId: randomUUID(),
      subjectRole: 'user' as Role,
      subjectId: 42,
      tokenHash: `hash-${randomUUID()}`,
      expiresAt: new Date(Date.now() + 30 * DAY_MS),
      ...patch,
    });

    it('maps every column of `refresh_tokens` that the entity declares, with its type and nullability', async () => {
      expect(await tableColumns(db.dataSource, 'refresh_tokens')).toMatchObject(
        entityColumns(db.dataSource, RefreshToken),
      );
    });

    it('round-trips every column, with or without a transaction', async () => {
      const row = token({ expiresAt: new Date('2027-01-01T00:00:00.123Z'), subjectRole: 'merchant' });
      await tokens.insert(undefined, row);
      const expected: RefreshToken = {
        ...row,
        revokedAt: null,
        replacedBy: null,
        createdAt: expect.any(Date) as Date,
      };
      expect(await tokens.findByHash(row.tokenHash)).toEqual(expected);
      const inTx = token();
      await db.dataSource.transaction(async (manager) => {
        await tokens.insert(manager, inTx);
        expect(await tokens.findByHashForUpdate(manager, inTx.tokenHash)).toMatchObject(inTx);
      });
      expect(await tokens.findByHash('no-such-hash')).toBeNull();
    });

    it('refuses a second token with the same hash, and a role the table does not know', async () => {
      const row = token();
      await tokens.insert(undefined, row);
      await expect(tokens.insert(undefined, token({ tokenHash: row.tokenHash }))).rejects.toMatchObject({
        driverError: expect.objectContaining({ code: '23505' }),
      });
      await expect(tokens.insert(undefined, token({ subjectRole: 'owner' as Role }))).rejects.toMatchObject({
        driverError: expect.objectContaining({ code: '23514' }),
      });
    });

    it('marks a token replaced (revoked now, pointing at its successor)', async () => {
      const [old, next] = [token(), token()];
      await tokens.insert(undefined, old);
      await db.dataSource.transaction((manager) => tokens.markReplaced(manager, old.id, next.id));
      const row = await tokens.findByHash(old.tokenHash);
      expect(row).toMatchObject({ replacedBy: next.id, revokedAt: expect.any(Date) });
    });

    it('locks the row for a rotation: a second rotation waits for the first', async () => {
      const row = token();
      await tokens.insert(undefined, row);
      const runner = db.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        expect(await tokens.findByHashForUpdate(runner.manager, row.tokenHash)).toMatchObject({ id: row.id });
        const second = db.dataSource.transaction(async (manager) => {
          await manager.query(`SET LOCAL lock_timeout = '200ms'`);
          return tokens.findByHashForUpdate(manager, row.tokenHash);
        });
        await expect(second).rejects.toMatchObject({
          driverError: expect.objectContaining({ code: '55P03' }),
        });
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    });

    it('revokes a whole family and nothing else; already revoked tokens keep their time', async () => {
      const familyId = randomUUID();
      const [a, b, other] = [token({ familyId }), token({ familyId }), token()];
      for (const t of [a, b, other]) await tokens.insert(undefined, t);
      await db.dataSource.transaction((manager) => tokens.markReplaced(manager, a.id, b.id));
      const aRevokedAt = (await tokens.findByHash(a.tokenHash))!.revokedAt;
      await tokens.revokeFamily(undefined, familyId);
      expect((await tokens.findByHash(a.tokenHash))!.revokedAt).toEqual(aRevokedAt);
      expect((await tokens.findByHash(b.tokenHash))!.revokedAt).toBeInstanceOf(Date);
      expect((await tokens.findByHash(other.tokenHash))!.revokedAt).toBeNull();
    });

    it('revokes every token of one account but the family kept, and no other account’s', async () => {
      const subjectId = 1000 + Math.floor(Math.random() * 1e6);
      const kept = randomUUID();
      const mine = [token({ subjectId }), token({ subjectId }), token({ subjectId, familyId: kept })];
      const sameIdOtherRole = token({ subjectId, subjectRole: 'merchant' });
      const otherAccount = token({ subjectId: subjectId + 1 });
      for (const t of [...mine, sameIdOtherRole, otherAccount]) await tokens.insert(undefined, t);
      await db.dataSource.transaction((manager) => tokens.revokeSubject(manager, 'user', subjectId, kept));
      const revoked = async (t: { tokenHash: string }) =>
        (await tokens.findByHash(t.tokenHash))!.revokedAt !== null;
      expect(await Promise.all(mine.map(revoked))).toEqual([true, true, false]);
      expect(await revoked(sameIdOtherRole)).toBe(false);
      expect(await revoked(otherAccount)).toBe(false);
      // Without a family to keep: all of them.
      await db.dataSource.transaction((manager) => tokens.revokeSubject(manager, 'user', subjectId));
      expect(await revoked(mine[2])).toBe(true);
    });

    describe('purgeExpired (run hourly)', () => {
      it('deletes only tokens expired for over a day, and says how many', async () => {
        await db.dataSource.query(`DELETE FROM refresh_tokens`);
        const now = Date.now();
        const longGone = [
          token({ expiresAt: new Date(now - 2 * DAY_MS) }),
          token({ expiresAt: new Date(now - DAY_MS - 60_000) }),
        ];
        // Expired less than a day ago: kept, so a replay still reads as reuse (and revokes the family).
        const recentlyExpired = token({ expiresAt: new Date(now - DAY_MS + 60_000) });
        const live = token();
        const revokedButLive = token();
        for (const t of [...longGone, recentlyExpired, live, revokedButLive])
          await tokens.insert(undefined, t);
        await tokens.revokeFamily(undefined, revokedButLive.familyId);

        expect(await tokens.purgeExpired()).toBe(2);
        for (const t of longGone) expect(await tokens.findByHash(t.tokenHash)).toBeNull();
        for (const t of [recentlyExpired, live, revokedButLive])
          expect(await tokens.findByHash(t.tokenHash)).not.toBeNull();
        expect(await tokens.purgeExpired()).toBe(0);
      });
    });
  });
});

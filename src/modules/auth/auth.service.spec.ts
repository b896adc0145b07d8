import { jest } from '@jest/globals';
import type { DataSource, EntityManager } from 'typeorm';
import { fakeRepository } from '../../../test/support/fakes.js';
import type { AccessTokenService } from '../../common/auth/access-token.js';
import type { PasswordService } from '../../common/auth/password.service.js';
import type { Principal, Role } from '../../common/auth/role.js';
import type { SessionRevocations, SessionsEnded } from '../../common/auth/session-revocations.js';
import { UnauthorizedError } from '../../common/errors/domain-error.js';
import type { WriteLimits } from '../../common/rate-limit/write-limits.js';
import { loadConfig } from '../../config/app-config.js';
import type { MerchantsRepository } from '../merchants/merchants.repository.js';
import type { MerchantsService } from '../merchants/merchants.service.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { UsersService } from '../users/users.service.js';
import type { AccountsRepository } from './accounts.repository.js';
import type { AdminAccountsRepository } from './admin-accounts.repository.js';
import { AuthService } from './auth.service.js';
import type { RefreshToken } from './entities/refresh-token.entity.js';
import type { LoginLimiter } from './login-limiter.js';
import type { RefreshTokensRepository } from './refresh-tokens.repository.js';

const DAY_MS = 86_400_000;
const manager = {} as EntityManager;

/** Refresh tokens kept in memory, with the repository's semantics (hash lookups, family revocation). */
class TokenStore {
  readonly rows = new Map<string, RefreshToken>();
  purged = 0;

  readonly repository = fakeRepository<RefreshTokensRepository>(
    {
      insert: async (_m, token) => {
        this.rows.set(token.id, { ...token, revokedAt: null, replacedBy: null, createdAt: new Date() });
        return undefined as never;
      },
      findByHashForUpdate: async (_m, hash) => this.byHash(hash),
      findByHash: async (hash) => this.byHash(hash),
      markReplaced: async (_m, id, replacedBy) => {
        Object.assign(this.rows.get(id)!, { revokedAt: new Date(), replacedBy });
      },
      revokeFamily: async (_m, familyId) => {
        for (const row of this.rows.values()) if (row.familyId === familyId) row.revokedAt ??= new Date();
      },
      revokeSubject: async (_m, role, id, exceptFamily) => {
        for (const row of this.rows.values())
          if (row.subjectRole === role && row.subjectId === id && row.familyId !== exceptFamily)
            row.revokedAt ??= new Date();
      },
      purgeExpired: async () => this.purged,
    },
    'RefreshTokensRepository',
  );

  byHash(hash: string): RefreshToken | null {
    return [...this.rows.values()].find((r) => r.tokenHash === hash) ?? null;
  }

  family(familyId: string): RefreshToken[] {
    return [...this.rows.values()].filter((r) => r.familyId === familyId);
  }
}

describe('AuthService', () => {
  let store: TokenStore;
  let ended: SessionsEnded[];
  let accounts: Map<string, { isActive: boolean; passwordHash: string }>;
  let service: AuthService;
  let touched: number[];

  /** Access tokens the fake signer issued, readable: `role:id:sid`. */
  const principalOf = (accessToken: string): Principal => {
    const [role, id, sid] = accessToken.split(':');
    return { role: role as Role, id: Number(id), sid };
  };

  beforeEach(() => {
    store = new TokenStore();
    ended = [];
    touched = [];
    accounts = new Map([
      ['user:7', { isActive: true, passwordHash: 'hash:right-password' }],
      ['merchant:3', { isActive: true, passwordHash: 'hash:right-password' }],
      ['admin:1', { isActive: true, passwordHash: 'hash:right-password' }],
    ]);
    const byEmail = (role: Role) => async (email: string) => {
      const id = { user: 7, merchant: 3, admin: 1 }[role];
      const account = email === `${role}@example.com` ? accounts.get(`${role}:${id}`) : undefined;
      return account ? ({ id, ...account } as never) : null;
    };
    service = new AuthService(
      fakeRepository<DataSource>(
        {
          transaction: ((work: (m: EntityManager) => unknown) => work(manager)) as DataSource['transaction'],
        },
        'DataSource',
      ),
      loadConfig({ NODE_ENV: 'test' }),
      fakeRepository<AccessTokenService>(
        { sign: (p) => ({ token: `${p.role}:${p.id}:${p.sid}`, expiresIn: 1800 }) },
        'AccessTokenService',
      ),
      fakeRepository<PasswordService>(
        {
          hash: async (password) => `hash:${password}`,
          compareOrBurn: async (password, hash) => hash === `hash:${password}`,
        },
        'PasswordService',
      ),
      fakeRepository<MerchantsService>({}, 'MerchantsService'),
      fakeRepository<MerchantsRepository>(
        { findByEmailWithSecrets: byEmail('merchant') },
        'MerchantsRepository',
      ),
      fakeRepository<UsersService>({}, 'UsersService'),
      fakeRepository<UsersRepository>({ findByEmailWithSecrets: byEmail('user') }, 'UsersRepository'),
      fakeRepository<AdminAccountsRepository>(
        {
          findByEmailWithSecrets: byEmail('admin'),
          insertIfMissing: async () => false,
          touchLogin: async (id) => void touched.push(id),
        },
        'AdminAccountsRepository',
      ),
      store.repository,
      fakeRepository<LoginLimiter>(
        { check: async () => undefined, checkCurrentPassword: async () => undefined },
        'LoginLimiter',
      ),
      fakeRepository<WriteLimits>({}, 'WriteLimits'),
      fakeRepository<AccountsRepository>(
        {
          lockForSignIn: async (_m, role, id) => accounts.get(`${role}:${id}`) ?? null,
          setPassword: async (_m, role, id, passwordHash) => {
            accounts.get(`${role}:${id}`)!.passwordHash = passwordHash;
          },
        },
        'AccountsRepository',
      ),
      fakeRepository<SessionRevocations>(
        { publish: (event) => void ended.push(event) },
        'SessionRevocations',
      ),
    );
  });

  const signIn = () => service.login('user', { email: 'user@example.com', password: 'right-password' });

  describe('login', () => {
    it('issues an access token for a new sign-in session and its first refresh token', async () => {
      const tokens = await signIn();
      const principal = principalOf(tokens.access_token);
      expect(principal).toMatchObject({ role: 'user', id: 7 });
      expect(tokens).toMatchObject({ token_type: 'bearer', user_type: 'user', user_id: 7, expires_in: 1800 });
      // Only a hash is stored; the session id is the token family.
      const [row] = store.rows.values();
      expect(row).toMatchObject({
        familyId: principal.sid,
        subjectRole: 'user',
        subjectId: 7,
        revokedAt: null,
      });
      expect(row.tokenHash).not.toContain(tokens.refresh_token);
      expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * DAY_MS);
    });

    it.each([
      ['a wrong password', 'user@example.com', 'wrong-password'],
      ['an unknown email', 'nobody@example.com', 'right-password'],
    ])('answers %s with the one 401, issuing nothing', async (_label, email, password) => {
      await expect(service.login('user', { email, password })).rejects.toMatchObject({
        status: 401,
        detail: 'Incorrect email or password.',
      });
      expect(store.rows.size).toBe(0);
    });

    it('answers a deactivated account with the same 401', async () => {
      accounts.get('merchant:3')!.isActive = false;
      await expect(
        service.login('merchant', { email: 'merchant@example.com', password: 'right-password' }),
      ).rejects.toMatchObject({ status: 401, detail: 'Incorrect email or password.' });
    });

    it('stamps an admin’s last login', async () => {
      await service.login('admin', { email: 'admin@example.com', password: 'right-password' });
      expect(touched).toEqual([1]);
    });
  });

  describe('refresh: rotation', () => {
    it('spends the presented token and issues the next one in the same session', async () => {
      const first = await signIn();
      const sid = principalOf(first.access_token).sid!;
      const second = await service.refresh(first.refresh_token);
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect(principalOf(second.access_token)).toEqual({ role: 'user', id: 7, sid });
      const [spent, next] = store.family(sid);
      expect(spent).toMatchObject({ revokedAt: expect.any(Date), replacedBy: next.id });
      expect(next).toMatchObject({ revokedAt: null, replacedBy: null });
      // The new one rotates in turn.
      const third = await service.refresh(second.refresh_token);
      expect(principalOf(third.access_token).sid).toBe(sid);
      expect(store.family(sid)).toHaveLength(3);
      expect(ended).toEqual([]);
    });

    it('refuses a token it never issued, ending no session', async () => {
      await signIn();
      await expect(service.refresh('made-up')).rejects.toMatchObject({
        status: 401,
        detail: 'The refresh token is not valid.',
      });
      expect(ended).toEqual([]);
    });

    it('refuses an expired token without revoking its session', async () => {
      const tokens = await signIn();
      const [row] = store.rows.values();
      row.expiresAt = new Date(Date.now() - 1000);
      await expect(service.refresh(tokens.refresh_token)).rejects.toMatchObject({
        status: 401,
        detail: 'The refresh token has expired.',
      });
      expect(row.revokedAt).toBeNull();
      expect(ended).toEqual([]);
    });

    it('refuses a deactivated account and ends its session', async () => {
      const tokens = await signIn();
      accounts.get('user:7')!.isActive = false;
      await expect(service.refresh(tokens.refresh_token)).rejects.toMatchObject({
        status: 401,
        detail: 'This account is not active.',
      });
      const sid = principalOf(tokens.access_token).sid;
      expect(store.family(sid!).every((r) => r.revokedAt)).toBe(true);
      expect(ended).toEqual([{ role: 'user', id: 7, sid }]);
    });
  });

  describe('refresh: reuse detection', () => {
    it('treats a spent token presented again as stolen: the whole session ends, its newest token too', async () => {
      const first = await signIn();
      const sid = principalOf(first.access_token).sid;
      const second = await service.refresh(first.refresh_token);

      const reuse = service.refresh(first.refresh_token);
      await expect(reuse).rejects.toBeInstanceOf(UnauthorizedError);
      await expect(service.refresh(first.refresh_token)).rejects.toMatchObject({
        detail: 'The refresh token has already been used; please sign in again.',
      });
      expect(store.family(sid!).every((r) => r.revokedAt)).toBe(true);
      // The legitimate holder of the newest token is signed out as well (and their access tokens end).
      await expect(service.refresh(second.refresh_token)).rejects.toMatchObject({ status: 401 });
      expect(ended[0]).toEqual({ role: 'user', id: 7, sid });
    });

    it('leaves the account’s other sessions alone', async () => {
      const stolen = await signIn();
      const other = await signIn();
      await service.refresh(stolen.refresh_token);
      await expect(service.refresh(stolen.refresh_token)).rejects.toMatchObject({ status: 401 });
      await expect(service.refresh(other.refresh_token)).resolves.toMatchObject({ user_id: 7 });
    });
  });

  describe('logout', () => {
    it('revokes the session and ends its access tokens; an unknown token is ignored', async () => {
      const tokens = await signIn();
      const sid = principalOf(tokens.access_token).sid;
      await service.logout(tokens.refresh_token);
      expect(store.family(sid!).every((r) => r.revokedAt)).toBe(true);
      expect(ended).toEqual([{ role: 'user', id: 7, sid }]);
      await expect(service.logout('made-up')).resolves.toBeUndefined();
      expect(ended).toHaveLength(1);
    });
  });

  describe('changePassword', () => {
    it('ends every other session of the account, keeping the one that changed it', async () => {
      const mine = principalOf((await signIn()).access_token);
      const other = principalOf((await signIn()).access_token);
      await service.changePassword(mine, {
        current_password: 'right-password',
        new_password: 'new-pass-9321',
      });
      expect(accounts.get('user:7')!.passwordHash).toBe('hash:new-pass-9321');
      expect(store.family(other.sid!)[0].revokedAt).toBeInstanceOf(Date);
      expect(store.family(mine.sid!)[0].revokedAt).toBeNull();
      expect(ended).toEqual([{ role: 'user', id: 7, exceptSid: mine.sid }]);
    });

    it('refuses a wrong current password and changes nothing', async () => {
      const mine = principalOf((await signIn()).access_token);
      await expect(
        service.changePassword(mine, { current_password: 'guess', new_password: 'new-pass-9321' }),
      ).rejects.toMatchObject({ status: 422, code: 'wrong-password' });
      expect(accounts.get('user:7')!.passwordHash).toBe('hash:right-password');
      expect(ended).toEqual([]);
    });
  });

  describe('the hourly purge of expired refresh tokens', () => {
    afterEach(() => jest.useRealTimers());

    it('runs every hour from start-up until shutdown', async () => {
      jest.useFakeTimers();
      const purge = jest.spyOn(store.repository, 'purgeExpired');
      await service.onApplicationBootstrap();
      expect(purge).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(60 * 60 * 1000);
      expect(purge).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(2 * 60 * 60 * 1000);
      expect(purge).toHaveBeenCalledTimes(3);
      service.onModuleDestroy();
      await jest.advanceTimersByTimeAsync(5 * 60 * 60 * 1000);
      expect(purge).toHaveBeenCalledTimes(3);
    });

    it('says how many it removed, and survives a failing database', async () => {
      store.purged = 4;
      expect(await service.purgeExpiredRefreshTokens()).toBe(4);
      jest.spyOn(store.repository, 'purgeExpired').mockRejectedValue(new Error('connection refused'));
      expect(await service.purgeExpiredRefreshTokens()).toBe(0);
    });
  });
});

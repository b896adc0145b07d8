import type { PasswordService } from '../../common/auth/password.service.js';
import { TooManyRequestsError } from '../../common/errors/domain-error.js';
import { RateLimiter } from '../../common/rate-limit/rate-limiter.js';
import { loadConfig } from '../../config/app-config.js';
import type { AdminAccountsRepository } from '../auth/admin-accounts.repository.js';
import type { Admin } from '../auth/entities/admin.entity.js';
import { LoginLimiter } from '../auth/login-limiter.js';
import { AdminAuditService } from './admin-audit.service.js';
import { adminRequestContext } from './admin-request.js';
import { AdminSignInService } from './admin-sign-in.service.js';
import type { AdminRepository, AuditEntry } from './admin.repository.js';

/** A repository with only the methods a test gives it. */
const fake = <T>(methods: Partial<T>) => methods as T;

function setup(admins: Partial<Admin>[]) {
  const audit: AuditEntry[] = [];
  const lookedUp: string[] = [];
  const compared: (string | undefined)[] = [];
  const touched: number[] = [];
  const accounts = fake<AdminAccountsRepository>({
    findByEmailWithSecrets: async (email) => {
      lookedUp.push(email);
      return (admins.find((a) => a.email === email) as Admin | undefined) ?? null;
    },
    touchLogin: async (id) => void touched.push(id),
    isActive: async (id) => admins.some((a) => a.id === id && a.isActive),
  });
  // A "hash" is the password with a prefix: enough to tell right from wrong without bcrypt.
  const passwords = fake<PasswordService>({
    compareOrBurn: async (password, hash) => {
      compared.push(hash);
      return hash !== undefined && hash === `hash:${password}`;
    },
  });
  const limiter = new LoginLimiter(new RateLimiter(loadConfig({ NODE_ENV: 'test' })));
  const service = new AdminSignInService(
    accounts,
    passwords,
    limiter,
    new AdminAuditService(fake<AdminRepository>({ insertAudit: async (e) => void audit.push(e) })),
  );
  return { service, audit, lookedUp, compared, touched };
}

const ops = {
  id: 4,
  email: 'ops@graminstore.com',
  name: 'Ops',
  passwordHash: 'hash:night-shift-42',
  isActive: true,
};

describe('AdminSignInService', () => {
  it('signs in with the right password under any spelling of the email, and audits it', async () => {
    const { service, audit, lookedUp, touched } = setup([ops]);
    const who = await service.authenticate(' OPS@ＧＲＡＭＩＮＳＴＯＲＥ.com ', 'night-shift-42');
    expect(who).toEqual({ id: 4, email: 'ops@graminstore.com', name: 'Ops' });
    expect(lookedUp).toEqual(['ops@graminstore.com']);
    expect(touched).toEqual([4]);
    expect(audit).toMatchObject([{ action: 'login', outcome: 'ok', adminId: 4 }]);
  });

  it('refuses a wrong password, an unknown admin and an inactive one alike, spending a comparison each', async () => {
    const { service, audit, compared, touched } = setup([
      ops,
      { ...ops, id: 5, email: 'gone@graminstore.com', isActive: false },
    ]);
    expect(await service.authenticate(ops.email, 'guess')).toBeNull();
    expect(await service.authenticate('nobody@graminstore.com', 'night-shift-42')).toBeNull();
    expect(await service.authenticate('gone@graminstore.com', 'night-shift-42')).toBeNull();
    expect(await service.authenticate(42, ['not', 'a', 'string'])).toBeNull();
    expect(compared).toHaveLength(4);
    expect(touched).toEqual([]);
    expect(audit.map((e) => [e.outcome, e.details])).toEqual([
      ['rejected', { email: ops.email }],
      ['rejected', { email: 'nobody@graminstore.com' }],
      ['rejected', { email: 'gone@graminstore.com' }],
      ['rejected', { email: '' }],
    ]);
  });

  it('counts attempts on the shared login limit: over it, TooManyRequestsError before any password check', async () => {
    const { service, audit, compared } = setup([ops]);
    await adminRequestContext.run({ ip: '198.51.100.7' }, async () => {
      for (let i = 0; i < 10; i++) await service.authenticate(ops.email, `guess-${i}`);
      const err = await service.authenticate(ops.email, 'night-shift-42').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TooManyRequestsError);
    });
    expect(compared).toHaveLength(10);
    expect(audit.at(-1)).toMatchObject({
      outcome: 'rejected',
      details: { email: ops.email, reason: 'throttled' },
      ip: '198.51.100.7',
    });
  });

  it('tells whether a signed-in admin is still active', async () => {
    const { service } = setup([ops, { ...ops, id: 5, isActive: false }]);
    expect(await service.isActive(4)).toBe(true);
    expect(await service.isActive(5)).toBe(false);
  });
});

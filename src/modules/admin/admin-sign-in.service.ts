import { Injectable } from '@nestjs/common';
import { PasswordService } from '../../common/auth/password.service.js';
import { normalizeEmail } from '../../common/http/email.js';
import { AdminAccountsRepository } from '../auth/admin-accounts.repository.js';
import { LoginLimiter } from '../auth/login-limiter.js';
import { AdminAuditService } from './admin-audit.service.js';
import { adminRequestContext, type AdminIdentity } from './admin-request.js';

/** Signing in to the admin panel, and whether a signed-in admin may still act. */
@Injectable()
export class AdminSignInService {
  constructor(
    private readonly accounts: AdminAccountsRepository,
    private readonly passwords: PasswordService,
    private readonly loginLimiter: LoginLimiter,
    private readonly audit: AdminAuditService,
  ) {}

  /**
   * Checks an admin's email and password (bcrypt). Unknown accounts cost the same time as wrong
   * passwords; inactive admins cannot sign in. Attempts count against the login limits of the REST
   * admin login (LoginLimiter, on the one RateLimiter): over them, TooManyRequestsError. Every outcome
   * is audited.
   */
  async authenticate(email: unknown, password: unknown): Promise<AdminIdentity | null> {
    const address = typeof email === 'string' ? normalizeEmail(email).slice(0, 254) : '';
    try {
      await this.loginLimiter.check('admin', address, adminRequestContext.getStore()?.ip);
    } catch (err) {
      await this.audit.record(null, {
        action: 'login',
        outcome: 'rejected',
        details: { email: address, reason: 'throttled' },
      });
      throw err;
    }
    const account = address ? await this.accounts.findByEmailWithSecrets(address) : null;
    const ok = await this.passwords.compareOrBurn(
      typeof password === 'string' ? password : '',
      account?.passwordHash,
    );
    if (!ok || !account || !account.isActive) {
      await this.audit.record(null, { action: 'login', outcome: 'rejected', details: { email: address } });
      return null;
    }
    await this.accounts.touchLogin(account.id);
    const identity = { id: account.id, email: account.email, name: account.name };
    await this.audit.record(identity, { action: 'login', outcome: 'ok' });
    return identity;
  }

  /** Whether a signed-in admin may still act (deactivated admins lose their sessions). */
  isActive(id: number): Promise<boolean> {
    return this.accounts.isActive(id);
  }
}

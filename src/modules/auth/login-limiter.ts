import { Injectable } from '@nestjs/common';
import type { Role, SessionSubject } from '../../common/auth/role.js';
import { addressBucket } from '../../common/http/client-address.js';
import { normalizeEmail } from '../../common/http/email.js';
import { RateLimiter, type RateLimit } from '../../common/rate-limit/rate-limiter.js';

/**
 * Per account (role + normalised email): guessing one password is slow. Per address (IPv6 by /64):
 * a shop's shared connection still has room. Both refill continuously (a token bucket).
 */
const LOGIN_LIMITS = {
  account: { name: 'login-account', capacity: 10, perSecond: 10 / 60 },
  address: { name: 'login-address', capacity: 30, perSecond: 30 / 60 },
} satisfies Record<string, RateLimit>;

/**
 * The one login limit, for every way in: REST logins of each role (on every API version) and the
 * admin panel's sign-in. The account key never depends on the request path, so another spelling of
 * the route cannot open a fresh bucket.
 */
@Injectable()
export class LoginLimiter {
  constructor(private readonly limiter: RateLimiter) {}

  /** Counts one attempt; over either limit: TooManyRequestsError (429 with Retry-After). */
  check(role: SessionSubject, email: unknown, ip: string | undefined): Promise<void> {
    const account = typeof email === 'string' ? normalizeEmail(email).slice(0, 254) : '';
    return this.limiter.enforce(
      [
        [LOGIN_LIMITS.account, `${role}:${account}`],
        [LOGIN_LIMITS.address, addressBucket(ip)],
      ],
      'Too many login attempts. Please wait before trying again.',
    );
  }

  /**
   * Counts one try of an invitation code, per client address: codes cannot be guessed faster than
   * passwords.
   */
  checkInvitation(ip: string | undefined): Promise<void> {
    return this.limiter.enforce(
      [[LOGIN_LIMITS.address, addressBucket(ip)]],
      'Too many attempts. Please wait before trying again.',
    );
  }

  /**
   * Counts one check of a signed-in account's current password (changing the password): a stolen
   * access token must not become a way to guess the password faster than signing in would.
   */
  checkCurrentPassword(role: Role, id: number): Promise<void> {
    return this.limiter.enforce(
      [[LOGIN_LIMITS.account, `${role}#${id}`]],
      'Too many password attempts. Please wait before trying again.',
    );
  }
}

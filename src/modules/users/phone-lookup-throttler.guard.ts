import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Principal } from '../../common/auth/role.js';
import { addressBucket } from '../../common/http/client-address.js';
import { RateLimiter, type RateLimit } from '../../common/rate-limit/rate-limiter.js';

/**
 * Finding customers by phone is open to enumeration, so it is metered: the exact lookup (which needs
 * no token) per client address, the partial search (merchants only) per merchant.
 */
export const PHONE_LOOKUP_LIMITS = {
  address: { name: 'phone-lookup-address', capacity: 20, perSecond: 20 / 60 },
  merchant: { name: 'phone-search-merchant', capacity: 60, perSecond: 60 / 60 },
} satisfies Record<string, RateLimit>;

const QUOTA = 'graminstore:phone-lookup-quota';
export const PhoneLookupQuota = (per: keyof typeof PHONE_LOOKUP_LIMITS) => SetMetadata(QUOTA, per);

/** Over the quota: 429 with `Retry-After` (the shared rate limiter). */
@Injectable()
export class PhoneLookupThrottlerGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const per =
      this.reflector.get<keyof typeof PHONE_LOOKUP_LIMITS>(QUOTA, context.getHandler()) ?? 'address';
    const req = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const key = per === 'merchant' && req.user ? `merchant:${req.user.id}` : addressBucket(req.ip);
    await this.limiter.enforce(
      [[PHONE_LOOKUP_LIMITS[per], key]],
      'Too many phone number lookups. Please wait before trying again.',
    );
    return true;
  }
}

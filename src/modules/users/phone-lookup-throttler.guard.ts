import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Principal } from '../../common/auth/role.js';
import { FixedWindows, refuseIfLimited, TooManyRequestsError } from '../auth/login-throttler.guard.js';

/**
 * Finding customers by phone is open to enumeration, so it is metered: the exact lookup (which needs
 * no token) per client address, the partial search (merchants only) per merchant.
 */
export const PHONE_LOOKUP_LIMITS = {
  address: { limit: 20, windowMs: 60_000 },
  merchant: { limit: 60, windowMs: 60_000 },
} as const;

const QUOTA = 'graminstore:phone-lookup-quota';
export const PhoneLookupQuota = (per: keyof typeof PHONE_LOOKUP_LIMITS) => SetMetadata(QUOTA, per);

/** Over the quota: 429 with `Retry-After`. */
@Injectable()
export class PhoneLookupThrottlerGuard implements CanActivate {
  private readonly windows = new FixedWindows();

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const per =
      this.reflector.get<keyof typeof PHONE_LOOKUP_LIMITS>(QUOTA, context.getHandler()) ?? 'address';
    const req = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const key = per === 'merchant' && req.user ? `m:${req.user.id}` : `a:${req.ip}`;
    const { limit, windowMs } = PHONE_LOOKUP_LIMITS[per];
    refuseIfLimited(
      context.switchToHttp().getResponse<Response>(),
      this.windows.hit(`${per}:${key}`, limit, windowMs),
      () => new TooManyRequestsError('Too many phone number lookups. Please wait before trying again.'),
    );
    return true;
  }
}

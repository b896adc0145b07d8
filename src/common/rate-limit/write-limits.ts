import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { addressBucket } from '../http/client-address.js';
import { requestContext } from '../logging/request-context.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';

/**
 * Limits on writes that cost the whole system: a merchant's sales, settlements and guest creations
 * (generous: the busiest shop never meets them, a runaway script does), and registrations per client
 * address. Configured by MERCHANT_WRITES_PER_SECOND / MERCHANT_WRITE_BURST and REGISTRATIONS_PER_HOUR.
 */
@Injectable()
export class WriteLimits {
  private readonly merchantWrites: RateLimit | null;
  private readonly registrations: RateLimit | null;

  constructor(
    private readonly limiter: RateLimiter,
    config: AppConfig,
  ) {
    this.merchantWrites =
      config.merchantWritesPerSecond > 0
        ? {
            name: 'merchant-writes',
            capacity: config.merchantWriteBurst,
            perSecond: config.merchantWritesPerSecond,
          }
        : null;
    this.registrations =
      config.registrationsPerHour > 0
        ? {
            name: 'registrations',
            capacity: config.registrationsPerHour,
            perSecond: config.registrationsPerHour / 3600,
          }
        : null;
  }

  /**
   * One sale, settlement or guest creation by this merchant; over the limit: 429 with Retry-After.
   * Only a client's request counts: the app's own writes (the demo seeder) run outside any request.
   */
  async merchantWrite(merchantId: number): Promise<void> {
    if (this.merchantWrites && requestContext.getStore())
      await this.limiter.enforce(
        [[this.merchantWrites, String(merchantId)]],
        'Too many writes for this shop. Please wait before trying again.',
      );
  }

  /** One registration from this client address; over the limit: 429 with Retry-After. */
  async registration(ip: string | undefined): Promise<void> {
    if (this.registrations)
      await this.limiter.enforce(
        [[this.registrations, addressBucket(ip)]],
        'Too many registrations from this address. Please try again later.',
      );
  }
}

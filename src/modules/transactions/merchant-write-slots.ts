import { Injectable } from '@nestjs/common';
import { TooManyRequestsError } from '../../common/errors/domain-error.js';

/** Writes of one merchant holding a database connection at once, on this instance. */
export const WRITES_IN_FLIGHT_PER_MERCHANT = 4;
/** Writes of one merchant waiting for a slot before further ones are refused (429). */
export const WRITES_WAITING_PER_MERCHANT = 200;

interface Slots {
  running: number;
  waiting: (() => void)[];
}

/**
 * Bounds how many of one merchant's writes hold a database connection at the same moment; the rest
 * wait here, in memory, in order. The rate limit bounds writes per second; this bounds their
 * concurrency, so a burst of one merchant's writes queued on its own rows (every sale updates the
 * same customer link and rollups) can never hold the whole connection pool while others wait.
 */
@Injectable()
export class MerchantWriteSlots {
  private readonly slots = new Map<number, Slots>();

  /** Runs `work` in one of the merchant's slots, waiting for one if need be. */
  async run<T>(merchantId: number, work: () => Promise<T>): Promise<T> {
    let s = this.slots.get(merchantId);
    if (!s) this.slots.set(merchantId, (s = { running: 0, waiting: [] }));
    if (s.running >= WRITES_IN_FLIGHT_PER_MERCHANT) {
      if (s.waiting.length >= WRITES_WAITING_PER_MERCHANT)
        throw new TooManyRequestsError(1000, 'Too many of your writes are in progress; retry in a moment.');
      await new Promise<void>((resolve) => s.waiting.push(resolve));
    } else s.running += 1;
    try {
      return await work();
    } finally {
      const next = s.waiting.shift();
      // The slot passes straight to the next waiter; the last one out forgets the merchant.
      if (next) next();
      else if (--s.running === 0) this.slots.delete(merchantId);
    }
  }
}

import type { PaymentMethod } from '../src/modules/transactions/dto/transaction-response.dto.js';
import {
  DAY_MS,
  hourWeight,
  IST_OFFSET_MS,
  SALE_METHODS,
  SETTLE_METHODS,
  type ShopProfile,
} from './india.js';
import type { Random } from './random.js';

/** A payment against a bill on account. Times are epoch milliseconds. */
export interface SettlementDraft {
  amountPaise: number;
  paymentMethod: PaymentMethod;
  referenceNumber: string | null;
  at: number;
}

/** One sale as a shop would record it, with the payments that later settle it (if any). */
export interface SaleDraft {
  occurredAt: number;
  amountPaise: number;
  type: 'paid' | 'pay_later';
  paymentMethod: PaymentMethod | null;
  referenceNumber: string | null;
  description: string;
  settlements: SettlementDraft[];
}

/** The moment data is generated for; sales fall in the `days` local days up to `now`. */
export interface SaleClock {
  now: number;
  /** Midnight (IST) of the day that contains `now`. */
  todayStart: number;
  days: number;
}

export function saleClock(now: number, days: number): SaleClock {
  const todayStart = Math.floor((now + IST_OFFSET_MS) / DAY_MS) * DAY_MS - IST_OFFSET_MS;
  return { now, todayStart, days };
}

/** A reference number as the method produces one: a UPI UTR, a card approval code, a bank reference. */
export function referenceFor(rng: Random, method: PaymentMethod): string | null {
  switch (method) {
    case 'upi':
      return `${rng.int(1, 9)}${rng.digits(11)}`;
    case 'card':
      return rng.digits(6);
    case 'online':
      return `ORD${rng.digits(10)}`;
    case 'bank_transfer':
      return `IMPS${rng.digits(12)}`;
    default:
      return null;
  }
}

/**
 * A moment within shop hours on one of the clock's days, busier in the morning and evening and a little
 * busier lately; never on a closed Sunday and never after `now` (nor before `notBefore`).
 */
export function shopMoment(rng: Random, shop: ShopProfile, clock: SaleClock, notBefore = -Infinity): number {
  const span = shop.closes - shop.opens;
  for (let attempt = 0; attempt < 200; attempt++) {
    const daysAgo = Math.floor(rng.next() * clock.days);
    if (!rng.chance((1 + 0.4 * (1 - daysAgo / clock.days)) / 1.4)) continue;
    const dayStart = clock.todayStart - daysAgo * DAY_MS;
    // 1970-01-01 was a Thursday: local day number + 4 gives the weekday with Sunday as 0.
    if (shop.closedSunday && (Math.round((dayStart + IST_OFFSET_MS) / DAY_MS) + 4) % 7 === 0) continue;
    const hours = shop.opens + rng.next() * span;
    if (!rng.chance(hourWeight(Math.floor(hours)) / 1.5)) continue;
    const at = dayStart + Math.floor(hours * 3_600_000) + rng.int(0, 59) * 1000;
    if (at < clock.now - 60_000 && at > notBefore) return at;
  }
  return Math.max(notBefore + 60_000, clock.now - 3_600_000);
}

/** A moment in shop hours between two instants (a later visit to pay a bill), or undefined if none fits. */
function laterVisit(rng: Random, shop: ShopProfile, clock: SaleClock, after: number): number | undefined {
  const latest = Math.min(clock.now - 60_000, after + 30 * DAY_MS);
  if (latest - after < 2 * 3_600_000) return undefined;
  for (let attempt = 0; attempt < 50; attempt++) {
    const at = after + 3_600_000 + Math.floor(rng.next() * (latest - after - 3_600_000));
    const localHours = ((((at + IST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
    if (localHours >= shop.opens && localHours < shop.closes) return at;
  }
  return undefined;
}

function amountPaise(rng: Random, shop: ShopProfile): number {
  const rupees = Math.min(
    shop.maxRupees,
    Math.max(shop.minRupees, shop.medianRupees * Math.exp(0.75 * rng.normal())),
  );
  if (rng.chance(shop.paiseShare)) return Math.max(100, Math.round(rupees * 100));
  // Bigger bills are usually rounded to 5 or 10 rupees.
  const step = rupees >= 500 ? 10 : rupees >= 100 ? 5 : 1;
  return Math.max(step, Math.round(rupees / step) * step) * 100;
}

function description(rng: Random, shop: ShopProfile): string {
  const count = rng.weighted([
    [1, 0.5],
    [2, 0.35],
    [3, 0.15],
  ] as const);
  const items = new Set<string>();
  while (items.size < count) items.add(rng.pick(shop.items));
  return [...items].join(', ');
}

/** Rounds a part payment down to whole tens of rupees (what people hand over), keeping it positive. */
function roundPart(paise: number, total: number): number {
  const rounded = Math.floor(paise / 1000) * 1000;
  return Math.min(total - 1, Math.max(100, rounded || paise));
}

/**
 * Drafts one sale (at `occurredAt`, or a moment drawn for it). Registered customers put a share of bills on account (the shop's `payLaterShare`);
 * walk-in guests rarely do. Older bills on account are more likely to have been settled, in one or two
 * payments, and some are paid only in part.
 */
export function draftSale(
  rng: Random,
  shop: ShopProfile,
  clock: SaleClock,
  guest: boolean,
  occurredAt = shopMoment(rng, shop, clock),
): SaleDraft {
  const amount = amountPaise(rng, shop);
  const payLater = rng.chance(guest ? shop.payLaterShare * 0.3 : shop.payLaterShare);
  const desc = description(rng, shop);
  if (!payLater) {
    const method = rng.weighted(SALE_METHODS);
    return {
      occurredAt,
      amountPaise: amount,
      type: 'paid',
      paymentMethod: method,
      referenceNumber: referenceFor(rng, method),
      description: desc,
      settlements: [],
    };
  }
  const ageDays = (clock.now - occurredAt) / DAY_MS;
  const [full, part] = ageDays > 30 ? [0.75, 0.15] : ageDays > 7 ? [0.45, 0.25] : [0.1, 0.2];
  const outcome = rng.weighted([
    ['full', full],
    ['part', part],
    ['due', 1 - full - part],
  ] as const);
  const settlements: SettlementDraft[] = [];
  if (outcome !== 'due' && amount >= 200) {
    const payments =
      outcome === 'part'
        ? [roundPart(Math.floor(amount * (0.3 + 0.4 * rng.next())), amount)]
        : rng.chance(0.2)
          ? (() => {
              const first = roundPart(Math.floor(amount * (0.4 + 0.2 * rng.next())), amount);
              return [first, amount - first];
            })()
          : [amount];
    let after = occurredAt;
    for (const paise of payments) {
      const at = laterVisit(rng, shop, clock, after);
      if (at === undefined) break;
      const method = rng.weighted(SETTLE_METHODS);
      settlements.push({
        amountPaise: paise,
        paymentMethod: method,
        referenceNumber: referenceFor(rng, method),
        at,
      });
      after = at;
    }
  }
  return {
    occurredAt,
    amountPaise: amount,
    type: 'pay_later',
    paymentMethod: null,
    referenceNumber: null,
    description: desc,
    settlements,
  };
}

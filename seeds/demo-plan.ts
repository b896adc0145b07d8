// The prebuilt en_IN instance (with its en fallback) loads in a fraction of the full package's time.
import { faker } from '@faker-js/faker/locale/en_IN';
import { BUSINESS_TYPES, DEITIES, PLACES, SHOPS, shopName, STREETS, type BusinessType } from './india.js';
import { Random } from './random.js';
import { draftSale, saleClock, type SaleDraft } from './sales.js';

/** The fixed demo logins, as in the seed project's README. */
export const DEMO_MERCHANT_EMAIL = 'merchant123@example.com';
export const DEMO_MERCHANT_PASSWORD = 'merchant123';
export const DEMO_USER_EMAIL = 'user123@example.com';
export const DEMO_USER_PASSWORD = 'user123';
export const DEFAULT_SEED = 42;

export interface PlannedMerchant {
  name: string;
  email: string;
  phone: string;
  password: string;
  business_name: string;
  business_type: BusinessType;
  address: string;
  city: string;
  state: string;
  zip_code: string;
  aadhar_number: string;
}

export interface PlannedUser {
  name: string;
  email: string;
  phone: string;
  password: string;
  address: string;
  city: string;
  state: string;
}

/** A sale of the plan: a registered customer's (by index into `users`) or a walk-in guest's (null). */
export interface PlannedSale extends SaleDraft {
  /** Stable across runs of the same seed: it makes the seeder idempotent (the API dedupes client_id). */
  clientId: string;
  userIndex: number | null;
}

export interface DemoPlan {
  seed: number;
  now: Date;
  merchants: PlannedMerchant[];
  users: PlannedUser[];
  /** Per merchant (same order as `merchants`), oldest first. */
  sales: PlannedSale[][];
}

export interface DemoPlanOptions {
  seed?: number;
  /** The instant the data set ends at (default: now). Same seed and same `now` give identical data. */
  now?: Date;
  merchants?: number;
  users?: number;
  /** Per merchant: at least this many registered-customer sales, and guest sales. */
  customerSales?: number;
  guestSales?: number;
  days?: number;
}

const slug = (text: string) =>
  text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.|\.$/g, '');

/** A 10-digit Indian mobile number as +91…; demo numbers start with 9 or 7 (bulk data uses 6 and 8). */
function mobile(rng: Random): string {
  return `+91${rng.pick(['9', '7'])}${rng.digits(9)}`;
}

/**
 * The demo data set, drawn from a seed: merchants with Indian business data (the first is the fixed
 * login merchant123@example.com, a kirana store), customers with Indian names (the first is
 * user123@example.com), and each merchant's sales over the last 90 days in shop hours.
 * Pure: it reads nothing and writes nothing.
 */
export function planDemoData(options: DemoPlanOptions = {}): DemoPlan {
  const seed = options.seed ?? DEFAULT_SEED;
  const now = options.now ?? new Date();
  const merchantCount = options.merchants ?? 5;
  const userCount = options.users ?? 100;
  faker.seed(seed);
  const rng = Random.derive(seed, 1);
  const phones = new Set<string>();
  const uniquePhone = () => {
    let phone = mobile(rng);
    while (phones.has(phone)) phone = mobile(rng);
    phones.add(phone);
    return phone;
  };

  const places = [...PLACES];
  const merchants: PlannedMerchant[] = [];
  const emails = new Set<string>();
  for (let i = 0; i < merchantCount; i++) {
    const type = BUSINESS_TYPES[i % BUSINESS_TYPES.length];
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    const place = places.splice(rng.int(0, places.length - 1), 1)[0] ?? rng.pick(PLACES);
    const businessName = shopName(rng.pick(SHOPS[type].names), {
      first,
      last,
      deity: rng.pick(DEITIES),
      city: place.city,
    });
    let email = i === 0 ? DEMO_MERCHANT_EMAIL : `${slug(businessName)}@example.com`;
    if (emails.has(email)) email = `${slug(businessName)}.${i}@example.com`;
    emails.add(email);
    merchants.push({
      name: `${first} ${last}`,
      email,
      phone: uniquePhone(),
      password: DEMO_MERCHANT_PASSWORD,
      business_name: businessName,
      business_type: type,
      address: `Shop ${rng.int(1, 120)}, ${rng.pick(STREETS)}`,
      city: place.city,
      state: place.state,
      zip_code: `${place.pin}${rng.digits(3)}`,
      aadhar_number: `${rng.int(2, 9)}${rng.digits(11)}`,
    });
  }

  const users: PlannedUser[] = [];
  for (let i = 0; i < userCount; i++) {
    const sex = faker.person.sexType();
    const first = faker.person.firstName(sex);
    const last = faker.person.lastName();
    // Customers live where the shops are.
    const home = merchants.length ? merchants[rng.int(0, merchants.length - 1)] : undefined;
    users.push({
      name: `${first} ${last}`,
      email: i === 0 ? DEMO_USER_EMAIL : `${slug(first)}.${slug(last)}${i}@example.com`,
      phone: uniquePhone(),
      password: DEMO_USER_PASSWORD,
      address: `${rng.int(1, 400)}, ${rng.pick(STREETS)}`,
      city: home?.city ?? 'Pune',
      state: home?.state ?? 'Maharashtra',
    });
  }

  const clock = saleClock(now.getTime(), options.days ?? 90);
  const sales = merchants.map((merchant, m) => {
    const shopRng = Random.derive(seed, 2, m);
    const shop = SHOPS[merchant.business_type];
    // Regulars: the demo customer and a few dozen others, some coming far more often than the rest.
    const regulars = userCount ? [0] : [];
    const poolSize = Math.min(userCount, shopRng.int(25, 45));
    while (regulars.length < poolSize) {
      const candidate = shopRng.int(0, userCount - 1);
      if (!regulars.includes(candidate)) regulars.push(candidate);
    }
    const weights = regulars.map((u, rank) => [u, u === 0 ? 0.4 : 1 / Math.pow(rank + 1, 0.8)] as const);
    const customerSales = userCount ? (options.customerSales ?? 100) + shopRng.int(0, 40) : 0;
    const guestSales = (options.guestSales ?? 50) + shopRng.int(0, 20);
    const list: PlannedSale[] = [];
    for (let k = 0; k < customerSales + guestSales; k++) {
      const guest = k >= customerSales;
      const draft = draftSale(shopRng, shop, clock, guest);
      list.push({
        ...draft,
        clientId: shopRng.uuid(),
        userIndex: guest ? null : shopRng.weighted(weights),
      });
    }
    return list.sort((a, b) => a.occurredAt - b.occurredAt);
  });

  return { seed, now, merchants, users, sales };
}

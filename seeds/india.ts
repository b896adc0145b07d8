import type { PaymentMethod } from '../src/modules/transactions/dto/transaction-response.dto.js';

/**
 * Reference data for demo and bulk data: what small Indian shops sell, when they are open, how their
 * customers pay. Cities come with their own state and PIN-code prefix so that addresses are coherent.
 */

export interface Place {
  city: string;
  state: string;
  /** The first three digits of the city's PIN codes. */
  pin: string;
}

export const PLACES: readonly Place[] = [
  { city: 'Pune', state: 'Maharashtra', pin: '411' },
  { city: 'Nashik', state: 'Maharashtra', pin: '422' },
  { city: 'Jaipur', state: 'Rajasthan', pin: '302' },
  { city: 'Udaipur', state: 'Rajasthan', pin: '313' },
  { city: 'Lucknow', state: 'Uttar Pradesh', pin: '226' },
  { city: 'Varanasi', state: 'Uttar Pradesh', pin: '221' },
  { city: 'Indore', state: 'Madhya Pradesh', pin: '452' },
  { city: 'Bhopal', state: 'Madhya Pradesh', pin: '462' },
  { city: 'Coimbatore', state: 'Tamil Nadu', pin: '641' },
  { city: 'Madurai', state: 'Tamil Nadu', pin: '625' },
  { city: 'Mysuru', state: 'Karnataka', pin: '570' },
  { city: 'Hubballi', state: 'Karnataka', pin: '580' },
  { city: 'Kochi', state: 'Kerala', pin: '682' },
  { city: 'Thrissur', state: 'Kerala', pin: '680' },
  { city: 'Ahmedabad', state: 'Gujarat', pin: '380' },
  { city: 'Surat', state: 'Gujarat', pin: '395' },
  { city: 'Patna', state: 'Bihar', pin: '800' },
  { city: 'Bhubaneswar', state: 'Odisha', pin: '751' },
  { city: 'Guwahati', state: 'Assam', pin: '781' },
  { city: 'Ludhiana', state: 'Punjab', pin: '141' },
  { city: 'Dehradun', state: 'Uttarakhand', pin: '248' },
  { city: 'Vijayawada', state: 'Andhra Pradesh', pin: '520' },
  { city: 'Warangal', state: 'Telangana', pin: '506' },
  { city: 'Ranchi', state: 'Jharkhand', pin: '834' },
];

export const STREETS: readonly string[] = [
  'MG Road',
  'Station Road',
  'Gandhi Chowk',
  'Nehru Nagar',
  'Main Bazaar',
  'Shivaji Nagar',
  'Civil Lines',
  'Sadar Bazaar',
  'Market Yard',
  'Subhash Marg',
  'Ram Nagar',
  'Tilak Road',
  'Patel Chowk',
  'Lajpat Nagar',
  'Ambedkar Road',
  'Temple Street',
];

export const BUSINESS_TYPES = ['kirana', 'pharmacy', 'café', 'hardware', 'sweets'] as const;
export type BusinessType = (typeof BUSINESS_TYPES)[number];

export interface ShopProfile {
  /** Business names; `{last}` is an owner's family name, `{deity}` a deity often named in shop signs. */
  names: readonly string[];
  /** Opening and closing hour (local time, fractional hours). */
  opens: number;
  closes: number;
  /** Closed on Sundays. */
  closedSunday: boolean;
  /** Median bill in rupees, and the bounds of a bill. */
  medianRupees: number;
  minRupees: number;
  maxRupees: number;
  /** Share of bills priced to the paisa (medicines are sold at their printed MRP). */
  paiseShare: number;
  /** Share of registered customers' bills put on account (khata / udhaar). */
  payLaterShare: number;
  items: readonly string[];
}

export const SHOPS: Record<BusinessType, ShopProfile> = {
  kirana: {
    names: [
      '{last} Kirana Store',
      '{last} General Stores',
      'Shree {deity} Provision Store',
      'New {last} Kirana',
    ],
    opens: 7.5,
    closes: 21.5,
    closedSunday: false,
    medianRupees: 180,
    minRupees: 10,
    maxRupees: 3500,
    paiseShare: 0.05,
    payLaterShare: 0.35,
    items: [
      'Atta 5 kg',
      'Toor dal 1 kg',
      'Sugar 2 kg',
      'Milk 1 L',
      'Bread',
      'Eggs (12)',
      'Sunflower oil 1 L',
      'Basmati rice 5 kg',
      'Tea powder 250 g',
      'Instant noodles (4)',
      'Biscuits',
      'Detergent 1 kg',
      'Soap (3)',
      'Onions 2 kg',
      'Potatoes 3 kg',
      'Besan 500 g',
      'Mustard oil 1 L',
      'Poha 1 kg',
    ],
  },
  pharmacy: {
    names: [
      '{last} Medicals',
      'Shree {deity} Pharmacy',
      '{last} Medical & General Stores',
      'Jan Seva Medicals',
    ],
    opens: 8,
    closes: 22.5,
    closedSunday: false,
    medianRupees: 260,
    minRupees: 20,
    maxRupees: 4500,
    paiseShare: 0.6,
    payLaterShare: 0.18,
    items: [
      'Paracetamol 650 (15)',
      'Cough syrup 100 ml',
      'ORS sachets (5)',
      'Vitamin D3 (4)',
      'BP tablets, monthly',
      'Diabetes tablets, monthly',
      'Antacid gel',
      'Bandages',
      'Digital thermometer',
      'Antiseptic liquid',
      'Multivitamin (30)',
      'Eye drops',
      'Pain relief spray',
    ],
  },
  café: {
    names: ['{last} Chai Café', 'Café {first}', 'Chai Adda', '{city} Coffee House'],
    opens: 7,
    closes: 22,
    closedSunday: false,
    medianRupees: 120,
    minRupees: 15,
    maxRupees: 1500,
    paiseShare: 0,
    payLaterShare: 0.08,
    items: [
      'Masala chai ×2',
      'Filter coffee',
      'Veg sandwich',
      'Samosa ×2',
      'Cold coffee',
      'Masala Maggi',
      'Paneer roll',
      'Bun maska',
      'Vada pav ×2',
      'Lemon tea',
      'Poha plate',
      'Cheese toast',
    ],
  },
  hardware: {
    names: [
      '{last} Hardware & Paints',
      'Shree {deity} Hardware',
      '{last} Sanitary & Electricals',
      '{city} Tools Centre',
    ],
    opens: 9.5,
    closes: 20,
    closedSunday: true,
    medianRupees: 650,
    minRupees: 30,
    maxRupees: 18000,
    paiseShare: 0.02,
    payLaterShare: 0.3,
    items: [
      'PVC pipe 3 m',
      'Emulsion paint 4 L',
      'Cement 2 bags',
      'Wall putty 5 kg',
      'Screws and anchors',
      'LED bulbs ×4',
      'Door hinge set',
      'Electrical wire 90 m',
      'Tap and fittings',
      'Paint brushes',
      'MCB switch',
      'Padlock',
    ],
  },
  sweets: {
    names: ['{last} Sweets', 'Shree {deity} Mithai Bhandar', '{last} Sweets & Namkeen', 'Annapurna Sweets'],
    opens: 8.5,
    closes: 22,
    closedSunday: false,
    medianRupees: 320,
    minRupees: 30,
    maxRupees: 4000,
    paiseShare: 0,
    payLaterShare: 0.1,
    items: [
      'Kaju katli 500 g',
      'Rasgulla 1 kg',
      'Motichoor laddoo 1 kg',
      'Samosa ×6',
      'Gulab jamun 500 g',
      'Soan papdi box',
      'Dhokla 500 g',
      'Jalebi 250 g',
      'Namkeen mix 500 g',
      'Peda 250 g',
      'Barfi 500 g',
    ],
  },
};

export const DEITIES: readonly string[] = ['Ganesh', 'Balaji', 'Krishna', 'Sai', 'Durga', 'Hanuman', 'Laxmi'];

/** A shop name from one of SHOPS' templates (`{last} General Store`, `Sri {deity} Medicals`...). */
export function shopName(
  template: string,
  parts: { first: string; last: string; deity: string; city: string },
): string {
  return template
    .replace('{last}', parts.last)
    .replace('{first}', parts.first)
    .replace('{deity}', parts.deity)
    .replace('{city}', parts.city);
}

/** How a sale paid at the counter is paid: cash and UPI carry almost everything. */
export const SALE_METHODS: readonly (readonly [PaymentMethod, number])[] = [
  ['cash', 0.46],
  ['upi', 0.42],
  ['card', 0.07],
  ['online', 0.02],
  ['bank_transfer', 0.01],
  ['other', 0.02],
];

/** How a customer pays off a bill on account: cash or UPI. */
export const SETTLE_METHODS: readonly (readonly [PaymentMethod, number])[] = [
  ['cash', 0.55],
  ['upi', 0.45],
];

/** The hours a shop is busiest: a morning and an evening peak (weights by local hour). */
export function hourWeight(hour: number): number {
  if (hour < 7) return 0.2;
  if (hour < 11) return 1.4;
  if (hour < 16) return 0.8;
  if (hour < 21) return 1.5;
  return 0.6;
}

/** IST is UTC+5:30 all year round. */
export const IST_OFFSET_MS = 330 * 60_000;
export const DAY_MS = 86_400_000;

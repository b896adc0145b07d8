import { randomUUID } from 'node:crypto';
import { merchantBody, userBody } from '../../support/factories.js';
import type { Client, Reply } from './http.js';

export interface Party {
  id: number;
  auth: Record<string, string>;
}

/** The accounts the load runs as. */
export interface World {
  merchants: Party[];
  users: Party[];
}

/** Registers merchants and customers through the API. */
export async function createWorld(client: Client, merchants: number, users: number): Promise<World> {
  const register = async (role: 'merchant' | 'user'): Promise<Party> => {
    const body = role === 'merchant' ? merchantBody() : userBody();
    const reply = await client.post(`/api/v2/auth/register/${role}`, { body });
    if (reply.status !== 201)
      throw new Error(`register ${role}: ${reply.status} ${reply.text.slice(0, 300)}`);
    const b = reply.body as { user_id: number; access_token: string };
    return { id: b.user_id, auth: { Authorization: `Bearer ${b.access_token}` } };
  };
  return {
    merchants: await Promise.all(Array.from({ length: merchants }, () => register('merchant'))),
    users: await Promise.all(Array.from({ length: users }, () => register('user'))),
  };
}

/**
 * `strict`: the database is up throughout, so only the documented successes are acceptable.
 * `faulty`: the database or the app is being broken, so a write may also end without a definitive
 * answer (the `inconclusive` statuses: 503, or 0 for no response); such writes always carry an
 * Idempotency-Key or client_id and are replayed after recovery.
 */
export type Mode = 'strict' | 'faulty';

interface SaleBody {
  user_id?: number;
  is_guest_transaction?: boolean;
  guest_user_id?: number;
  amount: number;
  type: 'paid' | 'pay_later';
  payment_method?: string;
  description?: string;
  client_id?: string;
}

interface TxReply {
  id: number;
  merchant_id: number;
  user_id: number | null;
  guest_user_id: number | null;
  amount_paise: number;
  paid_paise: number;
  type: string;
  status: string;
}

/** A sale some 201 (or replay) acknowledged, and what the ledger says has been paid on it. */
export interface Sale {
  id: number;
  merchantId: number;
  userId: number | null;
  guestId: number | null;
  amountPaise: number;
  type: 'paid' | 'pay_later';
  /** Paid by acknowledged settlements (pay-later bills). */
  settledPaise: number;
  settlements: number;
}

/** A write that got no definitive answer: replayed with the same key (or client_id) after recovery. */
interface Pending {
  kind: 'create' | 'settle';
  merchant: Party;
  path: string;
  body: SaleBody | Record<string, unknown>;
  key?: string;
  billId?: number;
  amountPaise?: number;
}

const METHODS = ['cash', 'upi', 'card', 'online', 'bank_transfer', 'other'];
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];
const chance = (p: number) => Math.random() < p;
const rupees = (paise: number) => Number((paise / 100).toFixed(2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Everything the clients were told, to be held against the database afterwards. */
export class Ledger {
  readonly sales = new Map<number, Sale>();
  /** Acknowledged keyed creates, for deliberate retries. */
  readonly keyedCreates: { key: string; merchant: Party; body: SaleBody; id: number }[] = [];
  readonly keyedSettles: { key: string; merchant: Party; path: string; body: unknown; reply: unknown }[] = [];
  readonly keyToId = new Map<string, number>();
  readonly clientIdToId = new Map<string, number>();
  /** Guests created on their own (POST /transactions/guest-user), acknowledged. */
  readonly standaloneGuests = new Set<number>();
  readonly unknown: Pending[] = [];
  readonly statuses = new Map<string, Map<number, number>>();
  readonly latencies: number[] = [];
  readonly opLatencies = new Map<string, number[]>();
  readonly violations: string[] = [];
  violationCount = 0;
  replays = 0;
  /** POST /transactions/guest-user calls without a definitive answer (their guests may exist, unbound). */
  inconclusiveGuests = 0;
  private readonly reserved = new Map<number, number>();
  private readonly frozen = new Set<number>();
  private readonly unboundGuests = new Map<number, number[]>();

  /** When set, every reply's timing is kept here (for judging a fault window). */
  trace?: { op: string; status: number; start: number; end: number; error?: string }[];

  record(op: string, reply: Reply): void {
    const end = Date.now();
    this.trace?.push({ op, status: reply.status, start: end - reply.ms, end, error: reply.error });
    let byStatus = this.statuses.get(op);
    if (!byStatus) this.statuses.set(op, (byStatus = new Map()));
    byStatus.set(reply.status, (byStatus.get(reply.status) ?? 0) + 1);
    if (reply.status) {
      this.latencies.push(reply.ms);
      const list = this.opLatencies.get(op) ?? [];
      list.push(reply.ms);
      this.opLatencies.set(op, list);
    }
  }

  violation(message: string): void {
    this.violationCount++;
    if (this.violations.length < 25) this.violations.push(message.slice(0, 600));
  }

  /** How many replies had each status, over every operation. */
  totals(): Record<number, number> {
    const out: Record<number, number> = {};
    for (const byStatus of this.statuses.values()) for (const [s, n] of byStatus) out[s] = (out[s] ?? 0) + n;
    return out;
  }

  count(predicate: (status: number) => boolean): number {
    return Object.entries(this.totals())
      .filter(([s]) => predicate(Number(s)))
      .reduce((sum, [, n]) => sum + n, 0);
  }

  /** Records a 201 for a create (new or replayed) and checks it says what was asked. */
  ackSale(merchant: Party, body: SaleBody, reply: Reply, key?: string): void {
    const tx = reply.body as TxReply;
    const replayed = reply.headers['idempotent-replayed'] === 'true';
    if (replayed) this.replays++;
    const expectedPaise = Math.round(body.amount * 100);
    const wrong: string[] = [];
    if (tx.merchant_id !== merchant.id) wrong.push(`merchant ${tx.merchant_id}`);
    if (tx.amount_paise !== expectedPaise) wrong.push(`amount_paise ${tx.amount_paise} ≠ ${expectedPaise}`);
    if (tx.type !== body.type) wrong.push(`type ${tx.type}`);
    if (body.user_id !== undefined && tx.user_id !== body.user_id) wrong.push(`user ${tx.user_id}`);
    if (body.user_id === undefined && !tx.guest_user_id) wrong.push('no guest');
    if (body.guest_user_id !== undefined && tx.guest_user_id !== body.guest_user_id)
      wrong.push(`guest ${tx.guest_user_id}`);
    if (wrong.length) this.violation(`201 for ${JSON.stringify(body)} says ${wrong.join(', ')}`);
    if (body.client_id) {
      const earlier = this.clientIdToId.get(body.client_id);
      if (earlier !== undefined && earlier !== tx.id)
        this.violation(`client_id ${body.client_id} answered with ids ${earlier} and ${tx.id}`);
      this.clientIdToId.set(body.client_id, tx.id);
    }
    if (key) {
      const earlier = this.keyToId.get(key);
      if (earlier !== undefined && earlier !== tx.id)
        this.violation(`Idempotency-Key ${key} answered with ids ${earlier} and ${tx.id}`);
      this.keyToId.set(key, tx.id);
    }
    if (this.sales.has(tx.id)) return;
    this.sales.set(tx.id, {
      id: tx.id,
      merchantId: merchant.id,
      userId: tx.user_id,
      guestId: tx.guest_user_id,
      amountPaise: tx.amount_paise,
      type: body.type,
      settledPaise: 0,
      settlements: 0,
    });
  }

  /** A pay-later bill of this merchant with something left to pay that no in-flight payment holds. */
  openBill(merchant: Party): { sale: Sale; available: number } | undefined {
    const candidates: { sale: Sale; available: number }[] = [];
    for (const sale of this.sales.values()) {
      if (sale.merchantId !== merchant.id || sale.type !== 'pay_later' || this.frozen.has(sale.id)) continue;
      const available = sale.amountPaise - sale.settledPaise - (this.reserved.get(sale.id) ?? 0);
      if (available > 0) candidates.push({ sale, available });
      if (candidates.length > 40) break;
    }
    return candidates.length ? pick(candidates) : undefined;
  }

  reserve(id: number, paise: number): void {
    this.reserved.set(id, (this.reserved.get(id) ?? 0) + paise);
  }
  release(id: number, paise: number): void {
    this.reserved.set(id, (this.reserved.get(id) ?? 0) - paise);
  }
  freeze(id: number): void {
    this.frozen.add(id);
  }
  thaw(id: number): void {
    this.frozen.delete(id);
  }

  /** Counts an applied payment once (a replay of the same key is not a second payment). */
  ackSettlement(billId: number, paise: number): void {
    const sale = this.sales.get(billId);
    if (!sale) return this.violation(`settled ${billId}, which no 201 announced`);
    sale.settledPaise += paise;
    sale.settlements += 1;
  }

  addGuest(merchantId: number, guestId: number): void {
    this.standaloneGuests.add(guestId);
    const list = this.unboundGuests.get(merchantId) ?? [];
    list.push(guestId);
    this.unboundGuests.set(merchantId, list);
  }
  takeGuest(merchantId: number): number | undefined {
    return this.unboundGuests.get(merchantId)?.pop();
  }

  /** p50 / p99 / max of reply latencies in ms (of one operation, or of all). */
  percentiles(op?: string): { p50: number; p99: number; max: number } {
    const sorted = [...(op ? (this.opLatencies.get(op) ?? []) : this.latencies)].sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
    return { p50: at(0.5), p99: at(0.99), max: Math.round(sorted[sorted.length - 1] ?? 0) };
  }
}

export interface LoadOptions {
  client: Client;
  world: World;
  ledger: Ledger;
  mode: Mode;
  concurrency: number;
  seconds: number;
  /** Set `stop` to end the load early; while `paused`, clients wait (e.g. while the app restarts). */
  control?: { stop: boolean; paused?: boolean };
  /** Faulty mode: the statuses that leave a write unresolved (default 503 and 0, no response). */
  inconclusive?: number[];
}

/** A mixed workload of sales, retries, settlements and reads, from `concurrency` concurrent clients. */
export async function runLoad(options: LoadOptions): Promise<void> {
  const { client, world, ledger, mode } = options;
  const strict = mode === 'strict';
  const stopAt = Date.now() + options.seconds * 1000;
  const stopped = () => Date.now() >= stopAt || options.control?.stop === true;
  const retrying = new Set<string>();

  /** True when the reply is acceptable; in faulty mode a 503 or no answer is acceptable but unresolved. */
  const unresolved = options.inconclusive ?? [0, 503];
  const inconclusive = (reply: Reply) => !strict && unresolved.includes(reply.status);
  const expect = (op: string, reply: Reply, ok: number[]): boolean => {
    ledger.record(op, reply);
    if (ok.includes(reply.status)) return true;
    if (inconclusive(reply)) return false;
    ledger.violation(
      `${op}: ${reply.status}${reply.error ? ` (${reply.error})` : ''} ${reply.text.slice(0, 300)}`,
    );
    return false;
  };

  const saleBody = (merchant: Party): SaleBody => {
    const type = chance(0.5) ? 'paid' : 'pay_later';
    const amount = rupees(1 + Math.floor(Math.random() * 500_000));
    const body: SaleBody = { amount, type, description: `load ${merchant.id}` };
    if (chance(0.7)) body.payment_method = pick(METHODS);
    return body;
  };

  async function create(op: string, merchant: Party, body: SaleBody, key?: string): Promise<void> {
    const headers = { ...merchant.auth, ...(key ? { 'Idempotency-Key': key } : {}) };
    const reply = await client.post('/api/v2/transactions/create', { headers, body });
    if (expect(op, reply, [201])) ledger.ackSale(merchant, body, reply, key);
    else if (inconclusive(reply)) {
      if (key || body.client_id)
        ledger.unknown.push({ kind: 'create', merchant, path: '/api/v2/transactions/create', body, key });
      else ledger.violation(`${op}: an unkeyed write was left without an answer`);
    }
    if (reply.status === 201 && key && !reply.headers['idempotent-replayed'])
      ledger.keyedCreates.push({ key, merchant, body, id: (reply.body as TxReply).id });
  }

  async function step(): Promise<void> {
    const merchant = pick(world.merchants);
    const user = pick(world.users);
    const keyed = !strict || chance(0.5);
    const r = Math.random();
    if (r < 0.22) {
      // A registered customer's sale.
      await create(
        'sale (customer)',
        merchant,
        { ...saleBody(merchant), user_id: user.id },
        keyed ? randomUUID() : undefined,
      );
    } else if (r < 0.34) {
      // A walk-in guest, created with the sale.
      await create(
        'sale (guest)',
        merchant,
        { ...saleBody(merchant), is_guest_transaction: true },
        keyed ? randomUUID() : undefined,
      );
    } else if (r < 0.39) {
      // A guest created first, then bound to a sale.
      const reply = await client.post('/api/v2/transactions/guest-user', {
        headers: merchant.auth,
        body: {},
      });
      if (expect('guest-user', reply, [201])) ledger.addGuest(merchant.id, (reply.body as { id: number }).id);
      else if (inconclusive(reply)) ledger.inconclusiveGuests++;
      const guest = ledger.takeGuest(merchant.id);
      if (guest !== undefined)
        await create(
          'sale (bound guest)',
          merchant,
          { ...saleBody(merchant), guest_user_id: guest },
          randomUUID(),
        );
    } else if (r < 0.44) {
      // An offline client's sale with its client_id, sometimes sent twice.
      const body = { ...saleBody(merchant), user_id: user.id, client_id: randomUUID() };
      await create('sale (client_id)', merchant, body);
      if (chance(0.4)) await create('sale (client_id resent)', merchant, body);
    } else if (r < 0.52 && strict && ledger.keyedCreates.length) {
      // A deliberate retry of an acknowledged key: the same response, nothing written. (One retry of a
      // key at a time: two at once may rightly meet as "still in flight", which the race step covers.)
      const earlier = pick(ledger.keyedCreates);
      if (retrying.has(earlier.key)) return;
      retrying.add(earlier.key);
      const reply = await client.post('/api/v2/transactions/create', {
        headers: { ...earlier.merchant.auth, 'Idempotency-Key': earlier.key },
        body: earlier.body,
      });
      retrying.delete(earlier.key);
      if (expect('retry (same key)', reply, [201])) {
        if (reply.headers['idempotent-replayed'] !== 'true' || (reply.body as TxReply).id !== earlier.id)
          ledger.violation(
            `retry of key ${earlier.key}: not a replay of ${earlier.id}: ${reply.text.slice(0, 200)}`,
          );
        ledger.ackSale(earlier.merchant, earlier.body, reply, earlier.key);
      }
    } else if (r < 0.55 && strict) {
      // The same key sent twice at once: one write; the other is a replay or "still in flight" (409).
      const key = randomUUID();
      const body = { ...saleBody(merchant), user_id: user.id };
      const headers = { ...merchant.auth, 'Idempotency-Key': key };
      const replies = await Promise.all(
        [1, 2].map(() => client.post('/api/v2/transactions/create', { headers, body })),
      );
      const ok = replies.filter((x) => expect('race (same key twice)', x, [201, 409]) && x.status === 201);
      if (!ok.length)
        ledger.violation(`concurrent key ${key}: no 201 (${replies.map((x) => x.status).join(', ')})`);
      for (const x of ok) ledger.ackSale(merchant, body, x, key);
    } else if (r < 0.68) {
      await settle(merchant, keyed);
    } else if (r < 0.71 && strict && ledger.keyedSettles.length) {
      const earlier = pick(ledger.keyedSettles);
      if (retrying.has(earlier.key)) return;
      retrying.add(earlier.key);
      const reply = await client.post(earlier.path, {
        headers: { ...earlier.merchant.auth, 'Idempotency-Key': earlier.key },
        body: earlier.body,
      });
      retrying.delete(earlier.key);
      if (expect('settle retry (same key)', reply, [200])) {
        ledger.replays++;
        if (
          reply.headers['idempotent-replayed'] !== 'true' ||
          canonical(reply.body) !== canonical(earlier.reply)
        )
          ledger.violation(
            `settle retry ${earlier.key}: not the stored response: ${reply.text.slice(0, 200)}`,
          );
      }
    } else if (r < 0.96) {
      const asUser = chance(0.4);
      const reply = await client.get('/api/v2/transactions/history?limit=20', {
        headers: asUser ? user.auth : merchant.auth,
      });
      if (expect(asUser ? 'history (customer)' : 'history (merchant)', reply, [200])) {
        // Only the caller's own sales or purchases.
        const foreign = (reply.body as TxReply[]).filter((tx) =>
          asUser ? tx.user_id !== user.id : tx.merchant_id !== merchant.id,
        );
        if (foreign.length)
          ledger.violation(`history shows another party's transactions: ${JSON.stringify(foreign[0])}`);
      }
    } else {
      const asUser = chance(0.5);
      const reply = await client.get(asUser ? '/api/v2/dashboard/user' : '/api/v2/dashboard/merchant', {
        headers: asUser ? user.auth : merchant.auth,
      });
      expect(asUser ? 'dashboard (customer)' : 'dashboard (merchant)', reply, [200]);
    }
  }

  async function settle(merchant: Party, keyed: boolean): Promise<void> {
    const bill = ledger.openBill(merchant);
    if (!bill) return;
    const whole = chance(0.25) && bill.available === bill.sale.amountPaise - bill.sale.settledPaise;
    const paise = whole ? bill.available : 1 + Math.floor(Math.random() * bill.available);
    const body: Record<string, unknown> = { payment_method: pick(METHODS) };
    if (!whole) body.amount = rupees(paise);
    const key = keyed ? randomUUID() : undefined;
    const path = `/api/v2/transactions/${bill.sale.id}/settle`;
    ledger.reserve(bill.sale.id, paise);
    const reply = await client.post(path, {
      headers: { ...merchant.auth, ...(key ? { 'Idempotency-Key': key } : {}) },
      body,
    });
    ledger.release(bill.sale.id, paise);
    if (expect(whole ? 'settle (in full)' : 'settle (part)', reply, [200])) {
      ledger.ackSettlement(bill.sale.id, paise);
      if (key) ledger.keyedSettles.push({ key, merchant, path, body, reply: reply.body });
    } else if (inconclusive(reply)) {
      ledger.freeze(bill.sale.id);
      ledger.unknown.push({
        kind: 'settle',
        merchant,
        path,
        body,
        key,
        billId: bill.sale.id,
        amountPaise: paise,
      });
    }
  }

  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (!stopped()) {
        if (options.control?.paused) {
          await sleep(50);
          continue;
        }
        const before = ledger.count((s) => s === 0 || s >= 500);
        await step();
        // A real client backs off a little after a failure instead of spinning.
        if (!strict && ledger.count((s) => s === 0 || s >= 500) > before)
          await sleep(50 + Math.random() * 100);
      }
    }),
  );
}

/**
 * Replays every write that ended without a definitive answer, with its Idempotency-Key or client_id,
 * until it is acknowledged (written now, or the replay of what was written before the fault).
 */
export async function resolveUnknown(
  client: Client,
  ledger: Ledger,
  deadlineMs = 60_000,
  concurrency = 16,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  const queue = ledger.unknown.splice(0);
  const resolveOne = async (p: Pending): Promise<void> => {
    for (;;) {
      const reply = await client.post(p.path, {
        headers: { ...p.merchant.auth, ...(p.key ? { 'Idempotency-Key': p.key } : {}) },
        body: p.body,
      });
      ledger.record(`replay after fault (${p.kind})`, reply);
      if (p.kind === 'create' && reply.status === 201) {
        ledger.ackSale(p.merchant, p.body as SaleBody, reply, p.key);
        return;
      }
      if (p.kind === 'settle' && reply.status === 200) {
        ledger.ackSettlement(p.billId!, p.amountPaise!);
        ledger.thaw(p.billId!);
        return;
      }
      // 409: the same client_id or key is being replayed by another entry right now; try again.
      if (reply.status !== 0 && reply.status !== 503 && reply.status !== 409) {
        ledger.violation(`replay of ${p.kind} ${p.key ?? ''}: ${reply.status} ${reply.text.slice(0, 300)}`);
        return;
      }
      if (Date.now() > until) {
        ledger.violation(`replay of ${p.kind} ${p.key ?? ''} still failing: ${reply.status}`);
        return;
      }
      await sleep(200);
    }
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) await resolveOne(p);
    }),
  );
}

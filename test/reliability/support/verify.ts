import type pg from 'pg';
import type { Client } from './http.js';
import type { Ledger, Sale, World } from './workload.js';
import { allTransactions } from '../../support/transactions.js';

interface Row {
  id: string;
  merchant_id: number;
  user_id: number | null;
  guest_user_id: number | null;
  amount_paise: string;
  type: string;
  status: string;
  paid_paise: string;
}

const expectedPaid = (s: Sale) => (s.type === 'paid' ? s.amountPaise : s.settledPaise);
const statusOf = (amount: number, paid: number) =>
  paid >= amount ? 'paid' : paid > 0 ? 'partially_paid' : 'due';

/**
 * Holds the database against what the clients were told: every acknowledged sale and payment is
 * there exactly once with the acknowledged values, nothing is there that nobody was told about, and
 * no sale is half-written (guest, settlement, customer link and idempotency record all agree).
 */
export async function verifyDatabase(
  db: pg.Pool,
  ledger: Ledger,
  world: World,
  options: { unknownGuestsAllowed?: number } = {},
): Promise<string[]> {
  const out: string[] = [];
  const problem = (m: string) => out.length < 40 && out.push(m);
  const merchants = world.merchants.map((m) => m.id);
  const { rows } = await db.query<Row>(
    `SELECT id, merchant_id, user_id, guest_user_id, amount_paise, type, status, paid_paise
       FROM ${await allTransactions(db)} WHERE merchant_id = ANY($1::int[])`,
    [merchants],
  );
  const byId = new Map(rows.map((r) => [Number(r.id), r]));

  for (const sale of ledger.sales.values()) {
    const row = byId.get(sale.id);
    if (!row) {
      problem(`acknowledged sale ${sale.id} is missing`);
      continue;
    }
    const paid = expectedPaid(sale);
    const diffs = [
      row.merchant_id !== sale.merchantId && `merchant ${row.merchant_id}≠${sale.merchantId}`,
      row.user_id !== sale.userId && `user ${row.user_id}≠${sale.userId}`,
      row.guest_user_id !== sale.guestId && `guest ${row.guest_user_id}≠${sale.guestId}`,
      Number(row.amount_paise) !== sale.amountPaise && `amount ${row.amount_paise}≠${sale.amountPaise}`,
      row.type !== sale.type && `type ${row.type}≠${sale.type}`,
      Number(row.paid_paise) !== paid && `paid ${row.paid_paise}≠${paid} (acknowledged)`,
      row.status !== statusOf(sale.amountPaise, paid) &&
        `status ${row.status}≠${statusOf(sale.amountPaise, paid)}`,
    ].filter(Boolean);
    if (diffs.length) problem(`sale ${sale.id}: ${diffs.join(', ')}`);
  }
  for (const row of rows)
    if (!ledger.sales.has(Number(row.id)))
      problem(`row ${row.id} was never acknowledged (${JSON.stringify(row)})`);

  // Settlements: exactly the acknowledged payments, only on pay-later bills, matching paid_paise.
  const { rows: settled } = await db.query<{ transaction_id: string; n: number; paise: string }>(
    `SELECT transaction_id, count(*)::int AS n, sum(amount_paise)::text AS paise
       FROM settlements WHERE merchant_id = ANY($1::int[]) GROUP BY transaction_id`,
    [merchants],
  );
  const settledById = new Map(settled.map((s) => [Number(s.transaction_id), s]));
  for (const row of rows) {
    const s = settledById.get(Number(row.id));
    const sum = Number(s?.paise ?? 0);
    if (row.type === 'paid' && s) problem(`paid sale ${row.id} has settlements`);
    if (row.type === 'pay_later' && sum !== Number(row.paid_paise))
      problem(
        `bill ${row.id}: paid_paise ${row.paid_paise} but settlements sum to ${sum} (half-written payment)`,
      );
    const sale = ledger.sales.get(Number(row.id));
    if (sale && row.type === 'pay_later' && (s?.n ?? 0) !== sale.settlements)
      problem(`bill ${row.id}: ${s?.n ?? 0} settlements, ${sale.settlements} acknowledged`);
  }
  for (const id of settledById.keys()) if (!byId.has(id)) problem(`settlement for missing bill ${id}`);

  // Guests: a guest bound to a sale points at it and the sale points back; an unbound guest was made on its own.
  const { rows: guests } = await db.query<{ id: number; merchant_id: number; transaction_id: string | null }>(
    `SELECT id, merchant_id, transaction_id FROM guest_users WHERE merchant_id = ANY($1::int[])`,
    [merchants],
  );
  const guestById = new Map(guests.map((g) => [g.id, g]));
  let unknownUnbound = 0;
  for (const g of guests) {
    if (g.transaction_id === null) {
      if (!ledger.standaloneGuests.has(g.id)) unknownUnbound++;
      continue;
    }
    const row = byId.get(Number(g.transaction_id));
    if (!row || row.guest_user_id !== g.id || row.merchant_id !== g.merchant_id)
      problem(`guest ${g.id} points at transaction ${g.transaction_id}, which is not its sale`);
  }
  if (unknownUnbound > (options.unknownGuestsAllowed ?? 0))
    problem(
      `${unknownUnbound} guests without a sale were never created on their own (half-written guest sales)`,
    );
  for (const row of rows)
    if (row.guest_user_id !== null && guestById.get(row.guest_user_id)?.transaction_id !== row.id)
      problem(`sale ${row.id} names guest ${row.guest_user_id}, which does not point back`);

  // Every customer sale's customer→merchant link.
  const { rows: links } = await db.query<{ user_id: number; merchant_id: number }>(
    `SELECT user_id, merchant_id FROM customer_merchants WHERE merchant_id = ANY($1::int[])`,
    [merchants],
  );
  const linked = new Set(links.map((l) => `${l.user_id}:${l.merchant_id}`));
  for (const row of rows)
    if (row.user_id !== null && !linked.has(`${row.user_id}:${row.merchant_id}`))
      problem(`sale ${row.id}: customer ${row.user_id} is not linked to merchant ${row.merchant_id}`);

  // Idempotency records: every acknowledged key stored with its sale, every stored key's sale present.
  const { rows: keys } = await db.query<{ key: string; id: string | null }>(
    `SELECT key, response_body->>'id' AS id FROM idempotency_keys WHERE scope = ANY($1::text[])`,
    [merchants.map((m) => `merchant:${m}:create`)],
  );
  const stored = new Map(keys.map((k) => [k.key, Number(k.id)]));
  for (const [key, id] of ledger.keyToId)
    if (stored.get(key) !== id)
      problem(`Idempotency-Key ${key}: stored ${stored.get(key)}, acknowledged ${id}`);
  for (const [key, id] of stored)
    if (!byId.has(id)) problem(`Idempotency-Key ${key} stored for missing sale ${id}`);

  // Balances per merchant, to the paisa: sales − paid at the counter − settlements = still owed.
  for (const m of merchants) {
    const mine = [...ledger.sales.values()].filter((s) => s.merchantId === m);
    const owed = mine.reduce((sum, s) => sum + s.amountPaise - expectedPaid(s), 0);
    const inDb = rows
      .filter((r) => r.merchant_id === m)
      .reduce((sum, r) => sum + Number(r.amount_paise) - Number(r.paid_paise), 0);
    const fromSettlements = rows
      .filter((r) => r.merchant_id === m)
      .reduce(
        (sum, r) =>
          sum +
          Number(r.amount_paise) -
          (r.type === 'paid' ? Number(r.amount_paise) : Number(settledById.get(Number(r.id))?.paise ?? 0)),
        0,
      );
    if (owed !== inDb || owed !== fromSettlements)
      problem(
        `merchant ${m}: owed ${owed} acknowledged, ${inDb} in transactions, ${fromSettlements} from settlements`,
      );
  }
  return out;
}

/** The API's own totals (analytics and dashboards) against the acknowledged ledger, to the paisa. */
export async function verifyReportedBalances(
  client: Client,
  ledger: Ledger,
  world: World,
): Promise<string[]> {
  const out: string[] = [];
  const sales = [...ledger.sales.values()];
  for (const m of world.merchants) {
    const mine = sales.filter((s) => s.merchantId === m.id);
    const owed = mine.reduce((sum, s) => sum + s.amountPaise - expectedPaid(s), 0);
    const collected = mine.reduce((sum, s) => sum + expectedPaid(s), 0);
    const bills = mine.filter((s) => expectedPaid(s) < s.amountPaise).length;
    const analytics = await client.get('/api/v2/transactions/analytics?days=2', { headers: m.auth });
    const a = analytics.body as Record<string, number>;
    if (
      analytics.status !== 200 ||
      a.total_pending_paise !== owed ||
      a.total_sales_paise !== collected ||
      a.total_transactions !== mine.length
    )
      out.push(
        `merchant ${m.id} analytics ${analytics.status}: pending ${a?.total_pending_paise} (ledger ${owed}), ` +
          `collected ${a?.total_sales_paise} (${collected}), count ${a?.total_transactions} (${mine.length})`,
      );
    const dash = await client.get('/api/v2/dashboard/merchant', { headers: m.auth });
    const o = (dash.body as { outstanding?: { amount_paise: number; bills: number } })?.outstanding;
    if (dash.status !== 200 || o?.amount_paise !== owed || o?.bills !== bills)
      out.push(
        `merchant ${m.id} dashboard ${dash.status}: outstanding ${JSON.stringify(o)} (ledger ${owed} in ${bills} bills)`,
      );
  }
  for (const u of world.users) {
    const mine = sales.filter((s) => s.userId === u.id);
    const owed = mine.reduce((sum, s) => sum + s.amountPaise - expectedPaid(s), 0);
    const spent = mine.reduce((sum, s) => sum + expectedPaid(s), 0);
    const dash = await client.get('/api/v2/dashboard/user', { headers: u.auth });
    type Split = { total_pending_paise: number; total_spent_paise: number };
    const d = dash.body as Split & { unconfirmed?: Split };
    // Shops the customer has not confirmed yet are reported apart; together they are the ledger.
    const pending = d?.total_pending_paise + (d?.unconfirmed?.total_pending_paise ?? 0);
    const paid = d?.total_spent_paise + (d?.unconfirmed?.total_spent_paise ?? 0);
    if (dash.status !== 200 || pending !== owed || paid !== spent)
      out.push(
        `customer ${u.id} dashboard ${dash.status}: pending ${pending} (ledger ${owed}), spent ${paid} (${spent})`,
      );
  }
  return out;
}

import { jest } from '@jest/globals';
import { AccountsService } from '../../src/modules/khata/accounts.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant, registerUser } from '../support/factories.js';
import { createSale } from '../support/sales.js';
import { merchantTable } from '../support/transactions.js';

jest.setTimeout(30_000);

/** The khata's accounts: created on a buyer's first sale, kept by every sale and settle (issue 14). */
describe('khata accounts (e2e)', () => {
  let t: TestApp;
  let accounts: AccountsService;
  beforeAll(async () => {
    t = await createTestApp();
    accounts = t.app.get(AccountsService);
  });
  afterAll(() => t.close());

  const accountRow = async (merchantId: number, userId: number) =>
    (
      await t.db.query(
        `SELECT id::int, due_paise::int AS due, advance_paise::int AS advance FROM customer_accounts
          WHERE merchant_id = $1 AND user_id = $2`,
        [merchantId, userId],
      )
    ).rows[0] as { id: number; due: number; advance: number } | undefined;

  it('a first sale opens the account; credit sales add to the due, settles take from it', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    await createSale(t, m, { user_id: u.id, amount: 10, type: 'paid' });
    expect(await accountRow(m.id, u.id)).toMatchObject({ due: 0, advance: 0 });
    const bill = await createSale(t, m, { user_id: u.id, amount: 250.5, type: 'pay_later' });
    await createSale(t, m, { user_id: u.id, amount: 99.5, type: 'pay_later' });
    const opened = (await accountRow(m.id, u.id))!;
    expect(opened.due).toBe(35000);

    const settle = await t.http
      .post(`/api/v2/transactions/${bill.id}/settle`)
      .set(m.auth)
      .send({ amount: 50.5, payment_method: 'cash' });
    expect(settle.status).toBe(200);
    expect(settle.body).toMatchObject({ paid_paise: 5050, status: 'partially_paid' });
    expect((await accountRow(m.id, u.id))!.due).toBe(29950);

    const account = await accounts.forMerchant(m.id, opened.id);
    expect(account).toMatchObject({
      id: opened.id,
      merchant_id: m.id,
      user_id: u.id,
      guest_user_id: null,
      due_paise: 29950,
      advance_paise: 0,
    });
    expect(account.name).toEqual(expect.any(String));
    expect(account.last_sale_at).toBeInstanceOf(Date);
    expect(account.last_payment_at).toBeInstanceOf(Date);
    expect(await accounts.forCustomer(u.id, m.id)).toMatchObject({ id: opened.id, due_paise: 29950 });

    // Another merchant cannot read it; the customer has no account at a shop they never bought from.
    const other = await registerMerchant(t);
    await expect(accounts.forMerchant(other.id, opened.id)).rejects.toMatchObject({ status: 404 });
    await expect(accounts.forCustomer(u.id, other.id)).rejects.toMatchObject({ status: 404 });

    const ledger = await accounts.ledger(m.id, opened.id);
    expect(ledger.entries.map((e) => [e.kind, e.amount_paise, e.balance_paise])).toEqual([
      ['sale_paid', 0, 0],
      ['sale_credit', 25050, 25050],
      ['sale_credit', 9950, 35000],
      ['payment', -5050, 29950],
    ]);
    expect(ledger.closing_balance_paise).toBe(29950);
  });

  it('sales, settles and payments of one customer at once all succeed, and the balance is their sum', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    const bills = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(() => createSale(t, m, { user_id: u.id, amount: 100, type: 'pay_later' })),
    );
    const accountId = (await accountRow(m.id, u.id))!.id;
    // New credit sales (each locks the account, then the dashboard rollups), settles of older bills
    // and payments on the account (the account, then the bills and the rollups), interleaved: a lock
    // cycle between any two of them would fail one with a deadlock.
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => {
        if (i % 3 === 0)
          return t.http
            .post('/api/v2/transactions/create')
            .set(m.auth)
            .send({ user_id: u.id, amount: 10, type: 'pay_later' });
        if (i % 3 === 1)
          return t.http
            .post(`/api/v2/transactions/${bills[((i - 1) / 3) % bills.length].id}/settle`)
            .set(m.auth)
            .send({ amount: 1, payment_method: 'cash' });
        return t.http
          .post(`/api/v2/customers/${accountId}/payments`)
          .set(m.auth)
          .send({ amount: 2, payment_method: 'upi' });
      }),
    );
    expect(answers.map((a) => a.status).sort()).toEqual(
      [...Array<number>(8).fill(200), ...Array<number>(8).fill(201), ...Array<number>(8).fill(201)].sort(),
    );
    // 6 × ₹100 + 8 × ₹10 billed, 8 × ₹1 settled and 8 × ₹2 paid on account.
    expect(await accountRow(m.id, u.id)).toMatchObject({ due: 60000 + 8000 - 800 - 1600, advance: 0 });
    const ledger = await accounts.ledger(m.id, accountId);
    expect(ledger.entries).toHaveLength(6 + 24);
    expect(ledger.closing_balance_paise).toBe(60000 + 8000 - 800 - 1600);
  });

  it('a guest bill has an account of its own', async () => {
    const m = await registerMerchant(t);
    const bill = await createSale(t, m, { is_guest_transaction: true, amount: 40, type: 'pay_later' });
    const [row] = (
      await t.db.query(
        `SELECT id::int, due_paise::int AS due FROM customer_accounts WHERE guest_user_id = $1`,
        [bill.guest_user_id],
      )
    ).rows;
    expect(row.due).toBe(4000);
    expect(await accounts.forMerchant(m.id, row.id)).toMatchObject({
      guest_user_id: bill.guest_user_id,
      user_id: null,
      name: null,
      due_paise: 4000,
    });
  });

  it('a customer who blocked the shop no longer sees the account', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    await createSale(t, m, { user_id: u.id, amount: 5, type: 'pay_later' });
    await t.db.query(
      `UPDATE customer_merchants SET relation = 'blocked' WHERE user_id = $1 AND merchant_id = $2`,
      [u.id, m.id],
    );
    await expect(accounts.forCustomer(u.id, m.id)).rejects.toMatchObject({ status: 404 });
  });

  it('khata_backfill_accounts builds accounts, payments and the ledger of sales written without the API', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    const table = merchantTable(m.id);
    const ids = (
      await t.db.query(
        `INSERT INTO ${table} (id, merchant_id, user_id, amount_paise, type, status, paid_paise, occurred_at)
         VALUES (nextval('transactions_id_seq'), $1, $2, 1000, 'pay_later', 'partially_paid', 400, '2026-01-01T10:00:00Z'),
                (nextval('transactions_id_seq'), $1, $2, 700, 'paid', 'paid', 700, '2026-01-02T10:00:00Z'),
                (nextval('transactions_id_seq'), $1, $2, 300, 'pay_later', 'due', 0, '2026-01-03T10:00:00Z')
         RETURNING id`,
        [m.id, u.id],
      )
    ).rows.map((r) => r.id);
    await t.db.query(
      `INSERT INTO settlements (merchant_id, transaction_id, amount_paise, payment_method, created_at)
       VALUES ($1, $2, 400, 'cash', '2026-01-04T10:00:00Z')`,
      [m.id, ids[0]],
    );
    await t.db.query(`SELECT khata_backfill_accounts($1)`, [m.id]);
    const row = (await accountRow(m.id, u.id))!;
    expect(row).toMatchObject({ due: 900, advance: 0 });
    const ledger = await accounts.ledger(m.id, row.id);
    expect(ledger.entries.map((e) => [e.kind, e.amount_paise, e.balance_paise])).toEqual([
      ['sale_credit', 1000, 1000],
      ['sale_paid', 0, 1000],
      ['sale_credit', 300, 1300],
      ['payment', -400, 900],
    ]);
    expect(await accounts.allocationsOf(m.id, [Number(ids[0])])).toEqual([
      expect.objectContaining({ transaction_id: Number(ids[0]), amount_paise: 400 }),
    ]);
    // Run again: nothing doubles.
    await t.db.query(`SELECT khata_backfill_accounts($1)`, [m.id]);
    expect((await accounts.ledger(m.id, row.id)).entries).toHaveLength(4);
    // The next API sale continues the same ledger.
    await createSale(t, m, { user_id: u.id, amount: 1, type: 'pay_later' });
    const next = await accounts.ledger(m.id, row.id);
    expect(next.entries.map((e) => [e.entry_no, e.balance_paise]).at(-1)).toEqual([5, 1000]);
  });

  it('khata_backfill_accounts opens an account per buyer who still exists, guests included, and none for a deleted one', async () => {
    const m = await registerMerchant(t);
    const u = await registerUser(t);
    const guest = (await t.db.query(`INSERT INTO guest_users (merchant_id) VALUES ($1) RETURNING id`, [m.id]))
      .rows[0].id;
    const gone = Number((await t.db.query(`SELECT coalesce(max(id), 0) + 1000 AS id FROM users`)).rows[0].id);
    // As the bulk loader writes: triggers off, so a sale may name a buyer who is gone.
    const conn = await t.db.connect();
    try {
      await conn.query('BEGIN');
      await conn.query(`SET LOCAL session_replication_role = replica`);
      await conn.query(
        `INSERT INTO ${merchantTable(m.id)} (id, merchant_id, user_id, guest_user_id, amount_paise, type, status, paid_paise, occurred_at)
         VALUES (nextval('transactions_id_seq'), $1, $2, NULL, 500, 'pay_later', 'due', 0, '2026-01-01T10:00:00Z'),
                (nextval('transactions_id_seq'), $1, NULL, $3, 250, 'pay_later', 'due', 0, '2026-01-02T10:00:00Z'),
                (nextval('transactions_id_seq'), $1, $4, NULL, 900, 'pay_later', 'due', 0, '2026-01-03T10:00:00Z')`,
        [m.id, u.id, guest, gone],
      );
      await conn.query('COMMIT');
    } finally {
      conn.release();
    }
    await t.db.query(`SELECT khata_backfill_accounts($1)`, [m.id]);
    const { rows } = await t.db.query(
      `SELECT user_id, guest_user_id, due_paise::int AS due, entry_count FROM customer_accounts
        WHERE merchant_id = $1 ORDER BY due_paise`,
      [m.id],
    );
    expect(rows).toEqual([
      { user_id: null, guest_user_id: Number(guest), due: 250, entry_count: 1 },
      { user_id: u.id, guest_user_id: null, due: 500, entry_count: 1 },
    ]);
  });
});

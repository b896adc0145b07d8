import { TransactionTableFactory } from '../../src/modules/transactions/transaction-table.factory.js';
import {
  IdempotencyRepository,
  TRANSACTION_COLUMNS,
  TransactionsRepository,
  type NewSale,
  type TransactionRow,
} from '../../src/modules/transactions/transactions.repository.js';
import { migratedDatabase, type MediumDatabase } from './database.js';
import { newSale } from './rows.js';

describe('TransactionsRepository (PostgreSQL)', () => {
  let m: MediumDatabase;
  let repo: TransactionsRepository;
  let shopA: number;
  let shopB: number;
  let buyer: number;

  const sale = (patch: Partial<NewSale>): NewSale => newSale({ merchantId: shopA, userId: buyer, ...patch });

  beforeAll(async () => {
    m = await migratedDatabase();
    repo = new TransactionsRepository(m.db);
    const merchants: { id: number }[] = await m.dataSource.query(
      `INSERT INTO merchants (name, email, phone, password_hash, business_name)
       SELECT 'M' || g, 'medium' || g || '@example.com', '+9170000000' || g, 'x', 'Shop ' || g
         FROM generate_series(1, 2) g RETURNING id`,
    );
    [shopA, shopB] = merchants.map((r) => r.id);
    await m.dataSource.transaction((manager) =>
      new TransactionTableFactory().provisionMany(manager, [shopA, shopB]),
    );
    const [user]: { id: number }[] = await m.dataSource.query(
      `INSERT INTO users (name, email, phone, password_hash) VALUES ('U', 'medium.u@example.com', '+918000000001', 'x')
       RETURNING id`,
    );
    buyer = user.id;
  });
  afterAll(() => m.close());

  it('selects exactly the columns of the merchant-table template, in order', async () => {
    const rows: { column_name: string }[] = await m.dataSource.query(
      `SELECT column_name FROM information_schema.columns
        WHERE table_name = 'transaction_template' ORDER BY ordinal_position`,
    );
    expect(rows.map((r) => r.column_name)).toEqual([...TRANSACTION_COLUMNS]);
  });

  it('records a sale with its index row, customer link and khata entry, and returns the typed row', async () => {
    const row = await repo.insertSale(sale({}));
    expect(row).toBeDefined();
    expect(Object.keys(row!).sort()).toEqual(
      [
        ...TRANSACTION_COLUMNS,
        'merchant_name',
        'customer_relation',
        'possible_duplicate_of',
        'account_id',
        'account_advance_paise',
      ].sort(),
    );
    // The same statement put the credit sale on the buyer's account, with its ledger entry.
    const [account] = await m.dataSource.query(`SELECT * FROM customer_accounts WHERE id = $1`, [
      row!.account_id,
    ]);
    expect(account).toMatchObject({ merchant_id: shopA, user_id: buyer, due_paise: '2550', entry_count: 1 });
    const entries = await m.dataSource.query(
      `SELECT entry_no, kind, transaction_id, amount_paise, balance_paise FROM account_entries WHERE account_id = $1`,
      [row!.account_id],
    );
    expect(entries).toEqual([
      {
        entry_no: 1,
        kind: 'sale_credit',
        transaction_id: row!.id,
        amount_paise: '2550',
        balance_paise: '2550',
      },
    ]);
    expect(row).toMatchObject({ merchant_id: shopA, user_id: buyer, amount_paise: '2550', status: 'due' });
    const [index] = await m.dataSource.query(`SELECT * FROM transaction_index WHERE id = $1`, [row!.id]);
    expect(index).toMatchObject({
      merchant_id: shopA,
      user_id: buyer,
      amount_paise: '2550',
      type: 'pay_later',
    });
    expect(await repo.userHasSales(buyer)).toBe(true);
    expect(await repo.merchantHasSales(shopA)).toBe(true);
    expect(await repo.merchantHasSales(shopB)).toBe(false);
  });

  it('writes nothing for a customer who does not exist', async () => {
    expect(await repo.insertSale(sale({ userId: 999_999 }))).toBeUndefined();
    expect(await repo.customerExists(999_999)).toBe(false);
  });

  it('keeps merchants apart and finds a customer’s sale through the index', async () => {
    const row = (await repo.insertSale(sale({ amountPaise: 100, type: 'paid', paymentMethod: 'upi' })))!;
    expect(await repo.findForMerchant(shopB, Number(row.id))).toBeUndefined();
    expect((await repo.findForMerchant(shopA, Number(row.id)))?.id).toBe(row.id);
    expect((await repo.findForUser(buyer, Number(row.id)))?.merchant_name).toBe('Shop 1');
    expect(await repo.findForUser(buyer + 1, Number(row.id))).toBeUndefined();
  });

  it('settles inside the caller’s transaction', async () => {
    const bill = (await repo.insertSale(sale({ amountPaise: 1000 })))!;
    const paid = await m.db.transaction(async () => {
      const locked = (await repo.findForMerchant(shopA, Number(bill.id), true))!;
      return repo.applySettlement(locked, 400, 'cash', null);
    });
    expect(paid).toMatchObject({ paid_paise: '400', status: 'partially_paid' });
    // A failing transaction leaves nothing behind.
    await expect(
      m.db.transaction(async () => {
        await repo.applySettlement(paid, 100, 'cash', null);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await repo.findForMerchant(shopA, Number(bill.id)))?.paid_paise).toBe('400');
  });

  it('reads a customer’s rows only from the tables of the merchants given', async () => {
    await repo.insertSale(sale({ merchantId: shopB, amountPaise: 300 }));
    const bills = await repo.customerBills(buyer, [shopA, shopB], 'due', 10);
    expect(new Set(bills.map((b) => b.merchant_id))).toEqual(new Set([shopA, shopB]));
    expect((await repo.customerBills(buyer, [shopB], 'due', 10)).every((b) => b.merchant_id === shopB)).toBe(
      true,
    );
  });

  it('keeps the index row of a sale equal to the sale through a settlement and a deletion', async () => {
    const indexed = async (id: string) =>
      (
        await m.dataSource.query(
          `SELECT merchant_id, id::text, user_id, amount_paise::text, type, status, paid_paise::text, seq::text
             FROM transaction_index WHERE id = $1`,
          [id],
        )
      )[0] as Record<string, unknown> | undefined;
    const of = (row: TransactionRow) => ({
      merchant_id: row.merchant_id,
      id: row.id,
      user_id: row.user_id,
      amount_paise: row.amount_paise,
      type: row.type,
      status: row.status,
      paid_paise: row.paid_paise,
      seq: row.seq,
    });
    const bill = (await repo.insertSale(sale({ amountPaise: 5000 })))!;
    expect(await indexed(bill.id)).toEqual(of(bill));
    const part = await m.db.transaction(async () =>
      repo.applySettlement((await repo.findForMerchant(shopA, Number(bill.id), true))!, 2000, 'upi', null),
    );
    expect(await indexed(bill.id)).toEqual(of(part));
    expect(part.seq).not.toBe(bill.seq);
    const paid = await m.db.transaction(async () =>
      repo.applySettlement((await repo.findForMerchant(shopA, Number(bill.id), true))!, 3000, 'upi', null),
    );
    expect(await indexed(bill.id)).toEqual(of({ ...paid, status: 'paid', paid_paise: '5000' }));
    await m.dataSource.query(`DELETE FROM ${TransactionTableFactory.quotedTableName(shopA)} WHERE id = $1`, [
      bill.id,
    ]);
    expect(await indexed(bill.id)).toBeUndefined();
  });

  it('pages a customer’s history from the index, then reads only the page’s merchants’ tables', async () => {
    const [user]: { id: number }[] = await m.dataSource.query(
      `INSERT INTO users (name, email, phone, password_hash) VALUES ('H', 'medium.h@example.com', '+918000000002', 'x')
       RETURNING id`,
    );
    const at = (iso: string) => new Date(iso);
    const a1 = (await repo.insertSale(sale({ userId: user.id, occurredAt: at('2026-11-01T10:00:00Z') })))!;
    const b1 = (await repo.insertSale(
      sale({ userId: user.id, merchantId: shopB, occurredAt: at('2026-11-02T10:00:00Z') }),
    ))!;
    const a2 = (await repo.insertSale(
      sale({ userId: user.id, type: 'paid', amountPaise: 700, occurredAt: at('2026-11-03T10:00:00Z') }),
    ))!;
    const page = await repo.historyForUser(user.id, { limit: 2 });
    expect(page.map((r) => r.id)).toEqual([a2.id, b1.id]);
    const {
      customer_relation: _written,
      possible_duplicate_of: _duplicate,
      account_id: _account,
      account_advance_paise: _advance,
      ...a2Row
    } = a2;
    expect(page[0]).toEqual({ ...a2Row, occurred_us: expect.any(String), shop_relation: 'pending' });
    expect(page[1]).toMatchObject({ merchant_id: shopB, merchant_name: 'Shop 2', shop_relation: 'pending' });
    const next = await repo.historyForUser(user.id, {
      limit: 2,
      before: { occurredUs: page[1].occurred_us, id: Number(page[1].id) },
    });
    expect(next.map((r) => r.id)).toEqual([a1.id]);
    expect((await repo.historyForUser(user.id, { limit: 5, type: 'paid' })).map((r) => r.id)).toEqual([
      a2.id,
    ]);
    expect((await repo.historyForUser(user.id, { limit: 5 }, shopB)).map((r) => r.id)).toEqual([b1.id]);
    expect(
      (await repo.historyForUser(user.id, { limit: 5, sinceSeq: Number(a1.seq) })).map((r) => r.id),
    ).toEqual([b1.id, a2.id]);

    // The first page names only shop A's and shop B's rows; with shop B's table locked by someone
    // else, a page of shop A's rows alone still answers (shop B's table is not read).
    const locker = await m.dataSource.createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    try {
      await locker.query(
        `LOCK TABLE ${TransactionTableFactory.quotedTableName(shopB)} IN ACCESS EXCLUSIVE MODE`,
      );
      const shopAOnly = await m.db.transaction(async () => {
        await m.db.query(`SET LOCAL lock_timeout = '2s'`);
        return repo.historyForUser(user.id, { limit: 1 });
      });
      expect(shopAOnly.map((r) => r.id)).toEqual([a2.id]);
    } finally {
      await locker.rollbackTransaction();
      await locker.release();
    }

    // A blocked shop's rows leave the customer's history.
    await m.dataSource.query(
      `UPDATE customer_merchants SET relation = 'blocked' WHERE user_id = $1 AND merchant_id = $2`,
      [user.id, shopB],
    );
    expect((await repo.historyForUser(user.id, { limit: 5 })).map((r) => r.id)).toEqual([a2.id, a1.id]);
    expect(await repo.historyForUser(user.id, { limit: 5 }, shopB)).toEqual([]);
  });

  it('lists a page across merchants from the index, in the index’s order', async () => {
    const rows = await repo.pageAcrossMerchants(
      'id, merchant_id, amount_paise',
      '',
      'occurred_at DESC, id DESC',
      [],
      50,
      0,
    );
    expect(rows.length).toBe(await repo.countAll());
    expect(new Set(rows.map((r) => r.merchant_id))).toEqual(new Set([shopA, shopB]));
    expect(rows.map((r) => r.__id)).toEqual(rows.map(() => undefined));
  });

  it('stores items and calculation, and names the previous sale when a sale repeats it within 10 s', async () => {
    const [shop]: { id: number }[] = await m.dataSource.query(
      `INSERT INTO merchants (name, email, phone, password_hash, business_name)
       VALUES ('T', 'medium.taps@example.com', '+917000000099', 'x', 'Taps') RETURNING id`,
    );
    await m.dataSource.transaction((manager) => new TransactionTableFactory().provision(manager, shop.id));
    const items = [{ name: 'Rice', quantity: 2, unit_price: 45 }];
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, seconds));
    const tap = (seconds: number, patch: Partial<NewSale> = {}) =>
      repo.insertSale(
        newSale({
          merchantId: shop.id,
          userId: buyer,
          amountPaise: 9000,
          items,
          calculation: '2*45',
          occurredAt: at(seconds),
          ...patch,
        }),
      );
    const first = (await tap(0))!;
    expect(first).toMatchObject({ items, calculation: '2*45', possible_duplicate_of: null });
    // The same sale 10 s later is a double tap of the first; 11 s after that it is not.
    expect((await tap(10))!.possible_duplicate_of).toBe(first.id);
    expect((await tap(21))!.possible_duplicate_of).toBeNull();
    // Only the previous sale counts, and only when buyer, amount and items are the same.
    const other = (await tap(22, { amountPaise: 9001, items: null, calculation: null }))!;
    expect(other.possible_duplicate_of).toBeNull();
    expect((await tap(23))!.possible_duplicate_of).toBeNull();
    expect(
      (await tap(24, { items: [{ name: 'Rice', quantity: 2.0, unit_price: 45.0 }], calculation: null }))!
        .possible_duplicate_of,
    ).not.toBeNull();
    expect(
      (await tap(25, { items: [{ name: 'Rice ', quantity: 2, unit_price: 45 }] }))!.possible_duplicate_of,
    ).toBeNull();
    expect((await tap(26, { userId: null, newGuest: true }))!.possible_duplicate_of).toBeNull();
    // Two walk-in sales: each has a new guest, and the second is still a double tap of the first.
    const walkIn = (await tap(27, { userId: null, newGuest: true }))!;
    expect(walkIn.possible_duplicate_of).not.toBeNull();
    // A sale recorded later for an earlier moment compares with the sale before that moment.
    expect((await tap(5, { amountPaise: 9000 }))!.possible_duplicate_of).toBe(first.id);
  });

  it('binds a guest in the same statement as the sale', async () => {
    const row = (await repo.insertSale(sale({ userId: null, newGuest: true, type: 'paid' })))!;
    const guests = await repo.guestsForMerchant(shopA, null, 0, true);
    expect(guests.map((g) => g.transaction_id)).toContain(row.id);
    expect(await repo.guestHasSales(row.guest_user_id!)).toBe(true);
  });
});

describe('IdempotencyRepository (PostgreSQL)', () => {
  let m: MediumDatabase;
  beforeAll(async () => {
    m = await migratedDatabase();
  });
  afterAll(() => m.close());

  it('claims, stores and finds a key within one transaction', async () => {
    const keys = new IdempotencyRepository(m.db);
    await m.db.transaction(async () => {
      expect(await keys.tryClaim('merchant:1:create', 'k1')).toBe(true);
      expect(await keys.find('merchant:1:create', 'k1')).toBeUndefined();
      await keys.store('merchant:1:create', 'k1', 'hash', 201, { ok: true });
    });
    expect(await m.db.transaction(() => keys.find('merchant:1:create', 'k1'))).toEqual({
      request_hash: 'hash',
      response_status: 201,
      response_body: { ok: true },
    });
  });
});

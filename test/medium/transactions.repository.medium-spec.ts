import { TransactionTableFactory } from '../../src/modules/transactions/transaction-table.factory.js';
import {
  IdempotencyRepository,
  TRANSACTION_COLUMNS,
  TransactionsRepository,
  type NewSale,
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

  it('records a sale with its index row and customer link, and returns the typed row', async () => {
    const row = await repo.insertSale(sale({}));
    expect(row).toBeDefined();
    expect(Object.keys(row!).sort()).toEqual(
      [...TRANSACTION_COLUMNS, 'merchant_name', 'customer_relation', 'possible_duplicate_of'].sort(),
    );
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

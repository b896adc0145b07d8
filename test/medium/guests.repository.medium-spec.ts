import { TransactionTableFactory } from '../../src/modules/transactions/transaction-table.factory.js';
import {
  TransactionsRepository,
  type NewSale,
} from '../../src/modules/transactions/transactions.repository.js';
import { GuestsRepository } from '../../src/modules/guests/guests.repository.js';
import { migratedDatabase, type MediumDatabase } from './database.js';
import { newSale } from './rows.js';

describe('GuestsRepository (PostgreSQL)', () => {
  let m: MediumDatabase;
  let sales: TransactionsRepository;
  let repo: GuestsRepository;
  let shopA: number;
  let shopB: number;

  const sale = (patch: Partial<NewSale>): NewSale =>
    newSale({
      merchantId: shopA,
      newGuest: true,
      amountPaise: 4599,
      type: 'paid',
      description: 'Dal',
      paymentMethod: 'upi',
      occurredAt: new Date('2026-11-20T04:30:00.123Z'),
      ...patch,
    });

  beforeAll(async () => {
    m = await migratedDatabase();
    sales = new TransactionsRepository(m.db);
    repo = new GuestsRepository(m.dataSource, sales);
    const merchants: { id: number }[] = await m.dataSource.query(
      `INSERT INTO merchants (name, email, phone, password_hash, business_name)
       SELECT 'G' || g, 'guests' || g || '@example.com', '+9171000000' || g, 'x', 'Stall ' || g
         FROM generate_series(1, 2) g RETURNING id`,
    );
    [shopA, shopB] = merchants.map((r) => r.id);
    await m.dataSource.transaction((manager) =>
      new TransactionTableFactory().provisionMany(manager, [shopA, shopB]),
    );
  });
  afterAll(() => m.close());

  it('lists nothing for a merchant without guests', async () => {
    expect(await repo.listForMerchant(shopB, null, 0)).toEqual([]);
  });

  it('creates an unused guest of the merchant, with every column returned', async () => {
    const before = Date.now();
    const guest = await repo.createUnused(shopB);
    expect(Object.keys(guest).sort()).toEqual(['created_at', 'id', 'merchant_id', 'transaction_id']);
    expect(guest).toMatchObject({ merchant_id: shopB, transaction_id: null });
    expect(typeof guest.id).toBe('number');
    expect(guest.created_at).toBeInstanceOf(Date);
    expect(guest.created_at.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(await repo.listForMerchant(shopB, null, 0)).toEqual([
      {
        ...guest,
        amount_paise: null,
        type: null,
        status: null,
        description: null,
        payment_method: null,
        occurred_at: null,
      },
    ]);
    // Bound to the sale only, never to another merchant's list.
    expect((await repo.listForMerchant(shopB, null, 0, true)).length).toBe(0);
    expect((await repo.listForMerchant(shopA, null, 0)).map((g) => g.id)).not.toContain(guest.id);
  });

  it('lists the merchant’s guests newest first with their sale’s fields, paged', async () => {
    const first = (await sales.insertSale(sale({})))!;
    const second = (await sales.insertSale(
      sale({
        amountPaise: 100001,
        type: 'pay_later',
        description: 'Atta',
        paymentMethod: null,
        occurredAt: new Date('2026-11-21T18:29:59.999Z'),
      }),
    ))!;
    const unused = await repo.createUnused(shopA);
    await sales.insertSale(sale({ merchantId: shopB, amountPaise: 7 }));

    const all = await repo.listForMerchant(shopA, null, 0);
    expect(all.map((g) => g.id)).toEqual([unused.id, second.guest_user_id, first.guest_user_id]);
    expect(all[1]).toEqual({
      id: second.guest_user_id,
      merchant_id: shopA,
      transaction_id: second.id,
      created_at: expect.any(Date),
      amount_paise: '100001',
      type: 'pay_later',
      status: 'due',
      description: 'Atta',
      payment_method: null,
      occurred_at: new Date('2026-11-21T18:29:59.999Z'),
    });
    expect(all[2]).toMatchObject({
      transaction_id: first.id,
      amount_paise: '4599',
      type: 'paid',
      status: 'paid',
      description: 'Dal',
      payment_method: 'upi',
      occurred_at: new Date('2026-11-20T04:30:00.123Z'),
    });
    expect(all.every((g) => g.merchant_id === shopA)).toBe(true);

    expect((await repo.listForMerchant(shopA, null, 0, true)).map((g) => g.id)).toEqual([
      second.guest_user_id,
      first.guest_user_id,
    ]);
    expect((await repo.listForMerchant(shopA, 1, 1)).map((g) => g.id)).toEqual([second.guest_user_id]);
    expect(await repo.listForMerchant(shopA, 5, 3)).toEqual([]);
  });
});

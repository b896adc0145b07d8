import { DashboardRepository } from '../../src/modules/dashboard/dashboard.repository.js';
import { TransactionTableFactory } from '../../src/modules/transactions/transaction-table.factory.js';
import {
  TransactionsRepository,
  type NewSale,
  type TransactionRow,
} from '../../src/modules/transactions/transactions.repository.js';
import { migratedDatabase, type MediumDatabase } from './database.js';
import { newSale } from './rows.js';

const at = (iso: string) => new Date(iso);

describe('DashboardRepository (PostgreSQL)', () => {
  let m: MediumDatabase;
  let sales: TransactionsRepository;
  let repo: DashboardRepository;
  /** Asia/Kolkata (+05:30). */
  let shopA: number;
  /** Asia/Kathmandu (+05:45). */
  let shopB: number;
  let buyer: number;
  let other: number;
  const written: Record<string, TransactionRow> = {};

  const sale = (patch: Partial<NewSale>): NewSale => newSale({ merchantId: shopA, userId: buyer, ...patch });

  beforeAll(async () => {
    m = await migratedDatabase();
    sales = new TransactionsRepository(m.db);
    repo = new DashboardRepository(m.dataSource, m.db, sales);
    const merchants: { id: number }[] = await m.dataSource.query(
      `INSERT INTO merchants (name, email, phone, password_hash, business_name, business_type, city, state, timezone)
       VALUES ('Ravi', 'dash1@example.com', '+917200000001', 'x', 'Ravi Kirana', 'kirana', 'Nashik', 'Maharashtra', 'Asia/Kolkata'),
              ('Sita', 'dash2@example.com', '+917200000002', 'x', 'Sita Stores', NULL, NULL, NULL, 'Asia/Kathmandu')
       RETURNING id`,
    );
    [shopA, shopB] = merchants.map((r) => r.id);
    await m.dataSource.transaction((manager) =>
      new TransactionTableFactory().provisionMany(manager, [shopA, shopB]),
    );
    const users: { id: number }[] = await m.dataSource.query(
      `INSERT INTO users (name, email, phone, password_hash)
       VALUES ('Asha', 'dash.u1@example.com', '+918200000001', 'x'),
              ('Binu', 'dash.u2@example.com', '+918200000002', 'x')
       RETURNING id`,
    );
    [buyer, other] = users.map((r) => r.id);

    const write = async (key: string, patch: Partial<NewSale>) => {
      written[key] = (await sales.insertSale(sale(patch)))!;
    };
    // Shop A, Kolkata: 2026-11-20 local holds a bill and a cash sale; 2026-11-21 local starts at 18:30Z.
    await write('bill', { amountPaise: 12345, occurredAt: at('2026-11-20T10:00:00Z') });
    await write('cash', {
      amountPaise: 999,
      type: 'paid',
      paymentMethod: 'cash',
      occurredAt: at('2026-11-20T18:29:59Z'),
    });
    await write('lateUpi', {
      amountPaise: 50001,
      type: 'paid',
      paymentMethod: 'upi',
      occurredAt: at('2026-11-20T18:30:00Z'),
    });
    await write('guest', {
      userId: null,
      newGuest: true,
      amountPaise: 70000,
      type: 'paid',
      occurredAt: at('2026-11-21T02:00:00Z'),
    });
    await write('otherBuyer', {
      userId: other,
      amountPaise: 300,
      type: 'paid',
      paymentMethod: 'card',
      occurredAt: at('2026-11-19T12:00:00Z'),
    });
    // Shop B: the same customer, a bill of its own (never in shop A's figures).
    await write('shopB', {
      merchantId: shopB,
      amountPaise: 800000,
      occurredAt: at('2026-11-20T12:00:00Z'),
    });
  });
  afterAll(() => m.close());

  it('computes the calendar of a zone, with each local midnight as an instant', async () => {
    // 2026-11-20T20:00Z is Saturday 01:30 on 2026-11-21 in Kolkata.
    expect(await repo.calendar({ tz: 'Asia/Kolkata' }, at('2026-11-20T20:00:00Z'), 7)).toEqual({
      tz: 'Asia/Kolkata',
      today: '2026-11-21',
      week_start: '2026-11-16',
      month_start: '2026-11-01',
      window_start: '2026-11-15',
      today_from: at('2026-11-20T18:30:00Z'),
      today_to: at('2026-11-21T18:30:00Z'),
      week_from: at('2026-11-15T18:30:00Z'),
      week_to: at('2026-11-22T18:30:00Z'),
      month_from: at('2026-10-31T18:30:00Z'),
      month_to: at('2026-11-30T18:30:00Z'),
      window_from: at('2026-11-14T18:30:00Z'),
    });
  });

  it('uses the merchant’s own zone, and has no calendar for an unknown merchant', async () => {
    const calendar = await repo.calendar({ merchantId: shopB }, at('2026-11-30T18:20:00Z'), 1);
    expect(calendar).toMatchObject({
      tz: 'Asia/Kathmandu',
      today: '2026-12-01',
      week_start: '2026-11-30',
      month_start: '2026-12-01',
      window_start: '2026-12-01',
      today_from: at('2026-11-30T18:15:00Z'),
      month_to: at('2026-12-31T18:15:00Z'),
    });
    expect(await repo.calendar({ merchantId: 999_999 }, at('2026-11-30T18:20:00Z'), 1)).toBeUndefined();
    await expect(repo.calendar({ merchantId: 0 }, new Date(), 1)).rejects.toThrow(TypeError);
  });

  it('lists the last periods of a zone, oldest first', async () => {
    expect(await repo.periods('Asia/Kolkata', 'month', 3, at('2026-11-20T20:00:00Z'))).toEqual([
      { start_date: '2026-09-01', from: at('2026-08-31T18:30:00Z'), to: at('2026-09-30T18:30:00Z') },
      { start_date: '2026-10-01', from: at('2026-09-30T18:30:00Z'), to: at('2026-10-31T18:30:00Z') },
      { start_date: '2026-11-01', from: at('2026-10-31T18:30:00Z'), to: at('2026-11-30T18:30:00Z') },
    ]);
    expect(await repo.periods('Asia/Kathmandu', 'week', 2, at('2026-11-22T18:14:00Z'))).toEqual([
      { start_date: '2026-11-09', from: at('2026-11-08T18:15:00Z'), to: at('2026-11-15T18:15:00Z') },
      { start_date: '2026-11-16', from: at('2026-11-15T18:15:00Z'), to: at('2026-11-22T18:15:00Z') },
    ]);
  });

  it('sums the merchant’s rollups per local day, in paise', async () => {
    const days = await repo.dailyTotals(shopA, '2026-11-19', '2026-11-21');
    expect(days.map((d) => d.day)).toEqual(['2026-11-19', '2026-11-20', '2026-11-21']);
    const [d19, d20, d21] = days;
    expect(d19).toMatchObject({ sales_count: '1', sales_paise: '300', card_count: '1', card_paise: '300' });
    expect(d20).toMatchObject({
      sales_count: '2',
      sales_paise: '13344',
      due_paise: '12345',
      collected_paise: '999',
      guest_count: '0',
      guest_paise: '0',
      cash_count: '1',
      cash_paise: '999',
      upi_count: '0',
      upi_paise: '0',
    });
    expect(d21).toMatchObject({
      sales_count: '2',
      sales_paise: '120001',
      due_paise: '0',
      collected_paise: '120001',
      guest_count: '1',
      guest_paise: '70000',
      upi_count: '1',
      upi_paise: '50001',
      unspecified_count: '1',
      unspecified_paise: '70000',
    });
    expect(await repo.dailyTotals(shopA, '2026-11-22', '2026-11-30')).toEqual([]);
    expect((await repo.dailyTotals(shopB, '2026-11-19', '2026-11-21')).map((d) => d.sales_paise)).toEqual([
      '800000',
    ]);
  });

  it('sums what is still owed to the merchant', async () => {
    expect(await repo.outstanding(shopA)).toEqual({ due_paise: '12345', open_bills: '1' });
    expect(await repo.outstanding(shopB)).toEqual({ due_paise: '800000', open_bills: '1' });
    expect(await repo.outstanding(999_999)).toEqual({ due_paise: '0', open_bills: '0' });
  });

  it('reads the merchant’s recent sales and best buyers from its own table only', async () => {
    const recent = await repo.recentForMerchant(
      shopA,
      at('2026-11-20T00:00:00Z'),
      at('2026-11-21T00:00:00Z'),
      10,
    );
    expect(recent.map((r) => r.id)).toEqual([written.lateUpi.id, written.cash.id, written.bill.id]);
    expect(recent[2]).toMatchObject({ merchant_id: shopA, amount_paise: '12345', user_id: buyer });

    const top = await repo.topCustomersAllTime(shopA, 10);
    expect(top.map((t) => [t.user_id, t.guest_user_id, t.amount_paise])).toEqual([
      [null, written.guest.guest_user_id, '70000'],
      [buyer, null, '63345'],
      [other, null, '300'],
    ]);
    expect(top[1]).toMatchObject({ name: 'Asha', phone: '+918200000001', purchases: '3' });
    expect(top[1].last_transaction_at).toEqual(at('2026-11-20T18:30:00Z'));

    const between = await repo.topCustomersBetween(
      shopA,
      at('2026-11-20T00:00:00Z'),
      at('2026-11-20T18:30:00Z'),
      10,
    );
    expect(between).toEqual([
      {
        user_id: buyer,
        guest_user_id: null,
        name: 'Asha',
        phone: '+918200000001',
        amount_paise: '13344',
        purchases: '2',
        last_transaction_at: at('2026-11-20T18:29:59Z'),
      },
    ]);
    expect(await repo.topCustomersAllTime(shopB, 10)).toEqual([
      expect.objectContaining({ user_id: buyer, amount_paise: '800000', purchases: '1' }),
    ]);
    expect(
      await repo.registeredBuyersBetween(shopA, at('2026-11-19T00:00:00Z'), at('2026-11-22T00:00:00Z')),
    ).toBe(2);
    expect(
      await repo.registeredBuyersBetween(shopA, at('2026-11-20T00:00:00Z'), at('2026-11-22T00:00:00Z')),
    ).toBe(1);
    expect(
      await repo.registeredBuyersBetween(shopA, at('2026-12-01T00:00:00Z'), at('2026-12-02T00:00:00Z')),
    ).toBe(0);
  });

  it('lists a customer’s merchants with all-time totals, most recent first', async () => {
    expect(await repo.customerMerchants(buyer)).toEqual([
      {
        merchant_id: shopA,
        merchant_name: 'Ravi Kirana',
        owner_name: 'Ravi',
        business_type: 'kirana',
        city: 'Nashik',
        state: 'Maharashtra',
        purchases: 3,
        amount_paise: '63345',
        paid_paise: '51000',
        bills: 1,
        open_bills: 1,
        last_transaction_id: written.lateUpi.id,
        last_transaction_at: at('2026-11-20T18:30:00Z'),
        relation: expect.any(String),
      },
      {
        merchant_id: shopB,
        merchant_name: 'Sita Stores',
        owner_name: 'Sita',
        business_type: null,
        city: null,
        state: null,
        purchases: 1,
        amount_paise: '800000',
        paid_paise: '0',
        bills: 1,
        open_bills: 1,
        last_transaction_id: written.shopB.id,
        last_transaction_at: at('2026-11-20T12:00:00Z'),
        relation: expect.any(String),
      },
    ]);
    expect((await repo.customerMerchants(other)).map((r) => r.merchant_id)).toEqual([shopA]);
    const [nobody]: { id: number }[] = await m.dataSource.query(
      `INSERT INTO users (name, email, phone, password_hash) VALUES ('C', 'dash.u3@example.com', '+918200000003', 'x')
       RETURNING id`,
    );
    expect(await repo.customerMerchants(nobody.id)).toEqual([]);
  });

  it('reads a customer’s spending only from the merchants given', async () => {
    const week = { from: at('2026-11-15T18:30:00Z'), to: at('2026-11-22T18:30:00Z') };
    const month = { from: at('2026-10-31T18:30:00Z'), to: at('2026-11-30T18:30:00Z') };
    const both = await repo.customerWeekMonth(buyer, [shopA, shopB], week, month);
    expect(both.sort((a, b) => a.merchant_id - b.merchant_id)).toEqual([
      { merchant_id: shopA, week_paise: '63345', week_count: '3', month_paise: '63345', month_count: '3' },
      { merchant_id: shopB, week_paise: '800000', week_count: '1', month_paise: '800000', month_count: '1' },
    ]);
    expect((await repo.customerWeekMonth(buyer, [shopB], week, month)).map((r) => r.merchant_id)).toEqual([
      shopB,
    ]);

    const buckets = await repo.customerBuckets(
      buyer,
      [shopA],
      [at('2026-11-20T00:00:00Z'), at('2026-11-20T18:30:00Z'), at('2026-11-21T18:30:00Z')],
    );
    expect(buckets).toEqual([
      {
        bucket: expect.any(Number),
        merchant_id: shopA,
        amount_paise: '13344',
        paid_paise: '999',
        purchases: '2',
        last_transaction_id: written.cash.id,
        last_transaction_at: at('2026-11-20T18:29:59Z'),
      },
      {
        bucket: expect.any(Number),
        merchant_id: shopA,
        amount_paise: '50001',
        paid_paise: '50001',
        purchases: '1',
        last_transaction_id: written.lateUpi.id,
        last_transaction_at: at('2026-11-20T18:30:00Z'),
      },
    ]);
    expect(buckets[1].bucket).toBe(buckets[0].bucket + 1);

    const due = await repo.customerBills(buyer, [shopA, shopB], 'due', 10);
    expect(due.map((r) => r.id)).toEqual([written.shopB.id, written.bill.id]);
    expect(due[0]).toMatchObject({
      merchant_id: shopB,
      amount_paise: '800000',
      merchant_name: 'Sita Stores',
    });
    expect(await repo.customerBills(buyer, [shopA, shopB], 'paid', 10)).toEqual([]);
    // Settling shop B's bill moves it from due to paid; paid sales are never bills.
    await m.db.transaction(async () => {
      const locked = (await sales.findForMerchant(shopB, Number(written.shopB.id), true))!;
      await sales.applySettlement(locked, 800000, 'cash', null);
    });
    expect((await repo.customerBills(buyer, [shopA, shopB], 'due', 10)).map((r) => r.id)).toEqual([
      written.bill.id,
    ]);
    expect((await repo.customerBills(buyer, [shopA, shopB], 'paid', 10)).map((r) => r.id)).toEqual([
      written.shopB.id,
    ]);
    expect(await repo.customerBills(buyer, [shopA], 'paid', 10)).toEqual([]);
    expect(await repo.customerBills(other, [shopB], 'due', 10)).toEqual([]);

    expect(
      await repo.customerPaidByDay(buyer, [shopA, shopB], 'Asia/Kolkata', at('2026-11-01T00:00:00Z')),
    ).toEqual([
      { day: '2026-11-20', paid_paise: '800999' },
      { day: '2026-11-21', paid_paise: '50001' },
    ]);
    expect(
      await repo.customerPaidByDay(buyer, [shopA], 'Asia/Kathmandu', at('2026-11-20T18:29:00Z')),
    ).toEqual([{ day: '2026-11-21', paid_paise: '51000' }]);
  });

  it('sums a customer’s spending without opening any merchant’s table', async () => {
    const week = { from: at('2026-11-15T18:30:00Z'), to: at('2026-11-22T18:30:00Z') };
    const month = { from: at('2026-10-31T18:30:00Z'), to: at('2026-11-30T18:30:00Z') };
    const read = () =>
      Promise.all([
        repo.customerWeekMonth(buyer, [shopA, shopB], week, month),
        repo.customerBuckets(buyer, [shopA, shopB], [month.from, month.to]),
        repo.customerPaidByDay(buyer, [shopA, shopB], 'Asia/Kolkata', month.from),
      ]);
    const free = await read();
    // Both shops' tables held by another session: a read that opened either would wait and fail.
    const locker = await m.dataSource.createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    try {
      for (const shop of [shopA, shopB])
        await locker.query(
          `LOCK TABLE ${TransactionTableFactory.quotedTableName(shop)} IN ACCESS EXCLUSIVE MODE`,
        );
      const locked = await m.db.transaction(async () => {
        await m.db.query(`SET LOCAL lock_timeout = '2s'`);
        return read();
      });
      expect(locked).toEqual(free);
      expect(locked[0].map((r) => r.merchant_id).sort((a, b) => a - b)).toEqual(
        [shopA, shopB].sort((a, b) => a - b),
      );
    } finally {
      await locker.rollbackTransaction();
      await locker.release();
    }
  });

  it('names the merchant, or nobody', async () => {
    expect(await repo.merchantNames(shopA)).toEqual({ business_name: 'Ravi Kirana', name: 'Ravi' });
    expect(await repo.merchantNames(999_999)).toBeUndefined();
  });

  it('rebuilds one merchant’s rollups from its rows, leaving the others alone', async () => {
    const before = await repo.dailyTotals(shopA, '2026-11-01', '2026-11-30');
    const beforeB = await repo.dailyTotals(shopB, '2026-11-01', '2026-11-30');
    await m.dataSource.query(`DELETE FROM merchant_daily_totals WHERE merchant_id = ANY($1)`, [
      [shopA, shopB],
    ]);
    await repo.rebuildRollups(shopA);
    expect(await repo.dailyTotals(shopA, '2026-11-01', '2026-11-30')).toEqual(before);
    expect(await repo.dailyTotals(shopB, '2026-11-01', '2026-11-30')).toEqual([]);
    await repo.rebuildRollups(undefined, 1);
    expect(await repo.dailyTotals(shopB, '2026-11-01', '2026-11-30')).toEqual(beforeB);
    expect(await repo.outstanding(shopA)).toEqual({ due_paise: '12345', open_bills: '1' });
  });
});

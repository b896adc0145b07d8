import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ADMIN_TABLES, type AdminTable } from '../../src/modules/admin/admin-tables.js';
import { AdminRepository, type Condition } from '../../src/modules/admin/admin.repository.js';
import { UnprocessableError } from '../../src/common/errors/domain-error.js';
import { TransactionTableFactory } from '../../src/modules/transactions/transaction-table.factory.js';
import {
  TransactionsRepository,
  type NewSale,
  type TransactionRow,
} from '../../src/modules/transactions/transactions.repository.js';
import { migratedDatabase, type MediumDatabase } from './database.js';
import { newSale } from './rows.js';

const table = (name: string): AdminTable => ADMIN_TABLES.find((t) => t.name === name)!;
const column = (t: AdminTable, name: string) => t.columns.find((c) => c.name === name)!;
const at = (iso: string) => new Date(iso);

describe('AdminRepository (PostgreSQL)', () => {
  let m: MediumDatabase;
  let sales: TransactionsRepository;
  let tables: TransactionTableFactory;
  let repo: AdminRepository;
  let shopA: number;
  let shopB: number;
  let buyer: number;
  const merchants = table('merchants');
  const transactions = table('transactions');
  const written: TransactionRow[] = [];

  const sale = (patch: Partial<NewSale>): NewSale => newSale({ merchantId: shopA, userId: buyer, ...patch });

  beforeAll(async () => {
    m = await migratedDatabase();
    sales = new TransactionsRepository(m.db);
    tables = new TransactionTableFactory();
    repo = new AdminRepository(m.dataSource, tables, sales, m.db);
    const rows: { id: number }[] = await m.dataSource.query(
      `INSERT INTO merchants (name, email, phone, password_hash, business_name, city, aadhar_number, is_active, timezone)
       VALUES ('Ravi', 'adm1@example.com', '+917300000001', 'x', 'Ravi 100% Kirana', 'Nashik', '123456789012', true, 'Asia/Kolkata'),
              ('Sita', 'adm2@example.com', '+917300000002', 'x', 'Sita Stores', 'Pune', NULL, false, 'Asia/Kathmandu')
       RETURNING id`,
    );
    [shopA, shopB] = rows.map((r) => r.id);
    await m.dataSource.transaction((manager) => tables.provisionMany(manager, [shopA, shopB]));
    const [user]: { id: number }[] = await m.dataSource.query(
      `INSERT INTO users (name, email, phone, password_hash) VALUES ('Asha', 'adm.u@example.com', '+918300000001', 'x')
       RETURNING id`,
    );
    buyer = user.id;
    written.push(
      (await sales.insertSale(sale({ amountPaise: 12345, occurredAt: at('2026-11-20T10:00:00Z') })))!,
    );
    written.push(
      (await sales.insertSale(
        sale({
          amountPaise: 999,
          type: 'paid',
          paymentMethod: 'upi',
          description: 'Tea 50%',
          referenceNumber: 'UPI-1',
          occurredAt: at('2026-11-21T10:00:00Z'),
        }),
      ))!,
    );
    written.push(
      (await sales.insertSale(
        sale({ merchantId: shopB, amountPaise: 800000, occurredAt: at('2026-11-19T10:00:00Z') }),
      ))!,
    );
  });
  afterAll(() => m.close());

  it('counts, filters and pages a plain table, never reading the full Aadhaar', async () => {
    expect(await repo.count(merchants, [])).toBe(2);
    const contains: Condition = { column: column(merchants, 'business_name'), op: 'contains', value: '100%' };
    expect(await repo.count(merchants, [contains])).toBe(1);
    expect(
      await repo.count(merchants, [
        { column: column(merchants, 'business_name'), op: 'contains', value: '0_' },
      ]),
    ).toBe(0);
    expect(
      await repo.count(merchants, [{ column: column(merchants, 'is_active'), op: 'eq', value: false }]),
    ).toBe(1);
    expect(await repo.count(merchants, [{ op: 'never' }])).toBe(0);

    const [ravi] = await repo.find(
      merchants,
      [contains],
      { column: column(merchants, 'id'), direction: 'asc' },
      10,
      0,
    );
    expect(Object.keys(ravi).sort()).toEqual(
      merchants.columns
        .filter((c) => c.kind !== 'password')
        .map((c) => c.name)
        .sort(),
    );
    expect(ravi).toMatchObject({
      id: shopA,
      business_name: 'Ravi 100% Kirana',
      name: 'Ravi',
      email: 'adm1@example.com',
      city: 'Nashik',
      timezone: 'Asia/Kolkata',
      aadhar_last_4: '9012',
      is_active: true,
    });
    expect(ravi).not.toHaveProperty('aadhar_number');

    const byCity = { column: column(merchants, 'city'), direction: 'desc' as const };
    expect((await repo.find(merchants, [], byCity, 10, 0)).map((r) => r.id)).toEqual([shopB, shopA]);
    expect((await repo.find(merchants, [], byCity, 1, 1)).map((r) => r.id)).toEqual([shopA]);
    expect(await repo.find(merchants, [{ op: 'never' }], byCity, 10, 0)).toEqual([]);
  });

  it('finds records by key, none for unknown or no keys', async () => {
    expect(
      (await repo.findByKeys(merchants, [[String(shopB)], [String(shopA)]])).map((r) => r.id).sort(),
    ).toEqual([shopA, shopB].sort());
    expect(await repo.findByKeys(merchants, [['999999']])).toEqual([]);
    expect(await repo.findByKeys(merchants, [])).toEqual([]);

    const [row] = await repo.findByKeys(transactions, [[String(shopA), written[1].id]]);
    expect(row).toMatchObject({
      ref: `${shopA}-${written[1].id}`,
      merchant_id: shopA,
      user_id: buyer,
      guest_user_id: null,
      amount: '999',
      paid: '999',
      type: 'paid',
      status: 'paid',
      payment_method: 'upi',
      description: 'Tea 50%',
      reference_number: 'UPI-1',
      occurred_at: at('2026-11-21T10:00:00Z'),
    });
    // The key names the merchant: another merchant's id finds nothing.
    expect(await repo.findByKeys(transactions, [[String(shopB), written[1].id]])).toEqual([]);
  });

  it('lists sales across merchants from the index, or one merchant’s from its table', async () => {
    const newest = { column: column(transactions, 'occurred_at'), direction: 'desc' as const };
    expect(await repo.count(transactions, [])).toBe(3);
    expect(
      (await repo.find(transactions, [], newest, 10, 0)).map((r) => [r.merchant_id, String(r.id), r.amount]),
    ).toEqual([
      [shopA, written[1].id, '999'],
      [shopA, written[0].id, '12345'],
      [shopB, written[2].id, '800000'],
    ]);
    const ofB: Condition = { column: column(transactions, 'merchant_id'), op: 'eq', value: String(shopB) };
    expect(await repo.count(transactions, [ofB])).toBe(1);
    expect((await repo.find(transactions, [ofB], newest, 10, 0)).map((r) => String(r.id))).toEqual([
      written[2].id,
    ]);

    const described: Condition = {
      column: column(transactions, 'description'),
      op: 'contains',
      value: '50%',
    };
    await expect(repo.count(transactions, [described])).rejects.toThrow(UnprocessableError);
    // A rejected promise, never a synchronous throw, like count.
    await expect(repo.find(transactions, [described], newest, 10, 0)).rejects.toThrow(UnprocessableError);
    const ofA: Condition = { column: column(transactions, 'merchant_id'), op: 'eq', value: String(shopA) };
    expect(await repo.count(transactions, [ofA, described])).toBe(1);
    expect((await repo.find(transactions, [ofA, described], newest, 10, 0)).map((r) => String(r.id))).toEqual(
      [written[1].id],
    );
    expect(await repo.count(transactions, [{ ...ofB }, described])).toBe(0);
  });

  it('reads a page of every shop’s newest sales in the index’s order, sorting nothing', async () => {
    // The statement the page runs, as the repository writes it.
    const page = jest.spyOn(sales, 'pageAcrossMerchants');
    let seen: { sql: string; params: unknown[] }[];
    try {
      for (const direction of ['desc', 'asc'] as const)
        await repo.find(transactions, [], { column: column(transactions, 'occurred_at'), direction }, 50, 0);
      seen = page.mock.calls.map(([select, where, order, params, limit, offset]) => ({
        sql: `SELECT ${select} FROM transaction_index ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
        params,
      }));
    } finally {
      page.mockRestore();
    }
    expect(seen).toHaveLength(2);
    // With a table this small the planner would rather sort; told to avoid scans, it must still not
    // need a sort on top of the index.
    await m.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL enable_seqscan = off`);
      for (const { sql, params } of seen) {
        const plan: { 'QUERY PLAN': string }[] = await manager.query(`EXPLAIN ${sql}`, params);
        const text = plan.map((row) => row['QUERY PLAN']).join('\n');
        expect(text).toContain('transaction_index_time_idx');
        expect(text).not.toMatch(/Sort/);
      }
    });
  });

  it('pages every shop’s sales by the statistics’ count once there are too many to count', async () => {
    expect(await repo.count(transactions, [])).toBe(3);
    // As if ANALYZE had seen a million sales (this database's own catalog, put back below).
    await m.db.query(`UPDATE pg_class SET reltuples = 1000000 WHERE oid = 'transaction_index'::regclass`);
    try {
      expect(await repo.count(transactions, [])).toBe(1_000_000);
      // A filtered count is always exact.
      const ofB: Condition = { column: column(transactions, 'merchant_id'), op: 'eq', value: String(shopB) };
      expect(await repo.count(transactions, [ofB])).toBe(1);
    } finally {
      await m.db.query(`ANALYZE transaction_index`);
    }
    expect(await repo.count(transactions, [])).toBe(3);
  });

  it('updates one record in the caller’s transaction and touches it', async () => {
    const [before] = await repo.findByKeys(merchants, [[String(shopB)]]);
    const updated = await m.dataSource.transaction((manager) =>
      repo.update(manager, merchants, [String(shopB)], { city: 'Kathmandu', is_active: true }),
    );
    expect(updated).toMatchObject({
      id: shopB,
      city: 'Kathmandu',
      is_active: true,
      business_name: 'Sita Stores',
    });
    expect((updated!.updated_at as Date).getTime()).toBeGreaterThan((before.updated_at as Date).getTime());
    const [other] = await repo.findByKeys(merchants, [[String(shopA)]]);
    expect(other).toMatchObject({ city: 'Nashik' });
    expect(
      await m.dataSource.transaction((manager) => repo.update(manager, merchants, ['999999'], { city: 'X' })),
    ).toBeNull();
    expect(
      await m.dataSource.transaction((manager) => repo.update(manager, merchants, [String(shopA)], {})),
    ).toEqual(other);
  });

  it('creates admins without ever returning the hash, and locks the active ones', async () => {
    const admins = table('admins');
    const one = await repo.insertAdmin(
      admins,
      { name: 'Root', email: 'root@example.com', is_active: true },
      'h1',
    );
    const two = await repo.insertAdmin(
      admins,
      { name: 'Off', email: 'off@example.com', is_active: false },
      'h2',
    );
    expect(one).toMatchObject({
      name: 'Root',
      email: 'root@example.com',
      is_active: true,
      last_login_at: null,
    });
    expect(one).not.toHaveProperty('password_hash');
    const [stored] = await m.dataSource.query(`SELECT password_hash FROM admins WHERE id = $1`, [one.id]);
    expect(stored.password_hash).toBe('h1');
    expect(await m.dataSource.transaction((manager) => repo.lockActiveAdmins(manager))).toEqual([one.id]);
    expect(two.is_active).toBe(false);
  });

  it('ends an admin’s panel sessions but the one kept', async () => {
    const sid = (admin: number) => `${admin}-${randomUUID()}`;
    const sessions = [sid(1), sid(1), sid(2)];
    for (const [i, s] of sessions.entries())
      await m.dataSource.query(
        `INSERT INTO admin_sessions (sid, sess, expire) VALUES ($1, $2, now() + interval '1 day')`,
        [s, JSON.stringify({ adminUser: { id: i < 2 ? 1 : 2 } })],
      );
    await m.dataSource.transaction((manager) => repo.endPanelSessions(manager, 1, sessions[0]));
    const left: { sid: string }[] = await m.dataSource.query(`SELECT sid FROM admin_sessions ORDER BY sid`);
    expect(left.map((r) => r.sid).sort()).toEqual([sessions[0], sessions[2]].sort());
    await m.dataSource.transaction((manager) => repo.endPanelSessions(manager, 1));
    expect(
      (await m.dataSource.query(`SELECT sid FROM admin_sessions`)).map((r: { sid: string }) => r.sid),
    ).toEqual([sessions[2]]);
  });

  it('locks and inspects records, only those that exist', async () => {
    const guest = (await sales.insertSale(
      sale({ userId: null, newGuest: true, type: 'paid', amountPaise: 5 }),
    ))!;
    const [unused]: { id: number }[] = await m.dataSource.query(
      `INSERT INTO guest_users (merchant_id) VALUES ($1) RETURNING id`,
      [shopB],
    );
    await m.dataSource.transaction(async (manager) => {
      expect(await repo.lockMerchant(manager, shopA)).toBe(true);
      expect(await repo.lockMerchant(manager, 999_999)).toBe(false);
      expect(await repo.lockUser(manager, buyer)).toBe(true);
      expect(await repo.lockUser(manager, 999_999)).toBe(false);
      expect(await repo.lockGuest(manager, guest.guest_user_id!)).toEqual({ transaction_id: guest.id });
      expect(await repo.lockGuest(manager, unused.id)).toEqual({ transaction_id: null });
      expect(await repo.lockGuest(manager, 999_999)).toBeUndefined();
      expect(await repo.merchantHasTransactions(manager, shopA)).toBe(true);
      expect(await repo.userHasTransactions(manager, buyer)).toBe(true);
      expect(await repo.guestHasTransactions(manager, guest.guest_user_id!)).toBe(true);
      expect(await repo.guestHasTransactions(manager, unused.id)).toBe(false);
    });
    await m.dataSource.transaction((manager) => repo.deleteGuest(manager, unused.id));
    expect(await m.dataSource.query(`SELECT id FROM guest_users WHERE id = $1`, [unused.id])).toEqual([]);
  });

  it('deletes a merchant with their tokens and table, and a user with theirs, sparing others', async () => {
    const [empty]: { id: number }[] = await m.dataSource.query(
      `INSERT INTO merchants (name, email, phone, password_hash, business_name)
       VALUES ('E', 'adm3@example.com', '+917300000003', 'x', 'Empty') RETURNING id`,
    );
    await m.dataSource.transaction((manager) => tables.provisionMany(manager, [empty.id]));
    const [lone]: { id: number }[] = await m.dataSource.query(
      `INSERT INTO users (name, email, phone, password_hash) VALUES ('L', 'adm.l@example.com', '+918300000002', 'x')
       RETURNING id`,
    );
    const token = (role: string, id: number) =>
      m.dataSource.query(
        `INSERT INTO refresh_tokens (id, family_id, subject_role, subject_id, token_hash, expires_at)
         VALUES ($1, $1, $2, $3, $4, now() + interval '1 day')`,
        [randomUUID(), role, id, randomUUID()],
      );
    // The same id under another role is somebody else.
    await token('merchant', empty.id);
    await token('user', empty.id);
    await token('user', lone.id);
    await token('merchant', lone.id);
    await m.dataSource.transaction(async (manager) => {
      expect(await repo.merchantHasTransactions(manager, empty.id)).toBe(false);
      expect(await repo.userHasTransactions(manager, lone.id)).toBe(false);
      await repo.deleteMerchant(manager, empty.id);
      await repo.deleteUser(manager, lone.id);
    });
    const tokens: { subject_role: string; subject_id: number }[] = await m.dataSource.query(
      `SELECT subject_role, subject_id FROM refresh_tokens ORDER BY subject_role`,
    );
    expect(tokens).toEqual([
      { subject_role: 'merchant', subject_id: lone.id },
      { subject_role: 'user', subject_id: empty.id },
    ]);
    expect(await m.dataSource.query(`SELECT id FROM merchants WHERE id = $1`, [empty.id])).toEqual([]);
    expect(await m.dataSource.query(`SELECT id FROM users WHERE id = $1`, [lone.id])).toEqual([]);
    expect(await m.dataSource.query(`SELECT to_regclass($1) AS t`, [`transaction_${empty.id}`])).toEqual([
      { t: null },
    ]);
    expect(await m.dataSource.query(`SELECT to_regclass($1) AS t`, [`transaction_${shopA}`])).not.toEqual([
      { t: null },
    ]);
  });

  it('sums the system, with today in the zone given', async () => {
    const now = await sales.insertSale(sale({ amountPaise: 4321 }));
    await m.dataSource.query(`UPDATE merchants SET is_active = false WHERE id = $1`, [shopB]);
    const totals = await repo.systemTotals('Asia/Kolkata');
    const [expected] = await m.dataSource.query(
      `SELECT date_trunc('day', now() AT TIME ZONE 'Asia/Kolkata') AT TIME ZONE 'Asia/Kolkata' AS f`,
    );
    expect(totals).toEqual({
      merchants: '2',
      active_merchants: '1',
      users: '1',
      guest_users: '1',
      today_from: expected.f,
      today_to: new Date(expected.f.getTime() + 86_400_000),
      today_transactions: '2',
      today_sales_paise: String(4321 + 5),
      open_bills: '3',
      outstanding_paise: String(12345 + 800000 + 4321),
    });
    expect(now).toBeDefined();
  });

  it('writes an audit entry with every field', async () => {
    const [admin]: { id: number }[] = await m.dataSource.query(
      `SELECT id FROM admins WHERE email = 'root@example.com'`,
    );
    await repo.insertAudit({
      adminId: admin.id,
      adminEmail: 'root@example.com',
      action: 'update',
      resource: 'merchants',
      recordId: String(shopA),
      outcome: 'rejected',
      details: { city: ['Nashik', 'Pune'] },
      ip: '203.0.113.9',
      requestId: 'req-1',
    });
    await repo.insertAudit({ adminId: null, adminEmail: null, action: 'login', outcome: 'failed' });
    const rows = await m.dataSource.query(`SELECT * FROM admin_audit_log ORDER BY id`);
    expect(rows).toEqual([
      {
        id: expect.any(String),
        occurred_at: expect.any(Date),
        admin_id: admin.id,
        admin_email: 'root@example.com',
        action: 'update',
        resource: 'merchants',
        record_id: String(shopA),
        outcome: 'rejected',
        details: { city: ['Nashik', 'Pune'] },
        ip: '203.0.113.9',
        request_id: 'req-1',
      },
      {
        id: expect.any(String),
        occurred_at: expect.any(Date),
        admin_id: null,
        admin_email: null,
        action: 'login',
        resource: null,
        record_id: null,
        outcome: 'failed',
        details: {},
        ip: null,
        request_id: null,
      },
    ]);
  });
});

import { CustomerShopsRepository } from '../../src/modules/users/customer-shops.repository.js';
import { MerchantsRepository } from '../../src/modules/merchants/merchants.repository.js';
import { UsersRepository } from '../../src/modules/users/users.repository.js';
import { tableColumns } from './columns.js';
import { useMediumDatabase } from './medium-database.js';
import { linkCustomer, newMerchant, newUser } from './rows.js';

describe('CustomerShopsRepository (PostgreSQL)', () => {
  const db = useMediumDatabase();
  let shops: CustomerShopsRepository;
  let users: UsersRepository;
  let merchants: MerchantsRepository;

  beforeAll(() => {
    shops = new CustomerShopsRepository(db.dataSource);
    users = new UsersRepository(db.dataSource);
    merchants = new MerchantsRepository(db.dataSource);
  });

  const merchant = () => merchants.insert(db.dataSource.manager, newMerchant());
  const customer = () => users.insert(newUser());

  it('reads the columns `customer_merchants` has, with their types', async () => {
    expect(await tableColumns(db.dataSource, 'customer_merchants')).toEqual({
      user_id: { type: 'integer', nullable: false },
      merchant_id: { type: 'integer', nullable: false },
      first_transaction_at: { type: 'timestamp with time zone', nullable: false },
      last_transaction_at: { type: 'timestamp with time zone', nullable: false },
      relation: { type: 'text', nullable: false },
      relation_changed_at: { type: 'timestamp with time zone', nullable: true },
    });
  });

  it('round-trips every column of a shop: the link and the merchant columns it lists', async () => {
    const [m, u] = [await merchant(), await customer()];
    const last = new Date('2026-11-21T08:30:00.123Z');
    await linkCustomer(db.dataSource, u.id, m.id, 'pending', last);
    const expected = {
      merchant_id: m.id,
      business_name: m.businessName,
      business_type: m.businessType,
      city: m.city,
      relation: 'pending',
      first_transaction_at: new Date(last.getTime() - 3 * 86_400_000),
      last_transaction_at: last,
      relation_changed_at: null,
      // No sale was recorded through the khata here: the link has no account.
      account_id: null,
      due_paise: null,
      advance_paise: null,
    };
    expect(await shops.listForCustomer(u.id)).toEqual([expected]);
    expect(await shops.relation(u.id, m.id)).toBe('pending');
    expect(await shops.visibleShops(u.id)).toEqual([{ merchant_id: m.id, relation: 'pending' }]);
  });

  it('lists every shop, blocked ones included, most recent first; shows only the unblocked ones', async () => {
    const u = await customer();
    const [a, b, c] = [await merchant(), await merchant(), await merchant()];
    await linkCustomer(db.dataSource, u.id, a.id, 'accepted', new Date('2026-11-01T00:00:00Z'));
    await linkCustomer(db.dataSource, u.id, b.id, 'blocked', new Date('2026-11-03T00:00:00Z'));
    await linkCustomer(db.dataSource, u.id, c.id, 'pending', new Date('2026-11-02T00:00:00Z'));
    expect((await shops.listForCustomer(u.id)).map((s) => [s.merchant_id, s.relation])).toEqual([
      [b.id, 'blocked'],
      [c.id, 'pending'],
      [a.id, 'accepted'],
    ]);
    expect(await shops.visibleShops(u.id)).toEqual(
      [
        { merchant_id: a.id, relation: 'accepted' },
        { merchant_id: c.id, relation: 'pending' },
      ].sort((x, y) => x.merchant_id - y.merchant_id),
    );
    // Another customer's links are not this one's.
    expect(await shops.listForCustomer((await customer()).id)).toEqual([]);
  });

  it('sets a relation and stamps when it changed; the same relation again keeps the stamp', async () => {
    const [m, u] = [await merchant(), await customer()];
    await linkCustomer(db.dataSource, u.id, m.id, 'pending');
    const blocked = await shops.setRelation(u.id, m.id, 'blocked');
    expect(blocked).toMatchObject({ merchant_id: m.id, relation: 'blocked', business_name: m.businessName });
    expect(blocked!.relation_changed_at).toBeInstanceOf(Date);
    expect(await shops.relation(u.id, m.id)).toBe('blocked');
    const again = await shops.setRelation(u.id, m.id, 'blocked');
    expect(again!.relation_changed_at).toEqual(blocked!.relation_changed_at);
    expect(await shops.setRelation(u.id, m.id, 'accepted')).toMatchObject({ relation: 'accepted' });
  });

  it('answers undefined for a shop that never billed the customer, and writes nothing', async () => {
    const [m, u] = [await merchant(), await customer()];
    expect(await shops.setRelation(u.id, m.id, 'blocked')).toBeUndefined();
    expect(await shops.relation(u.id, m.id)).toBeUndefined();
    expect(await shops.listForCustomer(u.id)).toEqual([]);
  });

  it('refuses a relation the table does not know (check constraint)', async () => {
    const [m, u] = [await merchant(), await customer()];
    await linkCustomer(db.dataSource, u.id, m.id, 'pending');
    await expect(shops.setRelation(u.id, m.id, 'friendly' as never)).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '23514' }),
    });
  });

  it.each([0, -1, Number.NaN, 1.5, undefined as unknown as number])(
    'refuses an empty or invalid scope (%p) before any query',
    async (id) => {
      const m = await merchant();
      expect(() => shops.listForCustomer(id)).toThrow(TypeError);
      expect(() => shops.visibleShops(id)).toThrow(TypeError);
      await expect(shops.relation(id, m.id)).rejects.toThrow(TypeError);
      await expect(shops.setRelation(1, id, 'accepted')).rejects.toThrow(/merchant id is required/);
    },
  );
});

import { ConflictError } from '../../src/common/errors/domain-error.js';
import type { PasswordService } from '../../src/common/auth/password.service.js';
import { MerchantsRepository } from '../../src/modules/merchants/merchants.repository.js';
import { User } from '../../src/modules/users/entities/user.entity.js';
import { UsersRepository } from '../../src/modules/users/users.repository.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { fakeRepository } from '../support/fakes.js';
import { entityColumns, tableColumns } from './columns.js';
import { useMediumDatabase } from './medium-database.js';
import { expectTakenByOthers, linkCustomer, newMerchant, newUser } from './rows.js';

describe('UsersRepository (PostgreSQL)', () => {
  const db = useMediumDatabase();
  let users: UsersRepository;
  let merchants: MerchantsRepository;

  beforeAll(() => {
    users = new UsersRepository(db.dataSource);
    merchants = new MerchantsRepository(db.dataSource);
  });

  const merchant = () => merchants.insert(db.dataSource.manager, newMerchant());

  it('maps every column of `users` that the entity declares, with its type and nullability', async () => {
    expect(await tableColumns(db.dataSource, 'users')).toMatchObject(entityColumns(db.dataSource, User));
  });

  it('round-trips every column: insert, then read back through the repository', async () => {
    const row = newUser();
    const inserted = await users.insert(row);
    const expected: User = {
      ...row,
      id: inserted.id,
      preferredLanguage: null,
      timezone: null,
      isActive: true,
      createdAt: expect.any(Date) as Date,
      updatedAt: expect.any(Date) as Date,
    };
    expect(await users.findByIdWithSecrets(inserted.id)).toEqual(expected);
    // The ordinary reads never carry the password hash.
    const { passwordHash: _hash, ...withoutSecret } = expected;
    expect(await users.findById(inserted.id)).toEqual(withoutSecret);
    expect(await users.findByPhone(row.phone)).toEqual(withoutSecret);
    expect(await users.findByEmailWithSecrets(row.email.toUpperCase())).toEqual(expected);
  });

  it('stores the optional columns as NULL when left out', async () => {
    const { address: _a, city: _c, state: _s, ...required } = newUser();
    const inserted = await users.insert(required);
    expect(await users.findById(inserted.id)).toMatchObject({ address: null, city: null, state: null });
  });

  it('answers null / false / undefined for what does not exist', async () => {
    expect(await users.findById(2_000_000_000)).toBeNull();
    expect(await users.findByIdWithSecrets(2_000_000_000)).toBeNull();
    expect(await users.findByPhone('+919000000001')).toBeNull();
    expect(await users.findByEmailWithSecrets('nobody@example.com')).toBeNull();
    const m = await merchant();
    expect(await users.findBillableByPhone('+919000000001', m.id)).toBeUndefined();
  });

  it('finds a billable customer by phone unless inactive or blocked by that shop', async () => {
    const [m, other] = [await merchant(), await merchant()];
    const u = await users.insert(newUser());
    expect(await users.findBillableByPhone(u.phone, m.id)).toEqual({
      id: u.id,
      name: u.name,
      phone: u.phone,
    });
    await linkCustomer(db.dataSource, u.id, m.id, 'blocked');
    expect(await users.findBillableByPhone(u.phone, m.id)).toBeUndefined();
    // Blocking one shop hides the customer from that shop only.
    expect(await users.findBillableByPhone(u.phone, other.id)).toMatchObject({ id: u.id });
    await db.dataSource.query(`UPDATE users SET is_active = false WHERE id = $1`, [u.id]);
    expect(await users.findBillableByPhone(u.phone, other.id)).toBeUndefined();
  });

  it('searches active customers by phone digits, lowest id first, limited, without those who blocked the shop', async () => {
    const m = await merchant();
    const digits = String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
    const phones = ['+9170', '+9171', '+9172', '+9173'].map(
      (p) => `${p}${digits}${String(Math.random()).slice(2, 4)}`,
    );
    const found: User[] = [];
    for (const phone of phones) found.push(await users.insert(newUser({ phone })));
    await linkCustomer(db.dataSource, found[2].id, m.id, 'blocked');
    await db.dataSource.query(`UPDATE users SET is_active = false WHERE id = $1`, [found[3].id]);
    const hits = await users.searchByPhoneDigits(digits, 10, m.id);
    expect(hits.map((u) => u.id)).toEqual([found[0].id, found[1].id]);
    expect(hits[0]).not.toHaveProperty('passwordHash');
    expect((await users.searchByPhoneDigits(digits, 1, m.id)).map((u) => u.id)).toEqual([found[0].id]);
    expect(await users.searchByPhoneDigits('00000000000', 10, m.id)).toEqual([]);
  });

  it('updates only the fields given, and moves updated_at', async () => {
    const u = await users.insert(newUser());
    const before = (await users.findById(u.id))!;
    await users.update(u.id, { city: 'Mumbai', state: undefined, address: null });
    const after = (await users.findById(u.id))!;
    expect(after).toEqual({ ...before, city: 'Mumbai', address: null, updatedAt: expect.any(Date) });
    expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
    // Nothing defined: nothing written.
    await users.update(u.id, { name: undefined });
    expect(await users.findById(u.id)).toEqual(after);
  });

  it('says which of email (any case) and phone are taken, by another customer than `exceptId`', async () => {
    await expectTakenByOthers(users, await users.insert(newUser()));
  });

  describe('a duplicate that slips past `taken` (two registrations at once)', () => {
    const service = () =>
      new UsersService(
        fakeRepository<UsersRepository>(
          {
            taken: async () => ({ email: false, phone: false }),
            insert: (user) => users.insert(user),
            findByIdWithSecrets: (id) => users.findByIdWithSecrets(id),
            update: (id, patch) => users.update(id, patch),
            findById: (id) => users.findById(id),
          },
          'UsersRepository',
        ),
        fakeRepository<PasswordService>(
          { hash: async () => 'hash', compareOrBurn: async () => true },
          'PasswordService',
        ),
      );

    it('is the domain conflict the service names, for email (any case) and for phone', async () => {
      const u = await users.insert(newUser());
      const again = newUser();
      const register = (patch: object) =>
        service().register({
          name: 'X',
          password: 'khata-book-4821',
          email: again.email,
          phone: again.phone,
          ...patch,
        });
      await expect(register({ email: u.email.toUpperCase() })).rejects.toMatchObject({
        status: 409,
        code: 'email-taken',
      });
      await expect(register({ phone: u.phone })).rejects.toMatchObject({ status: 409, code: 'phone-taken' });
      await expect(register({ phone: u.phone })).rejects.toBeInstanceOf(ConflictError);
    });

    it('is the domain conflict on a profile change too', async () => {
      const [u, other] = [await users.insert(newUser()), await users.insert(newUser())];
      await expect(
        service().updateProfile(u.id, { phone: other.phone, current_password: 'khata-book-4821' }),
      ).rejects.toMatchObject({ status: 409, code: 'phone-taken' });
      await expect(
        service().updateProfile(u.id, { email: other.email.toUpperCase(), current_password: 'x' }),
      ).rejects.toMatchObject({ status: 409, code: 'email-taken' });
    });
  });
});

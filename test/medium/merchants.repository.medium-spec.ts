import type { PasswordService } from '../../src/common/auth/password.service.js';
import { Merchant } from '../../src/modules/merchants/entities/merchant.entity.js';
import { MerchantsRepository } from '../../src/modules/merchants/merchants.repository.js';
import { MerchantsService } from '../../src/modules/merchants/merchants.service.js';
import type { TransactionTableFactory } from '../../src/modules/transactions/transaction-table.factory.js';
import { fakeRepository } from '../support/fakes.js';
import { entityColumns, tableColumns } from './columns.js';
import { useMediumDatabase } from './medium-database.js';
import { expectTakenByOthers, newMerchant } from './rows.js';

describe('MerchantsRepository (PostgreSQL)', () => {
  const db = useMediumDatabase();
  let merchants: MerchantsRepository;

  beforeAll(() => {
    merchants = new MerchantsRepository(db.dataSource);
  });

  const insert = (row = newMerchant()) => merchants.insert(db.dataSource.manager, row);

  it('maps every column of `merchants` that the entity declares, with its type and nullability', async () => {
    expect(await tableColumns(db.dataSource, 'merchants')).toMatchObject(
      entityColumns(db.dataSource, Merchant),
    );
  });

  it('round-trips every column: insert, then read back through the repository', async () => {
    const row = newMerchant();
    const inserted = await insert(row);
    const expected: Merchant = {
      ...row,
      id: inserted.id,
      upiVpa: null,
      upiPayeeName: null,
      isActive: true,
      createdAt: expect.any(Date) as Date,
      updatedAt: expect.any(Date) as Date,
    };
    expect(await merchants.findByIdWithSecrets(inserted.id)).toEqual(expected);
    expect(await merchants.findByEmailWithSecrets(row.email.toUpperCase())).toEqual(expected);
    // The Aadhaar number only where a profile needs it; the password hash only for sign-in checks.
    const { passwordHash: _hash, aadharNumber: _aadhar, ...plain } = expected;
    expect(await merchants.findByIdWithAadhar(inserted.id)).toEqual({
      ...plain,
      aadharNumber: row.aadharNumber,
    });
  });

  it('fills country and time zone with their defaults, and the optional columns with NULL', async () => {
    const optional = {
      businessType: null,
      address: null,
      city: null,
      state: null,
      zipCode: null,
      aadharNumber: null,
    };
    const { country: _c, timezone: _t, ...row } = newMerchant(optional);
    const inserted = await merchants.insert(db.dataSource.manager, row);
    expect(await merchants.findByIdWithSecrets(inserted.id)).toMatchObject({
      ...optional,
      country: 'India',
      timezone: 'Asia/Kolkata',
    });
  });

  it('answers null or undefined for a merchant that does not exist', async () => {
    expect(await merchants.findByIdWithAadhar(2_000_000_000)).toBeNull();
    expect(await merchants.findByIdWithSecrets(2_000_000_000)).toBeNull();
    expect(await merchants.findByEmailWithSecrets('nobody@example.com')).toBeNull();
  });

  it('writes inside the caller’s transaction: rolled back, the merchant is gone', async () => {
    const row = newMerchant();
    await expect(
      db.dataSource.transaction(async (manager) => {
        await merchants.insert(manager, row);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await merchants.findByEmailWithSecrets(row.email)).toBeNull();
  });

  it('updates only the fields given, and moves updated_at', async () => {
    const m = await insert();
    const before = (await merchants.findByIdWithAadhar(m.id))!;
    await merchants.update(m.id, {
      businessName: 'Sweets',
      zipCode: null,
      city: undefined,
      timezone: 'Asia/Kolkata',
    });
    const after = (await merchants.findByIdWithAadhar(m.id))!;
    expect(after).toEqual({
      ...before,
      businessName: 'Sweets',
      zipCode: null,
      timezone: 'Asia/Kolkata',
      updatedAt: expect.any(Date),
    });
    expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
    await merchants.update(m.id, { name: undefined });
    expect(await merchants.findByIdWithAadhar(m.id)).toEqual(after);
  });

  it('keeps a UPI address only in its stored form (lower-case handle@bank), and the shop card without secrets', async () => {
    const m = await insert();
    await merchants.update(m.id, { upiVpa: 'ravi.kirana-1@oksbi', upiPayeeName: 'रवि किराना' });
    const shop = (await merchants.findShop(m.id))!;
    expect(shop).toMatchObject({ upiVpa: 'ravi.kirana-1@oksbi', upiPayeeName: 'रवि किराना' });
    expect(shop).not.toHaveProperty('passwordHash');
    expect(shop).not.toHaveProperty('aadharNumber');
    for (const bad of ['Ravi@OKSBI', 'ravi@ok5bi', 'r@oksbi', 'ravi kirana@oksbi'])
      await expect(merchants.update(m.id, { upiVpa: bad })).rejects.toThrow(/merchants_upi_vpa_format/);
    await expect(merchants.update(m.id, { upiPayeeName: '' })).rejects.toThrow(
      /merchants_upi_payee_name_length/,
    );
    await merchants.update(m.id, { upiVpa: null, upiPayeeName: null });
    expect(await merchants.findShop(m.id)).toMatchObject({ upiVpa: null, upiPayeeName: null });
  });

  it('says which of email (any case) and phone are taken, by another merchant than `exceptId`', async () => {
    await expectTakenByOthers(merchants, await insert());
  });

  describe('a duplicate that slips past `taken` (two registrations at once)', () => {
    const service = () =>
      new MerchantsService(
        db.dataSource,
        fakeRepository<MerchantsRepository>(
          {
            taken: async () => ({ email: false, phone: false }),
            insert: (manager, row) => merchants.insert(manager, row),
            findByIdWithSecrets: (id) => merchants.findByIdWithSecrets(id),
            update: (id, patch) => merchants.update(id, patch),
          },
          'MerchantsRepository',
        ),
        // The merchant's own table is the transactions module's business, not this repository's.
        fakeRepository<TransactionTableFactory>(
          { lock: async () => undefined, provision: async () => undefined },
          'TransactionTableFactory',
        ),
        fakeRepository<PasswordService>(
          { hash: async () => 'hash', compareOrBurn: async () => true },
          'PasswordService',
        ),
      );

    it('is the domain conflict the service names, for email (any case) and for phone', async () => {
      const m = await insert();
      const again = newMerchant();
      const register = (patch: object) =>
        service().register({
          name: 'X',
          password: 'till-roll-4821',
          email: again.email,
          phone: again.phone,
          ...patch,
        });
      await expect(register({ email: m.email.toUpperCase() })).rejects.toMatchObject({
        status: 409,
        code: 'email-taken',
        v1: { status: 400 },
      });
      await expect(register({ phone: m.phone })).rejects.toMatchObject({ status: 409, code: 'phone-taken' });
    });

    it('is the domain conflict on a profile change too', async () => {
      const [m, other] = [await insert(), await insert()];
      await expect(
        service().updateProfile(m.id, { phone: other.phone, current_password: 'till-roll-4821' }),
      ).rejects.toMatchObject({ status: 409, code: 'phone-taken' });
      await expect(
        service().updateProfile(m.id, { email: other.email.toUpperCase(), current_password: 'x' }),
      ).rejects.toMatchObject({ status: 409, code: 'email-taken' });
    });
  });
});

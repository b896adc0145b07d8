import type { DataSource, EntityManager } from 'typeorm';
import { fakeRepository } from '../../../test/support/fakes.js';
import type { PasswordService } from '../../common/auth/password.service.js';
import type { TransactionTableFactory } from '../transactions/transaction-table.factory.js';
import type { Merchant } from './entities/merchant.entity.js';
import type { MerchantPatch, MerchantsRepository, NewMerchant } from './merchants.repository.js';
import { MerchantsService, type NewMerchantRegistration } from './merchants.service.js';

const manager = { name: 'the transaction' } as unknown as EntityManager;

const stored: Merchant = {
  id: 3,
  name: 'Ravi Kumar',
  email: 'ravi@example.com',
  phone: '+919876543210',
  passwordHash: 'hash:till-roll-4821',
  businessName: 'Ravi Kirana',
  businessType: 'kirana',
  address: null,
  city: 'Pune',
  state: 'Maharashtra',
  zipCode: '411001',
  country: 'India',
  timezone: 'Asia/Kolkata',
  aadharNumber: '123456789012',
  upiVpa: null,
  upiPayeeName: null,
  isActive: true,
  createdAt: new Date('2026-11-01T10:00:00Z'),
  updatedAt: new Date('2026-11-01T10:00:00Z'),
};

describe('MerchantsService', () => {
  let steps: string[];
  let inserted: NewMerchant[];
  let patches: MerchantPatch[];
  let taken: { email: boolean; phone: boolean };
  let provisionFails: boolean;

  const service = () =>
    new MerchantsService(
      fakeRepository<DataSource>(
        {
          transaction: (async (work: (m: EntityManager) => Promise<unknown>) => {
            steps.push('begin');
            const result = await work(manager);
            steps.push('commit');
            return result;
          }) as DataSource['transaction'],
        },
        'DataSource',
      ),
      fakeRepository<MerchantsRepository>(
        {
          taken: async () => taken,
          insert: async (m, row) => {
            steps.push(m === manager ? 'insert in transaction' : 'insert outside');
            inserted.push(row);
            return { ...stored, ...row, id: 41 };
          },
          findByIdWithSecrets: async (id) => (id === stored.id ? stored : null),
          findByIdWithAadhar: async (id) => (id === stored.id ? stored : null),
          update: async (_id, patch) => void patches.push(patch),
        },
        'MerchantsRepository',
      ),
      fakeRepository<TransactionTableFactory>(
        {
          lock: async (m) => void steps.push(m === manager ? 'lock in transaction' : 'lock outside'),
          provision: async (m, id) => {
            if (provisionFails) throw new Error('could not create the table');
            steps.push(`${m === manager ? 'provision in transaction' : 'provision outside'} ${id}`);
          },
        },
        'TransactionTableFactory',
      ),
      fakeRepository<PasswordService>(
        {
          hash: async (p) => `hash:${p}`,
          compareOrBurn: async (p, hash) => hash === `hash:${p}`,
        },
        'PasswordService',
      ),
    );

  beforeEach(() => {
    steps = [];
    inserted = [];
    patches = [];
    taken = { email: false, phone: false };
    provisionFails = false;
  });

  const registration = (patch: Partial<NewMerchantRegistration> = {}): NewMerchantRegistration => ({
    name: 'Meera Joshi',
    email: 'meera@example.com',
    phone: '+919812345678',
    password: 'sweet-shop-4821',
    ...patch,
  });

  describe('register', () => {
    it('writes the merchant and provisions their table in one transaction, under the provisioning lock', async () => {
      const merchant = await service().register(registration({ business_name: 'Meera Sweets' }));
      expect(merchant.id).toBe(41);
      expect(steps).toEqual([
        'begin',
        'lock in transaction',
        'insert in transaction',
        'provision in transaction 41',
        'commit',
      ]);
      expect(inserted[0]).toMatchObject({
        businessName: 'Meera Sweets',
        passwordHash: 'hash:sweet-shop-4821',
      });
    });

    it('fills what the form left out: the owner’s name for the shop, India, Asia/Kolkata, nulls', async () => {
      await service().register(registration());
      expect(inserted[0]).toEqual({
        name: 'Meera Joshi',
        email: 'meera@example.com',
        phone: '+919812345678',
        passwordHash: 'hash:sweet-shop-4821',
        businessName: 'Meera Joshi',
        businessType: null,
        address: null,
        city: null,
        state: null,
        zipCode: null,
        country: 'India',
        timezone: 'Asia/Kolkata',
        aadharNumber: null,
      });
    });

    it.each([
      ['email', { email: true, phone: true }, 'email-taken'],
      ['phone', { email: false, phone: true }, 'phone-taken'],
    ])('refuses a taken %s with a 409 (a 400 in v1) before writing', async (_label, which, code) => {
      taken = which;
      await expect(service().register(registration())).rejects.toMatchObject({
        status: 409,
        code,
        v1: { status: 400, detail: 'Merchant with this email or phone already exists' },
      });
      expect(steps).toEqual([]);
    });

    it('fails as a whole when the table cannot be provisioned (no commit)', async () => {
      provisionFails = true;
      await expect(service().register(registration())).rejects.toThrow('could not create the table');
      expect(steps).not.toContain('commit');
    });
  });

  describe('updateProfile', () => {
    it('writes only what was sent and answers the profile', async () => {
      const profile = await service().updateProfile(3, { business_name: 'Ravi Stores', city: 'Nashik' });
      expect(patches).toEqual([
        {
          name: undefined,
          email: undefined,
          phone: undefined,
          businessName: 'Ravi Stores',
          businessType: undefined,
          address: undefined,
          city: 'Nashik',
          state: undefined,
          zipCode: undefined,
          country: undefined,
          timezone: undefined,
          upiVpa: undefined,
          upiPayeeName: undefined,
        },
      ]);
      expect(profile).toMatchObject({ id: 3, user_type: 'merchant' });
    });

    it('needs the current password to change the email or phone', async () => {
      await expect(service().updateProfile(3, { email: 'new@example.com' })).rejects.toMatchObject({
        status: 422,
        code: 'current-password-required',
      });
      await expect(
        service().updateProfile(3, { phone: '+919800000000', current_password: 'guess' }),
      ).rejects.toMatchObject({ status: 422, code: 'wrong-password' });
      expect(patches).toEqual([]);
    });

    it('refuses an email another merchant has with a 409', async () => {
      taken = { email: true, phone: false };
      await expect(
        service().updateProfile(3, { email: 'taken@example.com', current_password: 'till-roll-4821' }),
      ).rejects.toMatchObject({ status: 409, code: 'email-taken' });
      expect(patches).toEqual([]);
    });

    it('answers 404 for a merchant that is gone', async () => {
      await expect(service().updateProfile(99, { city: 'Pune' })).rejects.toMatchObject({ status: 404 });
    });
  });

  describe('profile', () => {
    it('shows the Aadhaar number as its last 4 digits only, and never the password hash', async () => {
      const profile = await service().profile(3);
      expect(profile).toEqual({
        id: 3,
        name: 'Ravi Kumar',
        email: 'ravi@example.com',
        phone: '+919876543210',
        business_name: 'Ravi Kirana',
        business_type: 'kirana',
        address: null,
        city: 'Pune',
        state: 'Maharashtra',
        zip_code: '411001',
        country: 'India',
        timezone: 'Asia/Kolkata',
        aadhar_last_4: '9012',
        upi_vpa: null,
        upi_payee_name: null,
        is_active: true,
        created_at: '2026-11-01T10:00:00.000Z',
        user_type: 'merchant',
      });
      expect(JSON.stringify(profile)).not.toContain('12345678');
      expect(JSON.stringify(profile)).not.toContain('hash');
    });

    it('answers 404 for a merchant that is gone', async () => {
      await expect(service().profile(99)).rejects.toMatchObject({ status: 404 });
    });
  });
});

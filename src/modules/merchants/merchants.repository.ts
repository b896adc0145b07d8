import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Merchant } from './entities/merchant.entity.js';

export type NewMerchant = Omit<
  Merchant,
  'id' | 'createdAt' | 'updatedAt' | 'isActive' | 'country' | 'timezone' | 'upiVpa' | 'upiPayeeName'
> &
  Partial<Pick<Merchant, 'country' | 'timezone'>>;

export type MerchantPatch = Partial<
  Pick<
    Merchant,
    | 'name'
    | 'email'
    | 'phone'
    | 'businessName'
    | 'businessType'
    | 'address'
    | 'city'
    | 'state'
    | 'zipCode'
    | 'country'
    | 'timezone'
    | 'upiVpa'
    | 'upiPayeeName'
  >
>;

/** The only code that reads and writes `merchants`. */
@Injectable()
export class MerchantsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  insert(manager: EntityManager, merchant: NewMerchant): Promise<Merchant> {
    return manager.getRepository(Merchant).save(manager.getRepository(Merchant).create(merchant));
  }

  /** The merchant with the secrets a login or a profile needs (password hash, Aadhaar). */
  findByEmailWithSecrets(email: string): Promise<Merchant | null> {
    return this.dataSource
      .getRepository(Merchant)
      .createQueryBuilder('m')
      .addSelect(['m.passwordHash', 'm.aadharNumber'])
      .where('lower(m.email) = lower(:email)', { email })
      .getOne();
  }

  findByIdWithAadhar(id: number): Promise<Merchant | null> {
    return this.dataSource
      .getRepository(Merchant)
      .createQueryBuilder('m')
      .addSelect('m.aadharNumber')
      .where('m.id = :id', { id })
      .getOne();
  }

  /** The merchant with the password hash, for a profile change that needs the current password. */
  findByIdWithSecrets(id: number): Promise<Merchant | null> {
    return this.dataSource
      .getRepository(Merchant)
      .createQueryBuilder('m')
      .addSelect(['m.passwordHash', 'm.aadharNumber'])
      .where('m.id = :id', { id })
      .getOne();
  }

  /** The shop's public card: its name, address, zone and UPI payee (no owner or secret fields). */
  findShop(id: number): Promise<Merchant | null> {
    return this.dataSource.getRepository(Merchant).findOneBy({ id });
  }

  /** Writes the given profile fields (undefined ones are left as they are). */
  async update(id: number, patch: MerchantPatch): Promise<void> {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (Object.keys(defined).length) await this.dataSource.getRepository(Merchant).update({ id }, defined);
  }

  /**
   * Which of email and phone are already taken (by another merchant than `exceptId`), for a clear
   * 409 before the write.
   */
  async taken(email: string, phone: string, exceptId = 0): Promise<{ email: boolean; phone: boolean }> {
    const rows: { email_taken: boolean; phone_taken: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM merchants WHERE lower(email) = lower($1) AND id <> $3) AS email_taken,
              EXISTS (SELECT 1 FROM merchants WHERE phone = $2 AND id <> $3) AS phone_taken`,
      [email, phone, exceptId],
    );
    return { email: rows[0].email_taken, phone: rows[0].phone_taken };
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { notBlockedSql } from './customer-shops.repository.js';
import { User } from './entities/user.entity.js';

export type NewUser = Pick<User, 'name' | 'email' | 'phone' | 'passwordHash'> &
  Partial<Pick<User, 'address' | 'city' | 'state'>>;

export type UserPatch = Partial<
  Pick<User, 'name' | 'email' | 'phone' | 'address' | 'city' | 'state' | 'preferredLanguage' | 'timezone'>
>;

/** The only code that reads and writes `users`. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  insert(user: NewUser): Promise<User> {
    const repo = this.dataSource.getRepository(User);
    return repo.save(repo.create(user));
  }

  findById(id: number): Promise<User | null> {
    return this.dataSource.getRepository(User).findOneBy({ id });
  }

  findByEmailWithSecrets(email: string): Promise<User | null> {
    return this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
  }

  findByPhone(phone: string): Promise<User | null> {
    return this.dataSource.getRepository(User).findOneBy({ phone });
  }

  /**
   * The active customer with this phone, as `merchantId` may see them: none when that customer has
   * blocked the merchant (see {@link notBlockedSql}).
   */
  async findBillableByPhone(
    phone: string,
    merchantId: number,
  ): Promise<Pick<User, 'id' | 'name' | 'phone'> | undefined> {
    const rows: Pick<User, 'id' | 'name' | 'phone'>[] = await this.dataSource.query(
      `SELECT u.id, u.name, u.phone FROM users u
        WHERE u.phone = $1 AND u.is_active AND ${notBlockedSql('u.id', '$2')}`,
      [phone, merchantId],
    );
    return rows[0];
  }

  findByIdWithSecrets(id: number): Promise<User | null> {
    return this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :id', { id })
      .getOne();
  }

  /**
   * Active customers whose phone number contains `digits`, lowest id first, leaving out those who
   * have blocked `merchantId`. Only customers: the merchants table is never searched.
   */
  searchByPhoneDigits(digits: string, limit: number, merchantId: number): Promise<User[]> {
    return this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .where('u.is_active')
      .andWhere(`strpos(u.phone, :digits) > 0`, { digits })
      .andWhere(notBlockedSql('u.id', ':merchantId'), { merchantId })
      .orderBy('u.id')
      .limit(limit)
      .getMany();
  }

  /** Writes the given profile fields (undefined ones are left as they are). */
  async update(id: number, patch: UserPatch): Promise<void> {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (Object.keys(defined).length) await this.dataSource.getRepository(User).update({ id }, defined);
  }

  /** Which of email and phone are already taken (by another customer than `exceptId`). */
  async taken(email: string, phone: string, exceptId = 0): Promise<{ email: boolean; phone: boolean }> {
    const rows: { email_taken: boolean; phone_taken: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1) AND id <> $3) AS email_taken,
              EXISTS (SELECT 1 FROM users WHERE phone = $2 AND id <> $3) AS phone_taken`,
      [email, phone, exceptId],
    );
    return { email: rows[0].email_taken, phone: rows[0].phone_taken };
  }
}

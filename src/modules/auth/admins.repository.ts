import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Admin } from './entities/admin.entity.js';

@Injectable()
export class AdminsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findByEmailWithSecrets(email: string): Promise<Admin | null> {
    return this.dataSource
      .getRepository(Admin)
      .createQueryBuilder('a')
      .addSelect('a.passwordHash')
      .where('lower(a.email) = lower(:email)', { email })
      .getOne();
  }

  /** Creates the admin unless one with this email exists; safe when several instances boot at once. */
  async insertIfMissing(email: string, passwordHash: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO admins (email, password_hash, name) VALUES ($1, $2, 'Administrator')
       ON CONFLICT ((lower(email))) DO NOTHING RETURNING id`,
      [email, passwordHash],
    );
    return rows.length > 0;
  }

  async touchLogin(id: number): Promise<void> {
    await this.dataSource.query(`UPDATE admins SET last_login_at = now() WHERE id = $1`, [id]);
  }
}

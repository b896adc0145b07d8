import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Admin } from './entities/admin.entity.js';

/**
 * The `admins` accounts themselves: signing in, the first admin, and the state the panel checks on
 * every request. What the panel lists and edits goes through the admin module's AdminRepository.
 */
@Injectable()
export class AdminAccountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findByEmailWithSecrets(email: string): Promise<Admin | null> {
    return this.dataSource
      .getRepository(Admin)
      .createQueryBuilder('a')
      .addSelect('a.passwordHash')
      .where('lower(a.email) = lower(:email)', { email })
      .getOne();
  }

  /**
   * Creates the admin unless one with this email exists; safe when several instances boot at once.
   * The first admin of an installation is its super-admin.
   */
  async insertIfMissing(email: string, passwordHash: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO admins (email, password_hash, name, is_super)
       VALUES ($1, $2, 'Administrator', NOT EXISTS (SELECT 1 FROM admins WHERE is_super))
       ON CONFLICT ((lower(email))) DO NOTHING RETURNING id`,
      [email, passwordHash],
    );
    return rows.length > 0;
  }

  async touchLogin(id: number): Promise<void> {
    await this.dataSource.query(`UPDATE admins SET last_login_at = now() WHERE id = $1`, [id]);
  }

  async isActive(id: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM admins WHERE id = $1 AND is_active`, [
      id,
    ]);
    return rows.length > 0;
  }

  async isSuperAdmin(id: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM admins WHERE id = $1 AND is_active AND is_super`,
      [id],
    );
    return rows.length > 0;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ACCOUNT_TABLES, type Role, type StaffRole } from '../../common/auth/role.js';

/** The sign-in side of an account of any role: its state and its password hash. */
@Injectable()
export class AccountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The account's state and password hash, locked for the rest of the transaction; null when gone. */
  async lockForSignIn(
    manager: EntityManager,
    role: Role,
    id: number,
  ): Promise<{ isActive: boolean; passwordHash: string } | null> {
    const rows: { is_active: boolean; password_hash: string }[] = await manager.query(
      `SELECT is_active, password_hash FROM ${ACCOUNT_TABLES[role]} WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? { isActive: rows[0].is_active, passwordHash: rows[0].password_hash } : null;
  }

  async setPassword(manager: EntityManager, role: Role, id: number, passwordHash: string): Promise<void> {
    await manager.query(`UPDATE ${ACCOUNT_TABLES[role]} SET password_hash = $2 WHERE id = $1`, [
      id,
      passwordHash,
    ]);
  }

  /**
   * A staff member's sign-in state, locked for the rest of the transaction when `lock`: active only while the member, their acceptance and their shop are; null when gone.
   */
  async staffForSignIn(
    manager: EntityManager | undefined,
    id: number,
    lock = manager !== undefined,
  ): Promise<{ isActive: boolean; merchantId: number; role: StaffRole } | null> {
    const rows: { is_active: boolean; merchant_id: number; role: StaffRole }[] = await (
      manager ?? this.dataSource.manager
    ).query(
      `SELECT s.is_active AND m.is_active AND s.password_hash IS NOT NULL AS is_active, s.merchant_id, s.role
         FROM staff s JOIN merchants m ON m.id = s.merchant_id
        WHERE s.id = $1${lock ? ' FOR UPDATE OF s' : ''}`,
      [id],
    );
    const row = rows[0];
    return row ? { isActive: row.is_active, merchantId: row.merchant_id, role: row.role } : null;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionSubject } from '../../common/auth/role.js';
import { RefreshToken } from './entities/refresh-token.entity.js';

@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  insert(
    manager: EntityManager | undefined,
    token: Omit<RefreshToken, 'createdAt' | 'revokedAt' | 'replacedBy'>,
  ) {
    return (manager ?? this.dataSource.manager)
      .getRepository(RefreshToken)
      .insert({ ...token, revokedAt: null });
  }

  /** Locks the row so two refreshes with one token cannot both rotate it. */
  findByHashForUpdate(manager: EntityManager, tokenHash: string): Promise<RefreshToken | null> {
    return manager
      .getRepository(RefreshToken)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.token_hash = :tokenHash', { tokenHash })
      .getOne();
  }

  findByHash(tokenHash: string): Promise<RefreshToken | null> {
    return this.dataSource.getRepository(RefreshToken).findOneBy({ tokenHash });
  }

  async markReplaced(manager: EntityManager, id: string, replacedBy: string): Promise<void> {
    await manager
      .getRepository(RefreshToken)
      .update({ id }, { revokedAt: () => 'now()', replacedBy } as never);
  }

  /** Revokes every token of a family (logout, or a reused token: the family is compromised). */
  async revokeFamily(manager: EntityManager | undefined, familyId: string): Promise<void> {
    await (manager ?? this.dataSource.manager).query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId],
    );
  }

  /**
   * Revokes every token of an account (deactivation, a password change), but those of the family
   * `exceptFamily` (the session that changed the password) when given.
   */
  async revokeSubject(
    manager: EntityManager,
    role: SessionSubject,
    id: number,
    exceptFamily?: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE refresh_tokens SET revoked_at = now()
        WHERE subject_role = $1 AND subject_id = $2 AND revoked_at IS NULL
          AND ($3::uuid IS NULL OR family_id <> $3)`,
      [role, id, exceptFamily ?? null],
    );
  }

  /** Drops tokens expired for over a day: they can no longer be used or reused. */
  async purgeExpired(): Promise<number> {
    const [{ removed }]: { removed: number }[] = await this.dataSource.query(
      `WITH gone AS (DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day' RETURNING 1)
       SELECT count(*)::int AS removed FROM gone`,
    );
    return removed;
  }
}

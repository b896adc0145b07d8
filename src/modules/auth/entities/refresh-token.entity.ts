import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { SessionSubject } from '../../../common/auth/role.js';

@Entity('refresh_tokens')
export class RefreshToken {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'family_id' }) familyId: string;
  @Column('text', { name: 'subject_role' }) subjectRole: SessionSubject;
  @Column('integer', { name: 'subject_id' }) subjectId: number;
  @Column('text', { name: 'token_hash' }) tokenHash: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column('uuid', { name: 'replaced_by', nullable: true }) replacedBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

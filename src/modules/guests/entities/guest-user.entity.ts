import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An anonymous buyer: one per guest transaction, no personal data. */
@Entity('guest_users')
export class GuestUser {
  @PrimaryGeneratedColumn() id: number;
  @Column('integer', { name: 'merchant_id' }) merchantId: number;
  // bigint comes back from pg as a string; ids stay far below 2^53.
  @Column('bigint', {
    name: 'transaction_id',
    nullable: true,
    transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  transactionId: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

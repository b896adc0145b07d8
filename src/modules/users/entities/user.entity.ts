import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn() id: number;
  @Column('text') name: string;
  @Column('text') email: string;
  @Column('text') phone: string;
  @Column('text', { name: 'password_hash', select: false }) passwordHash: string;
  @Column('text', { nullable: true }) address: string | null;
  @Column('text', { nullable: true }) city: string | null;
  @Column('text', { nullable: true }) state: string | null;
  @Column('text', { name: 'preferred_language', nullable: true }) preferredLanguage: 'en' | 'hi' | null;
  @Column('text', { nullable: true }) timezone: string | null;
  @Column('boolean', { name: 'is_active', default: true }) isActive: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

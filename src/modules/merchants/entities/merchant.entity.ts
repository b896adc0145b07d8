import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('merchants')
export class Merchant {
  @PrimaryGeneratedColumn() id: number;
  @Column('text') name: string;
  @Column('text') email: string;
  @Column('text') phone: string;
  @Column('text', { name: 'password_hash', select: false }) passwordHash: string;
  @Column('text', { name: 'business_name' }) businessName: string;
  @Column('text', { name: 'business_type', nullable: true }) businessType: string | null;
  @Column('text', { nullable: true }) address: string | null;
  @Column('text', { nullable: true }) city: string | null;
  @Column('text', { nullable: true }) state: string | null;
  @Column('text', { name: 'zip_code', nullable: true }) zipCode: string | null;
  @Column('text', { default: 'India' }) country: string;
  @Column('text', { default: 'Asia/Kolkata' }) timezone: string;
  @Column('text', { name: 'aadhar_number', nullable: true, select: false }) aadharNumber: string | null;
  @Column('text', { name: 'upi_vpa', nullable: true }) upiVpa: string | null;
  @Column('text', { name: 'upi_payee_name', nullable: true }) upiPayeeName: string | null;
  @Column('boolean', { name: 'is_active', default: true }) isActive: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

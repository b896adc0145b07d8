import { ApiProperty } from '@nestjs/swagger';

export class MerchantProfileDto {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty() phone: string;
  @ApiProperty() business_name: string;
  @ApiProperty({ nullable: true, type: String }) business_type: string | null;
  @ApiProperty({ nullable: true, type: String }) address: string | null;
  @ApiProperty({ nullable: true, type: String }) city: string | null;
  @ApiProperty({ nullable: true, type: String }) state: string | null;
  @ApiProperty({ nullable: true, type: String }) zip_code: string | null;
  @ApiProperty() country: string;
  @ApiProperty({ example: 'Asia/Kolkata' }) timezone: string;
  @ApiProperty({ nullable: true, type: String, example: '1234', description: 'Only the last 4 digits.' })
  aadhar_last_4: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'ravikirana@oksbi',
    description: 'UPI address (VPA).',
  })
  upi_vpa: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The payee name UPI apps show.' })
  upi_payee_name: string | null;
  @ApiProperty() is_active: boolean;
  @ApiProperty({ example: '2026-11-24T03:18:56.000Z' }) created_at: string;
  @ApiProperty({ example: 'merchant' }) user_type: 'merchant';
}

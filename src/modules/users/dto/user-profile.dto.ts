import { ApiProperty } from '@nestjs/swagger';

export class UserProfileDto {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty() phone: string;
  @ApiProperty({ nullable: true, type: String }) address: string | null;
  @ApiProperty({ nullable: true, type: String }) city: string | null;
  @ApiProperty({ nullable: true, type: String }) state: string | null;
  @ApiProperty({
    nullable: true,
    enum: ['en', 'hi'],
    description: 'The language of payment reminders shops send you; null: the shop’s choice.',
  })
  preferred_language: 'en' | 'hi' | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'Asia/Kolkata',
    description: 'Your time zone (reminders keep to 09:00–21:00 in it); null: each shop’s zone.',
  })
  timezone: string | null;
  @ApiProperty() is_active: boolean;
  @ApiProperty() created_at: string;
  @ApiProperty({ example: 'user' }) user_type: 'user';
}

export class UserLookupDto {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty({ example: '3210' }) phone_last_4: string;
}

/** A customer found by phone, as much as the caller may see: a masked phone, maybe a short name. */
export interface CustomerMatch {
  id: number;
  /** The full name for a merchant's exact lookup; otherwise the first name and last initial. */
  name: string;
  phone_masked: string;
}

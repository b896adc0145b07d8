import { ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { IsTimeZone } from '../../../common/time/time-zone.js';
import { LenientFields } from '../../../common/v1/v1.js';
import { IsUpiVpa } from '../../upi/vpa.js';
import { RegisterMerchantDto, RegisterUserDto } from './register.dto.js';

/** Needed only when the email or phone number changes. */
class CurrentPasswordDto {
  @ApiPropertyOptional({ description: 'Required to change the email or phone number.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  current_password?: string;
}

/** Any registration field but the password and Aadhaar number, validated as at registration. */
class MerchantProfileFieldsDto extends IntersectionType(
  PartialType(OmitType(RegisterMerchantDto, ['password', 'aadhar_number'] as const)),
  CurrentPasswordDto,
) {}

/** Where the shop is paid by UPI (v2 only); null removes it, and with it the shop's UPI links. */
class MerchantUpiFieldsDto {
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'ravikirana@oksbi',
    description: 'UPI address (VPA) `handle@bank`; stored lower-case.',
  })
  @IsOptional()
  @IsUpiVpa()
  upi_vpa?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'Ravi Kirana Store',
    description: 'The payee name UPI apps show; the business name when not set.',
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 100)
  upi_payee_name?: string | null;
}

/** The v2 profile change: the registration fields and the shop's UPI payee. */
export class UpdateMerchantProfileDto extends IntersectionType(
  MerchantProfileFieldsDto,
  MerchantUpiFieldsDto,
) {}

/** The customer's reminder language and time zone (v2 profile only). */
class ReminderProfileDto {
  @ApiPropertyOptional({
    enum: ['en', 'hi'],
    nullable: true,
    description: 'Payment reminders in English or Hindi.',
  })
  @IsOptional()
  @IsIn(['en', 'hi', null])
  preferred_language?: 'en' | 'hi' | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'Asia/Kolkata',
    description: 'An IANA time zone.',
  })
  @IsOptional()
  @IsTimeZone()
  timezone?: string | null;
}

/** A customer's name, contact and address fields, validated as at registration. */
class UserProfileFieldsDto extends IntersectionType(
  PartialType(OmitType(RegisterUserDto, ['password'] as const)),
  CurrentPasswordDto,
) {}

/** The v2 profile change: the registration fields and the reminder language and time zone. */
export class UpdateUserProfileDto extends IntersectionType(UserProfileFieldsDto, ReminderProfileDto) {}

/** The same on /api/v1, where unknown fields are ignored. */
@LenientFields()
export class V1UpdateMerchantProfileDto extends MerchantProfileFieldsDto {}

@LenientFields()
export class V1UpdateUserProfileDto extends UserProfileFieldsDto {}

import { ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsTimeZone } from '../../../common/time/time-zone.js';
import { LenientFields } from '../../../common/v1/v1.js';
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
export class UpdateMerchantProfileDto extends IntersectionType(
  PartialType(OmitType(RegisterMerchantDto, ['password', 'aadhar_number'] as const)),
  CurrentPasswordDto,
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

  @ApiPropertyOptional({ nullable: true, example: 'Asia/Kolkata', description: 'An IANA time zone.' })
  @IsOptional()
  @IsTimeZone()
  timezone?: string | null;
}

/** A customer's name, contact and address fields, validated as at registration. */
export class UpdateUserProfileDto extends IntersectionType(
  PartialType(OmitType(RegisterUserDto, ['password'] as const)),
  CurrentPasswordDto,
  ReminderProfileDto,
) {}

/** The same on /api/v1, where unknown fields are ignored. */
@LenientFields()
export class V1UpdateMerchantProfileDto extends UpdateMerchantProfileDto {}

@LenientFields()
export class V1UpdateUserProfileDto extends UpdateUserProfileDto {}

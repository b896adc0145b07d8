import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsAccountEmail, IsNewPassword } from '../../../common/auth/credential-rules.js';
import { normalizeEmail } from '../../../common/http/email.js';
import { IsPhone } from '../../../common/http/phone.js';
import { IsTimeZone } from '../../../common/time/time-zone.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const email = ({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value);

export class RegisterUserDto {
  @ApiProperty({ example: 'Priya Sharma' })
  @Transform(trim)
  @IsString()
  @Length(1, 120)
  name: string;

  @ApiProperty({ example: 'priya@example.com', description: 'Stored NFKC-normalised, in lower case.' })
  @IsAccountEmail()
  email: string;

  @ApiProperty({ example: '+919876543210', description: 'A 10-digit Indian number gets +91.' })
  @IsPhone()
  phone: string;

  @ApiProperty({
    example: 'tea-stall-42-evenings',
    minLength: 8,
    description: 'At least 8 characters, at most 72 bytes in UTF-8; common passwords are refused.',
  })
  @IsString()
  @IsNewPassword()
  password: string;

  @ApiPropertyOptional({ example: '12 MG Road' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(300)
  address?: string;

  @ApiPropertyOptional({ example: 'Pune' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  city?: string;

  @ApiPropertyOptional({ example: 'Maharashtra' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  state?: string;
}

export class RegisterMerchantDto extends RegisterUserDto {
  @ApiProperty({ example: 'Sharma Kirana Store' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  business_name: string;

  @ApiPropertyOptional({ example: 'kirana' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  business_type?: string;

  @ApiPropertyOptional({ example: '411001', description: 'PIN code' })
  @IsOptional()
  @Transform(trim)
  @Matches(/^[A-Za-z0-9 -]{3,10}$/, { message: 'must be a postal code such as 411001' })
  zip_code?: string;

  @ApiPropertyOptional({ example: 'India', default: 'India' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(2, 100)
  country?: string;

  @ApiPropertyOptional({ example: 'Asia/Kolkata', default: 'Asia/Kolkata' })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;

  @ApiPropertyOptional({
    example: '123412341234',
    description: 'Stored; only the last 4 digits are ever returned.',
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.replace(/[\s-]/g, '') : value))
  @Matches(/^\d{12}$/, { message: 'must be a 12-digit Aadhaar number' })
  aadhar_number?: string;
}

export class LoginDto {
  @ApiProperty({ example: 'merchant123@example.com' })
  @Transform(email)
  @IsString()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'merchant123' })
  @IsString()
  @MaxLength(200)
  password: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from a login, register or earlier refresh.' })
  @IsString()
  @Length(10, 300)
  refresh_token: string;
}

export class ChangePasswordDto {
  @ApiProperty({ description: 'The password the account signs in with now.' })
  @IsString()
  @MaxLength(200)
  current_password: string;

  @ApiProperty({
    example: 'tea-stall-42-evenings',
    description: 'At least 8 characters (10 for admins), at most 72 bytes in UTF-8; not a common password.',
  })
  @IsString()
  @IsNewPassword()
  new_password: string;
}

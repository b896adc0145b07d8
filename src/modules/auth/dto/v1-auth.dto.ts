import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { LenientFields, v1Rule } from '../../../common/v1/v1.js';
import { LoginDto, RegisterMerchantDto, RegisterUserDto } from './register.dto.js';

/*
 * /api/v1 request bodies and queries: v2's rules (so both versions store the same data), with unknown
 * fields ignored and the original's optional `business_name`, email check at login and phone query
 * limits.
 */

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const EMAIL = v1Rule('value_error', 'value is not a valid email address: The email address is not valid.');

@LenientFields()
export class V1RegisterUserDto extends RegisterUserDto {}

@LenientFields()
export class V1RegisterMerchantDto extends OmitType(RegisterMerchantDto, ['business_name'] as const) {
  @ApiPropertyOptional({ example: 'Sharma Kirana Store', description: "Defaults to the owner's name." })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  business_name?: string;
}

@LenientFields()
export class V1LoginDto extends LoginDto {
  @ApiProperty({ example: 'merchant123@example.com' })
  @IsEmail({}, EMAIL)
  override email: string;
}

const PHONE_MIN = v1Rule('string_too_short', 'String should have at least 5 characters', { min_length: 5 });

@LenientFields()
export class V1PhoneLookupQueryDto {
  @ApiProperty({ example: '9876543210', description: 'The whole number; normalised as at registration.' })
  @IsString()
  @MinLength(5, PHONE_MIN)
  @MaxLength(32)
  phone: string;
}

@LenientFields()
export class V1PhoneSearchQueryDto {
  @ApiProperty({ example: '98765', description: 'At least 5 digits of the number.' })
  @IsString()
  @MinLength(5, PHONE_MIN)
  @MaxLength(32)
  phone: string;

  @ApiPropertyOptional({ default: 10, minimum: 1, maximum: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1, v1Rule('greater_than_equal', 'Input should be greater than or equal to 1', { ge: 1 }))
  @Max(50, v1Rule('less_than_equal', 'Input should be less than or equal to 50', { le: 50 }))
  limit?: number;
}

import { ApiProperty } from '@nestjs/swagger';
import type { Role } from '../../../common/auth/role.js';
import { v1Instant } from '../../../common/v1/v1.js';
import type { MerchantProfileDto } from '../../merchants/dto/merchant-profile.dto.js';
import type { CustomerMatch, UserProfileDto } from '../../users/dto/user-profile.dto.js';
import type { TokenResponseDto } from './token-response.dto.js';

/** The original API's token answer (no refresh token: it had none). */
export class V1TokenDto {
  @ApiProperty() access_token: string;
  @ApiProperty({ example: 'bearer' }) token_type: 'bearer';
  @ApiProperty({ enum: ['merchant', 'user'] }) user_type: Role;
  @ApiProperty() user_id: number;
  @ApiProperty({ example: 1800 }) expires_in: number;
}

export class V1MerchantProfileDto {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty() phone: string;
  @ApiProperty({ example: '********1234', description: 'Masked: only the last 4 digits are shown.' })
  aadhar_number: string;
  @ApiProperty({ nullable: true, type: String }) business_name: string | null;
  @ApiProperty({ nullable: true, type: String }) city: string | null;
  @ApiProperty({ nullable: true, type: String }) state: string | null;
  @ApiProperty({ nullable: true, type: String }) zip_code: string | null;
  @ApiProperty({ nullable: true, type: String }) country: string | null;
  @ApiProperty({ nullable: true, type: String }) business_type: string | null;
  @ApiProperty({ example: 'merchant' }) user_type: 'merchant';
  @ApiProperty({ example: '2026-11-24T03:18:56.000Z' }) created_at: string;
}

export class V1UserProfileDto {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty() phone: string;
  @ApiProperty({ example: 'user' }) user_type: 'user';
  @ApiProperty({ example: '2026-11-24T03:18:56.000Z' }) created_at: string;
}

/** A customer found by phone: `email` is always null and the phone masked (personal data). */
export class V1CustomerDto {
  @ApiProperty() id: number;
  @ApiProperty({ example: 'Priya S.' }) name: string;
  @ApiProperty({ nullable: true, type: String, example: null }) email: null;
  @ApiProperty({ example: '+********3210' }) phone: string;
}

export function toV1Token(t: TokenResponseDto): V1TokenDto {
  return {
    access_token: t.access_token,
    token_type: t.token_type,
    user_type: t.user_type,
    user_id: t.user_id,
    expires_in: t.expires_in,
  };
}

export function toV1MerchantProfile(p: MerchantProfileDto): V1MerchantProfileDto {
  return {
    id: p.id,
    name: p.name,
    email: p.email,
    phone: p.phone,
    // Never the whole number; a merchant registered without one gets an empty string (the PWA slices it).
    aadhar_number: p.aadhar_last_4 ? `********${p.aadhar_last_4}` : '',
    business_name: p.business_name,
    city: p.city,
    state: p.state,
    zip_code: p.zip_code,
    country: p.country,
    business_type: p.business_type,
    user_type: 'merchant',
    created_at: v1Instant(p.created_at),
  };
}

export function toV1UserProfile(p: UserProfileDto): V1UserProfileDto {
  return {
    id: p.id,
    name: p.name,
    email: p.email,
    phone: p.phone,
    user_type: 'user',
    created_at: v1Instant(p.created_at),
  };
}

export function toV1Customer(c: CustomerMatch): V1CustomerDto {
  return { id: c.id, name: c.name, email: null, phone: c.phone_masked };
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, MaxLength, Min } from 'class-validator';
import { IsAccountEmail, IsNewPassword } from '../../../common/auth/credential-rules.js';
import { STAFF_ROLES, type StaffRole } from '../../../common/auth/role.js';
import { normalizeEmail } from '../../../common/http/email.js';
import { IsPhone, normalizePhone } from '../../../common/http/phone.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class InviteStaffDto {
  @ApiProperty({ example: 'Ravi Kumar' })
  @Transform(trim)
  @IsString()
  @Length(1, 120)
  name: string;

  @ApiPropertyOptional({ example: '+919876543210', description: 'Phone or email (or both) is required.' })
  @IsOptional()
  @IsPhone()
  phone?: string;

  @ApiPropertyOptional({ example: 'ravi@example.com', description: 'Stored NFKC-normalised, in lower case.' })
  @IsOptional()
  @IsAccountEmail()
  email?: string;

  @ApiProperty({
    enum: STAFF_ROLES,
    description: 'cashier: sales, payments, customers, today; manager: all but staff and the shop profile.',
  })
  @IsIn(STAFF_ROLES)
  role: StaffRole;
}

export class UpdateStaffDto {
  @ApiPropertyOptional({ enum: STAFF_ROLES, description: 'A new role ends the member’s sessions.' })
  @IsOptional()
  @IsIn(STAFF_ROLES)
  role?: StaffRole;

  @ApiPropertyOptional({ description: 'false disables the member at once (their next request is 401).' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class AcceptInvitationDto {
  @ApiProperty({
    example: 'K7QX-M2PD-9WFA-HT3C',
    description: 'The code from the invitation (dashes and case do not matter).',
  })
  @IsString()
  @Length(8, 64)
  code: string;

  @ApiProperty({
    example: 'counter-till-4821',
    minLength: 8,
    description:
      'The staff member’s own password: at least 8 characters, at most 72 bytes; not a common one.',
  })
  @IsString()
  @IsNewPassword()
  password: string;
}

export class StaffLoginDto {
  @ApiPropertyOptional({ example: '+919876543210', description: 'Phone or email.' })
  @IsOptional()
  @Transform(({ value }) => normalizePhone(value))
  @IsString()
  @MaxLength(32)
  phone?: string;

  @ApiPropertyOptional({ example: 'ravi@example.com', description: 'Phone or email.' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? normalizeEmail(value) : value))
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiProperty({ example: 'counter-till-4821' })
  @IsString()
  @MaxLength(200)
  password: string;

  @ApiPropertyOptional({
    description: 'The shop to sign in to, when the person is staff of several (409 lists the choices).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  merchant_id?: number;
}

export class StaffDto {
  @ApiProperty() id: number;
  @ApiProperty() merchant_id: number;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) phone: string | null;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ enum: STAFF_ROLES }) role: StaffRole;
  @ApiProperty({ description: 'false once disabled.' }) active: boolean;
  @ApiProperty({
    enum: ['invited', 'active', 'disabled'],
    description: 'invited: has not accepted yet; active: signs in; disabled: cannot sign in.',
  })
  status: 'invited' | 'active' | 'disabled';
  @ApiProperty() invited_at: string;
  @ApiProperty({ nullable: true, type: String, description: 'When the open invitation stops working.' })
  invitation_expires_at: string | null;
  @ApiProperty({ nullable: true, type: String }) accepted_at: string | null;
  @ApiProperty({ nullable: true, type: String }) disabled_at: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The staff member who invited; null: the owner.',
  })
  created_by: number | null;
}

export class StaffInvitationDto {
  @ApiProperty({ type: StaffDto }) staff: StaffDto;
  @ApiProperty({
    example: 'K7QX-M2PD-9WFA-HT3C',
    description: 'One-time code for the staff member to accept with; shown only now (only its hash is kept).',
  })
  invitation_code: string;
  @ApiProperty() invitation_expires_at: string;
}

export class StaffProfileDto extends StaffDto {
  @ApiProperty() business_name: string;
}

export class ShopChoiceDto {
  @ApiProperty() merchant_id: number;
  @ApiProperty() business_name: string;
}

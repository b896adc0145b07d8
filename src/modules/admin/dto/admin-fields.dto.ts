import { IntersectionType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean } from 'class-validator';
import { ADMIN_PASSWORD_MIN_CHARS, IsNewPassword } from '../../../common/auth/credential-rules.js';
import { RegisterMerchantDto, RegisterUserDto } from '../../auth/dto/register.dto.js';

/**
 * The rules of the panel's edit forms. Each is the registration DTO of the account (so an email edited
 * here is NFKC-normalised and refused as a look-alike, a phone becomes E.164, exactly as at sign-up),
 * plus the one field registration does not have: the account's on/off switch.
 */
class ActiveSwitch {
  /** The form sends "true" or "false". */
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  is_active: boolean;
}

export class MerchantFieldsDto extends IntersectionType(RegisterMerchantDto, ActiveSwitch) {}

export class CustomerFieldsDto extends IntersectionType(RegisterUserDto, ActiveSwitch) {}

/** An admin: a customer's name and email rules, and the admins' longer password minimum. */
export class AdminFieldsDto extends IntersectionType(
  PickType(RegisterUserDto, ['name', 'email'] as const),
  ActiveSwitch,
) {
  @IsNewPassword(ADMIN_PASSWORD_MIN_CHARS)
  password: string;
}

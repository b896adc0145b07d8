import { UnprocessableError } from '../errors/domain-error.js';
import type { PasswordService } from './password.service.js';
import { AuthErrorCode } from '../errors/error-codes.js';

/** What a profile update may change that signs the account in: only with the current password. */
interface IdentityChange {
  email?: string | null;
  phone?: string | null;
  current_password?: string | null;
}

/**
 * A new email or phone number takes over how the account signs in and is found, so it needs the
 * current password (someone at an unlocked phone must not take the account). Unchanged values need none.
 */
export async function assertIdentityChangeAllowed(
  passwords: PasswordService,
  current: { email: string; phone: string; passwordHash: string },
  change: IdentityChange,
): Promise<void> {
  const emailChanges = !!change.email && change.email.toLowerCase() !== current.email.toLowerCase();
  const phoneChanges = !!change.phone && change.phone !== current.phone;
  if (!emailChanges && !phoneChanges) return;
  if (!change.current_password)
    throw new UnprocessableError(
      AuthErrorCode.CurrentPasswordRequired,
      'current_password is required to change the email or phone number.',
      'current_password',
    );
  if (!(await passwords.compareOrBurn(change.current_password, current.passwordHash)))
    throw new UnprocessableError(
      AuthErrorCode.WrongPassword,
      'current_password is not the password of this account.',
      'current_password',
    );
}

import { Transform } from 'class-transformer';
import { IsEmail, MaxLength, ValidateBy } from 'class-validator';
import { normalizeEmail } from '../http/email.js';
import { isCommonPassword } from './common-passwords.js';

/** bcrypt reads at most 72 bytes of a password: anything after them would be silently ignored. */
const PASSWORD_MAX_BYTES = 72;
const PASSWORD_MIN_CHARS = 8;
/** Admins hold the keys to everything: a longer minimum than the accounts of the API. */
export const ADMIN_PASSWORD_MIN_CHARS = 10;

const SCRIPTS = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Thai',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
].map((name) => ({ name, pattern: new RegExp(`\\p{Script=${name}}`, 'u') }));

function scriptOf(letter: string): string {
  return SCRIPTS.find((s) => s.pattern.test(letter))?.name ?? 'Other';
}

/**
 * Whether some part of an email address (the local part, or one label of the domain) mixes letters of
 * several scripts, the mark of a look-alike such as a Cyrillic "а" inside a Latin address. An address
 * written wholly in one script (Latin, or Devanagari...) passes; digits and punctuation belong to none.
 */
function isMixedScript(email: string): boolean {
  return email.split(/[@.]/).some((part) => {
    const scripts = new Set([...part].filter((c) => /\p{L}/u.test(c)).map(scriptOf));
    return scripts.size > 1;
  });
}

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, minChars = PASSWORD_MIN_CHARS): string | undefined {
  if ([...password].length < minChars) return `must be at least ${minChars} characters`;
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES)
    return `must be at most ${PASSWORD_MAX_BYTES} bytes (UTF-8)`;
  if (isCommonPassword(password)) return 'is too common; choose a password that is harder to guess';
  return undefined;
}

/** A new account's email: NFKC-normalised and lower-cased, valid, and not a mixed-script look-alike. */
export function IsAccountEmail(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    Transform(({ value }) => (typeof value === 'string' ? normalizeEmail(value) : value))(target, key);
    IsEmail({}, { message: 'must be a valid email address' })(target, key);
    MaxLength(254)(target, key);
    ValidateBy(
      {
        name: 'singleScriptEmail',
        validator: { validate: (value) => typeof value === 'string' && !isMixedScript(value) },
      },
      { message: 'mixes letters of several alphabets; please type it in one' },
    )(target, key);
  };
}

/**
 * A new password: `minChars` characters (8; admins 10) to 72 UTF-8 bytes, and not on the list of
 * common passwords. The one password rule of registration, password changes and the admin panel.
 */
export function IsNewPassword(minChars = PASSWORD_MIN_CHARS): PropertyDecorator {
  return ValidateBy(
    {
      name: 'newPassword',
      validator: {
        validate: (value) => typeof value === 'string' && passwordProblem(value, minChars) === undefined,
        defaultMessage: (args) =>
          typeof args?.value === 'string' ? passwordProblem(args.value, minChars)! : 'must be a string',
      },
    },
    {},
  );
}

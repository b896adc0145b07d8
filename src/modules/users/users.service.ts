import { Injectable } from '@nestjs/common';
import { assertIdentityChangeAllowed } from '../../common/auth/identity-change.js';
import { PasswordService } from '../../common/auth/password.service.js';
import type { Principal } from '../../common/auth/role.js';
import { ConflictError, DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { mapUniqueViolation } from '../../common/errors/pg-error.js';
import { lastDigits, maskPhone, normalizePhone } from '../../common/http/phone.js';
import type { RegisterUserDto } from '../auth/dto/register.dto.js';
import type { UpdateUserProfileDto } from '../auth/dto/update-profile.dto.js';
import { CustomerMatch, UserLookupDto, UserProfileDto } from './dto/user-profile.dto.js';
import { User } from './entities/user.entity.js';
import { UsersRepository } from './users.repository.js';
import { AuthErrorCode, UserErrorCode } from '../../common/errors/error-codes.js';

const emailTaken = () =>
  new ConflictError(AuthErrorCode.EmailTaken, 'A user with this email is already registered.');
const phoneTaken = () =>
  new ConflictError(AuthErrorCode.PhoneTaken, 'A user with this phone number is already registered.');
/** The fewest digits a partial phone search takes: fewer would list too many customers. */
const MIN_SEARCH_DIGITS = 5;

/** "Priya Sharma" → "Priya S.": enough to confirm the right customer at the counter, no more. */
function shortName(name: string): string {
  const words = name.trim().split(/\s+/);
  return words.length > 1 ? `${words[0]} ${words[words.length - 1][0]}.` : words[0];
}

function toMatch(user: Pick<User, 'id' | 'name' | 'phone'>, fullName: boolean): CustomerMatch {
  return {
    id: user.id,
    name: fullName ? user.name : shortName(user.name),
    phone_masked: maskPhone(user.phone),
  };
}

/** The original API answered either duplicate at registration with one 400. */
const V1_TAKEN = 'User with this email or phone already exists';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordService,
  ) {}

  /** Registers a customer; a taken email or phone is a 409. */
  async register(dto: RegisterUserDto): Promise<User> {
    const taken = await this.users.taken(dto.email, dto.phone);
    if (taken.email) throw emailTaken().inV1(V1_TAKEN, 400);
    if (taken.phone) throw phoneTaken().inV1(V1_TAKEN, 400);
    const passwordHash = await this.passwords.hash(dto.password);
    return mapUniqueViolation(
      () =>
        this.users.insert({
          name: dto.name,
          email: dto.email,
          phone: dto.phone,
          passwordHash,
          address: dto.address ?? null,
          city: dto.city ?? null,
          state: dto.state ?? null,
        }),
      {
        users_email_key: () => emailTaken().inV1(V1_TAKEN, 400),
        users_phone_key: () => phoneTaken().inV1(V1_TAKEN, 400),
      },
    );
  }

  /**
   * Changes the customer's profile fields; a new email or phone needs the current password, and one
   * another customer has is a 409. Returns the updated profile.
   */
  async updateProfile(id: number, dto: UpdateUserProfileDto): Promise<UserProfileDto> {
    const current = await this.users.findByIdWithSecrets(id);
    if (!current) throw new NotFoundError('User');
    await assertIdentityChangeAllowed(this.passwords, current, dto);
    const taken = await this.users.taken(dto.email ?? '', dto.phone ?? '', id);
    if (dto.email && taken.email) throw emailTaken();
    if (dto.phone && taken.phone) throw phoneTaken();
    await mapUniqueViolation(
      () =>
        this.users.update(id, {
          name: dto.name ?? undefined,
          email: dto.email ?? undefined,
          phone: dto.phone ?? undefined,
          address: dto.address,
          city: dto.city,
          state: dto.state,
          preferredLanguage: dto.preferred_language,
          timezone: dto.timezone,
        }),
      { users_email_key: emailTaken, users_phone_key: phoneTaken },
    );
    return this.profile(id);
  }

  async profile(id: number): Promise<UserProfileDto> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundError('User');
    return {
      id: user.id,
      name: user.name,
      email: user.email,
      phone: user.phone,
      address: user.address,
      city: user.city,
      state: user.state,
      preferred_language: user.preferredLanguage,
      timezone: user.timezone,
      is_active: user.isActive,
      created_at: user.createdAt.toISOString(),
      user_type: 'user',
    };
  }

  /**
   * Finds a customer by phone so a merchant can bill them. Only the name and the last 4 digits are
   * returned: a merchant learns no more than the customer already told them at the counter. A
   * customer who has blocked this merchant is not found.
   */
  async lookupByPhone(phone: string, merchantId: number): Promise<UserLookupDto> {
    const user = await this.users.findBillableByPhone(phone, merchantId);
    if (!user) throw new NotFoundError('User', 'No customer is registered with this phone number.');
    return { id: user.id, name: user.name, phone_last_4: lastDigits(user.phone) };
  }

  /**
   * The customer with exactly this phone number (normalised as at registration), for a till that
   * bills them. Anyone may ask (the original PWA asks without a token), so the answer is only the id,
   * the first name and last initial, and a masked phone; a merchant gets the full name.
   */
  async findCustomerByPhone(phone: string, viewer: Principal | undefined): Promise<CustomerMatch> {
    const normalised = String(normalizePhone(phone));
    // A merchant the customer has blocked finds nobody, exactly as for an unknown number.
    const user =
      viewer?.role === 'merchant'
        ? await this.users.findBillableByPhone(normalised, viewer.id)
        : await this.users.findByPhone(normalised).then((u) => (u?.isActive ? u : undefined));
    if (!user)
      throw new NotFoundError('User', 'No customer is registered with this phone number.').inV1(
        'User not found',
      );
    return toMatch(user, viewer?.role === 'merchant');
  }

  /**
   * Customers whose phone number contains these digits (at least 5), short names and masked phones
   * only; never those who have blocked the asking merchant.
   */
  async searchCustomersByPhone(partial: string, limit: number, merchantId: number): Promise<CustomerMatch[]> {
    const digits = partial.replace(/\D/g, '');
    if (digits.length < MIN_SEARCH_DIGITS)
      throw new DomainError(
        UserErrorCode.PhoneTooShort,
        `Enter at least ${MIN_SEARCH_DIGITS} digits of the phone number.`,
      ).inV1('Phone number must be at least 5 digits');
    const users = await this.users.searchByPhoneDigits(digits, limit, merchantId);
    return users.map((u) => toMatch(u, false));
  }
}

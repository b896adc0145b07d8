import { Injectable } from '@nestjs/common';
import { PasswordService } from '../../common/auth/password.service.js';
import { ConflictError, NotFoundError } from '../../common/errors/domain-error.js';
import { mapUniqueViolation } from '../../common/errors/pg-error.js';
import { lastDigits } from '../../common/http/phone.js';
import type { RegisterUserDto } from '../auth/dto/register.dto.js';
import { UserLookupDto, UserProfileDto } from './dto/user-profile.dto.js';
import { User } from './entities/user.entity.js';
import { UsersRepository } from './users.repository.js';

/** A customer as the merchant who billed them sees them. */
export interface BuyerContact {
  name: string;
  phone_last_4: string;
}

const emailTaken = () => new ConflictError('email-taken', 'A user with this email is already registered.');
const phoneTaken = () =>
  new ConflictError('phone-taken', 'A user with this phone number is already registered.');

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordService,
  ) {}

  /** Registers a customer; a taken email or phone is a 409. */
  async register(dto: RegisterUserDto): Promise<User> {
    const taken = await this.users.taken(dto.email, dto.phone);
    if (taken.email) throw emailTaken();
    if (taken.phone) throw phoneTaken();
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
      { users_email_key: emailTaken, users_phone_key: phoneTaken },
    );
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
      is_active: user.isActive,
      created_at: user.createdAt.toISOString(),
      user_type: 'user',
    };
  }

  /**
   * What a merchant may see of the customers on their own sales: the name and the last 4 digits of
   * the phone, never the email. Keyed by customer id; unknown ids are absent.
   */
  async buyerContacts(ids: Iterable<number>): Promise<Map<number, BuyerContact>> {
    const rows = await this.users.contacts([...new Set(ids)]);
    return new Map(rows.map((r) => [r.id, { name: r.name, phone_last_4: lastDigits(r.phone) }]));
  }

  /**
   * Finds a customer by phone so a merchant can bill them. Only the name and the last 4 digits are
   * returned: a merchant learns no more than the customer already told them at the counter.
   */
  async lookupByPhone(phone: string): Promise<UserLookupDto> {
    const user = await this.users.findByPhone(phone);
    if (!user || !user.isActive)
      throw new NotFoundError('User', 'No customer is registered with this phone number.');
    return { id: user.id, name: user.name, phone_last_4: lastDigits(user.phone) };
  }
}

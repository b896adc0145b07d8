import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PasswordService } from '../../common/auth/password.service.js';
import { ConflictError, NotFoundError } from '../../common/errors/domain-error.js';
import { mapUniqueViolation } from '../../common/errors/pg-error.js';
import { DEFAULT_TIME_ZONE } from '../../common/time/time-zone.js';
import type { RegisterMerchantDto } from '../auth/dto/register.dto.js';
import { TransactionTableFactory } from '../transactions/transaction-table.factory.js';
import { MerchantProfileDto } from './dto/merchant-profile.dto.js';
import { Merchant } from './entities/merchant.entity.js';
import { MerchantsRepository } from './merchants.repository.js';

const emailTaken = () =>
  new ConflictError('email-taken', 'A merchant with this email is already registered.');
const phoneTaken = () =>
  new ConflictError('phone-taken', 'A merchant with this phone number is already registered.');

@Injectable()
export class MerchantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly merchants: MerchantsRepository,
    private readonly tables: TransactionTableFactory,
    private readonly passwords: PasswordService,
  ) {}

  /**
   * Registers a merchant and provisions their table `transaction_<id>` in one database transaction:
   * a merchant never exists without a table. A taken email or phone is a 409.
   */
  async register(dto: RegisterMerchantDto): Promise<Merchant> {
    const taken = await this.merchants.taken(dto.email, dto.phone);
    if (taken.email) throw emailTaken();
    if (taken.phone) throw phoneTaken();
    const passwordHash = await this.passwords.hash(dto.password);
    return mapUniqueViolation(
      () =>
        this.dataSource.transaction(async (manager) => {
          await this.tables.lock(manager);
          const merchant = await this.merchants.insert(manager, {
            name: dto.name,
            email: dto.email,
            phone: dto.phone,
            passwordHash,
            businessName: dto.business_name,
            businessType: dto.business_type ?? null,
            address: dto.address ?? null,
            city: dto.city ?? null,
            state: dto.state ?? null,
            zipCode: dto.zip_code ?? null,
            country: dto.country ?? 'India',
            timezone: dto.timezone ?? DEFAULT_TIME_ZONE,
            aadharNumber: dto.aadhar_number ?? null,
          });
          await this.tables.provision(manager, merchant.id);
          return merchant;
        }),
      { merchants_email_key: emailTaken, merchants_phone_key: phoneTaken },
    );
  }

  /** The merchant's own profile; the Aadhaar number appears only as its last 4 digits. */
  async profile(id: number): Promise<MerchantProfileDto> {
    const merchant = await this.merchants.findByIdWithAadhar(id);
    if (!merchant) throw new NotFoundError('Merchant');
    return toProfile(merchant);
  }
}

function toProfile(m: Merchant): MerchantProfileDto {
  return {
    id: m.id,
    name: m.name,
    email: m.email,
    phone: m.phone,
    business_name: m.businessName,
    business_type: m.businessType,
    address: m.address,
    city: m.city,
    state: m.state,
    zip_code: m.zipCode,
    country: m.country,
    timezone: m.timezone,
    aadhar_last_4: m.aadharNumber ? m.aadharNumber.slice(-4) : null,
    is_active: m.isActive,
    created_at: m.createdAt.toISOString(),
    user_type: 'merchant',
  };
}

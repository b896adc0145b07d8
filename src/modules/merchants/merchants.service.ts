import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { assertIdentityChangeAllowed } from '../../common/auth/identity-change.js';
import { PasswordService } from '../../common/auth/password.service.js';
import { ConflictError, NotFoundError } from '../../common/errors/domain-error.js';
import { mapUniqueViolation } from '../../common/errors/pg-error.js';
import { DEFAULT_TIME_ZONE } from '../../common/time/time-zone.js';
import type { RegisterMerchantDto } from '../auth/dto/register.dto.js';
import type { UpdateMerchantProfileDto } from '../auth/dto/update-profile.dto.js';
import { TransactionTableFactory } from '../transactions/transaction-table.factory.js';
import { MerchantProfileDto } from './dto/merchant-profile.dto.js';
import { Merchant } from './entities/merchant.entity.js';
import { MerchantsRepository } from './merchants.repository.js';
import { AuthErrorCode } from '../../common/errors/error-codes.js';

const emailTaken = () =>
  new ConflictError(AuthErrorCode.EmailTaken, 'A merchant with this email is already registered.');
const phoneTaken = () =>
  new ConflictError(AuthErrorCode.PhoneTaken, 'A merchant with this phone number is already registered.');
/** The original API answered either duplicate at registration with one 400. */
const V1_TAKEN = 'Merchant with this email or phone already exists';

/** A shop's public face, for receipts, statements and UPI links. */
export interface ShopCard {
  id: number;
  business_name: string;
  phone: string;
  address: string | null;
  city: string | null;
  state: string | null;
  zip_code: string | null;
  country: string;
  timezone: string;
  upi_vpa: string | null;
  upi_payee_name: string | null;
}

/** What registration needs; `business_name` may be left out (the original API allowed it). */
export type NewMerchantRegistration = Omit<RegisterMerchantDto, 'business_name'> & { business_name?: string };

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
   * a merchant never exists without a table. A taken email or phone is a 409. Without a business
   * name, the shop goes by the owner's name (what the original PWA showed in that case).
   */
  async register(dto: NewMerchantRegistration): Promise<Merchant> {
    const taken = await this.merchants.taken(dto.email, dto.phone);
    if (taken.email) throw emailTaken().inV1(V1_TAKEN, 400);
    if (taken.phone) throw phoneTaken().inV1(V1_TAKEN, 400);
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
            businessName: dto.business_name ?? dto.name,
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
      {
        merchants_email_key: () => emailTaken().inV1(V1_TAKEN, 400),
        merchants_phone_key: () => phoneTaken().inV1(V1_TAKEN, 400),
      },
    );
  }

  /**
   * Changes the merchant's profile fields; a new email or phone needs the current password, and one
   * another merchant has is a 409. Returns the updated profile.
   */
  async updateProfile(id: number, dto: UpdateMerchantProfileDto): Promise<MerchantProfileDto> {
    const current = await this.merchants.findByIdWithSecrets(id);
    if (!current) throw new NotFoundError('Merchant');
    await assertIdentityChangeAllowed(this.passwords, current, dto);
    const taken = await this.merchants.taken(dto.email ?? '', dto.phone ?? '', id);
    if (dto.email && taken.email) throw emailTaken();
    if (dto.phone && taken.phone) throw phoneTaken();
    await mapUniqueViolation(
      () =>
        this.merchants.update(id, {
          name: dto.name ?? undefined,
          email: dto.email ?? undefined,
          phone: dto.phone ?? undefined,
          businessName: dto.business_name ?? undefined,
          businessType: dto.business_type,
          address: dto.address,
          city: dto.city,
          state: dto.state,
          zipCode: dto.zip_code,
          country: dto.country ?? undefined,
          timezone: dto.timezone ?? undefined,
          upiVpa: dto.upi_vpa,
          upiPayeeName: dto.upi_payee_name,
        }),
      { merchants_email_key: emailTaken, merchants_phone_key: phoneTaken },
    );
    return this.profile(id);
  }

  /**
   * The shop as its receipts and payment links show it: name, contact, address, zone and UPI payee.
   * Only what a buyer may see (no Aadhaar, no email), so it may be used on the customer's side too.
   */
  async shop(id: number): Promise<ShopCard> {
    const m = await this.merchants.findShop(id);
    if (!m) throw new NotFoundError('Merchant');
    return {
      id: m.id,
      business_name: m.businessName,
      phone: m.phone,
      address: m.address,
      city: m.city,
      state: m.state,
      zip_code: m.zipCode,
      country: m.country,
      timezone: m.timezone,
      upi_vpa: m.upiVpa,
      upi_payee_name: m.upiPayeeName,
    };
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
    upi_vpa: m.upiVpa,
    upi_payee_name: m.upiPayeeName,
    is_active: m.isActive,
    created_at: m.createdAt.toISOString(),
    user_type: 'merchant',
  };
}

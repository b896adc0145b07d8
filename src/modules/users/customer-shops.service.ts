import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/domain-error.js';
import { CustomerShopDto, CustomerShopsResponseDto, ShopAccountDto } from './dto/customer-shop.dto.js';
import { paiseToRupees } from '../../common/money/money.js';
import {
  CustomerShopsRepository,
  type CustomerShopRow,
  type ShopBalanceRow,
  type ShopRelation,
} from './customer-shops.repository.js';

/** A customer's choices about the shops that bill them: confirm a new shop, block one, unblock it. */
@Injectable()
export class CustomerShopsService {
  constructor(private readonly shops: CustomerShopsRepository) {}

  /** Every shop that has billed the customer, with the customer's relation to it. */
  async list(userId: number): Promise<CustomerShopsResponseDto> {
    const rows = await this.shops.listForCustomer(userId);
    return { pending_count: rows.filter((r) => r.relation === 'pending').length, shops: rows.map(toDto) };
  }

  /** Confirms a shop: its bills count in the customer's totals from now on. */
  accept(userId: number, merchantId: number): Promise<CustomerShopDto> {
    return this.set(userId, merchantId, 'accepted');
  }

  /** Blocks a shop: it can no longer bill the customer and its entries leave the customer's views. */
  block(userId: number, merchantId: number): Promise<CustomerShopDto> {
    return this.set(userId, merchantId, 'blocked');
  }

  /**
   * Unblocks a shop. It comes back as `pending`, not `accepted`: its entries reappear flagged as
   * unconfirmed until the customer confirms it again.
   */
  async unblock(userId: number, merchantId: number): Promise<CustomerShopDto> {
    const current = await this.shops.relation(userId, merchantId);
    if (current === undefined) throw shopNotFound();
    if (current !== 'blocked') return this.set(userId, merchantId, current);
    return this.set(userId, merchantId, 'pending');
  }

  private async set(userId: number, merchantId: number, relation: ShopRelation): Promise<CustomerShopDto> {
    const row = await this.shops.setRelation(userId, merchantId, relation);
    if (!row) throw shopNotFound();
    return toDto(row);
  }
}

const shopNotFound = () => new NotFoundError('Shop', 'This shop has never billed you.');

function toDto(r: CustomerShopRow & Partial<ShopBalanceRow>): CustomerShopDto {
  return {
    merchant_id: r.merchant_id,
    business_name: r.business_name,
    business_type: r.business_type,
    city: r.city,
    relation: r.relation,
    first_transaction_at: r.first_transaction_at.toISOString(),
    last_transaction_at: r.last_transaction_at.toISOString(),
    relation_changed_at: r.relation_changed_at ? r.relation_changed_at.toISOString() : null,
    ...(r.account_id !== undefined ? { account: toBalance(r) } : {}),
  };
}

function toBalance(r: Partial<ShopBalanceRow>): ShopAccountDto | null {
  if (r.account_id == null) return null;
  const due = Number(r.due_paise);
  const advance = Number(r.advance_paise);
  return {
    id: Number(r.account_id),
    due: paiseToRupees(due),
    due_paise: due,
    advance: paiseToRupees(advance),
    advance_paise: advance,
    balance: paiseToRupees(due - advance),
    balance_paise: due - advance,
  };
}

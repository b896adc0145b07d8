import { Injectable } from '@nestjs/common';
import { paiseToRupees } from '../../common/money/money.js';
import { WriteLimits } from '../../common/rate-limit/write-limits.js';
import type { GuestListQueryDto, GuestUserDto, GuestUserWithTransactionDto } from './dto/guest-user.dto.js';
import { GuestsRepository, type GuestRow } from './guests.repository.js';

function toGuest(row: GuestRow): GuestUserDto {
  const created = row.created_at.toISOString();
  return {
    id: row.id,
    merchant_id: row.merchant_id,
    transaction_id: row.transaction_id === null ? null : Number(row.transaction_id),
    created_at: created,
    timestamp: created,
  };
}

@Injectable()
export class GuestsService {
  constructor(
    private readonly guests: GuestsRepository,
    private readonly writeLimits: WriteLimits,
  ) {}

  /** An unused guest of this merchant, to bind to a later sale with `guest_user_id`. */
  async create(merchantId: number): Promise<GuestUserDto> {
    await this.writeLimits.merchantWrite(merchantId);
    return toGuest(await this.guests.createUnused(merchantId));
  }

  /** The merchant's guests with their transaction's amount, type, description, date and payment method. */
  async list(merchantId: number, query: GuestListQueryDto): Promise<GuestUserWithTransactionDto[]> {
    return this.withTransactions(
      await this.guests.listForMerchant(merchantId, query.limit ?? 100, query.offset ?? 0),
    );
  }

  /** Every guest sale of the merchant, newest first (guests not yet bound to a sale left out). */
  async listSales(merchantId: number): Promise<GuestUserWithTransactionDto[]> {
    return this.withTransactions(await this.guests.listForMerchant(merchantId, null, 0, true));
  }

  private withTransactions(rows: GuestRow[]): GuestUserWithTransactionDto[] {
    return rows.map((row) => ({
      ...toGuest(row),
      amount: row.amount_paise === null ? null : paiseToRupees(row.amount_paise),
      amount_paise: row.amount_paise === null ? null : Number(row.amount_paise),
      type: row.type,
      status: row.status,
      description: row.description,
      payment_method: row.payment_method,
      transaction_date: row.occurred_at ? row.occurred_at.toISOString() : null,
    }));
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TransactionsRepository, type GuestRow } from '../transactions/transactions.repository.js';

export type { GuestRow };

/** SQL for `guest_users` outside a sale; the guests' sales are read through TransactionsRepository. */
@Injectable()
export class GuestsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionsRepository,
  ) {}

  async createUnused(merchantId: number): Promise<GuestRow> {
    const rows: GuestRow[] = await this.dataSource.query(
      `INSERT INTO guest_users (merchant_id) VALUES ($1) RETURNING id, merchant_id, transaction_id, created_at`,
      [merchantId],
    );
    return rows[0];
  }

  /**
   * The merchant's guests, newest first, each with its transaction's fields (read from their own
   * table). `withSaleOnly` leaves out guests not yet bound to a sale; a null `limit` means all.
   */
  listForMerchant(
    merchantId: number,
    limit: number | null,
    offset: number,
    withSaleOnly = false,
  ): Promise<GuestRow[]> {
    return this.transactions.guestsForMerchant(merchantId, limit, offset, withSaleOnly);
  }
}

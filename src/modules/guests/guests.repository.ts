import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TransactionTableFactory } from '../transactions/transaction-table.factory.js';

export interface GuestRow {
  id: number;
  merchant_id: number;
  transaction_id: string | null;
  created_at: Date;
  amount_paise: string | null;
  type: string | null;
  status: string | null;
  description: string | null;
  payment_method: string | null;
  occurred_at: Date | null;
}

/** The only code that writes SQL for `guest_users` outside a sale. */
@Injectable()
export class GuestsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
    const table = TransactionTableFactory.quotedTableName(merchantId);
    return this.dataSource.query(
      `SELECT g.id, g.merchant_id, g.transaction_id, g.created_at, t.amount_paise, t.type, t.status,
              t.description, t.payment_method, t.occurred_at
         FROM guest_users g ${withSaleOnly ? 'JOIN' : 'LEFT JOIN'} ${table} t ON t.id = g.transaction_id
        WHERE g.merchant_id = $1
        ORDER BY g.created_at DESC, g.id DESC LIMIT $2 OFFSET $3`,
      [merchantId, limit, offset],
    );
  }
}

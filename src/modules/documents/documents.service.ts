import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { Principal } from '../../common/auth/role.js';
import { MerchantsService } from '../merchants/merchants.service.js';
import { TransactionsService } from '../transactions/transactions.service.js';
import type { TransactionRow } from '../transactions/transactions.repository.js';
import { qrCode } from '../upi/qr.js';
import { UpiService } from '../upi/upi.service.js';
import { renderReceipt, type ReceiptItem } from './receipt.pdf.js';

/** A rendered document and the file name it is served under. */
export interface PdfFile {
  stream: Readable;
  filename: string;
}

/** The calculator's items, on sales that carry them. */
type SaleRow = TransactionRow & { items?: ReceiptItem[] | null };

@Injectable()
export class DocumentsService {
  constructor(
    private readonly transactions: TransactionsService,
    private readonly merchants: MerchantsService,
    private readonly upi: UpiService,
  ) {}

  /**
   * A sale's receipt as PDF, for the merchant who recorded it or the customer who bought (404 for
   * anyone else): the shop, the date in the shop's zone, items when the sale has them, total, paid and
   * due, and the UPI QR code while something is due and the shop has a UPI address.
   */
  async receipt(principal: Principal, transactionId: number): Promise<PdfFile> {
    const sale: SaleRow = await this.transactions.findRow(principal, transactionId);
    const [shop, buyers, upi] = await Promise.all([
      this.merchants.shop(sale.merchant_id),
      sale.user_id === null
        ? new Map<number, { name: string }>()
        : this.transactions.buyersOf([sale.user_id]),
      this.upi.optionalForBill(principal, transactionId),
    ]);
    const id = Number(sale.id);
    const stream = renderReceipt({
      shop,
      sale: {
        id,
        occurred_at: sale.occurred_at,
        description: sale.description,
        amount_paise: Number(sale.amount_paise),
        paid_paise: Number(sale.paid_paise),
        payment_method: sale.payment_method,
        items: sale.items ?? undefined,
      },
      customer: sale.user_id === null ? null : (buyers.get(sale.user_id)?.name ?? null),
      upi: upi && {
        qr_png: await qrCode(upi.link, 'png'),
        amount_paise: upi.amount_paise,
        vpa: upi.payee_vpa,
        reference: upi.reference,
      },
    });
    return { stream, filename: `receipt-${id}.pdf` };
  }
}

import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { Principal } from '../../common/auth/role.js';
import { UnprocessableError } from '../../common/errors/domain-error.js';
import { TransactionErrorCode } from '../../common/errors/error-codes.js';
import { parseInstant } from '../../common/time/instant.js';
import {
  AccountsService,
  type Account,
  type Ledger,
  type LedgerEntry,
  type LedgerQuery,
} from '../khata/accounts.service.js';
import { MerchantsService } from '../merchants/merchants.service.js';
import { TransactionsService } from '../transactions/transactions.service.js';
import type { TransactionRow } from '../transactions/transactions.repository.js';
import { qrCode } from '../upi/qr.js';
import { UpiService } from '../upi/upi.service.js';
import { renderReceipt, type ReceiptItem } from './receipt.pdf.js';
import { renderStatement, type StatementEntry, type StatementMonth } from './statement.pdf.js';
import { localMonth, monthStartsBefore } from './months.js';

/** The most entries one statement lists: beyond, ask for a shorter period. */
export const MAX_STATEMENT_ENTRIES = 5_000;
const PAGE = 500;

/** The period of a statement, as the query gives it. */
export interface StatementQuery {
  from?: string;
  to?: string;
}

/** Reads one page of an account's ledger. */
type LedgerReader = (query: LedgerQuery) => Promise<Ledger>;

const ENTRY_TEXT: Record<LedgerEntry['kind'], string> = {
  sale_credit: 'Credit sale',
  sale_paid: 'Sale, paid at once',
  payment: 'Payment',
  void: 'Voided sale',
  payment_reversal: 'Payment reversed',
};

function entryText(e: LedgerEntry): string {
  const bill = e.transaction_id ? `, bill ${e.transaction_id}` : '';
  return `${ENTRY_TEXT[e.kind]}${bill}${e.description ? ` — ${e.description}` : ''}`;
}

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
    private readonly accounts: AccountsService,
  ) {}

  /**
   * A customer account's statement as PDF, for its merchant: the ledger over [from, to) with the running
   * balance, the opening and closing balances, and the last six months' credit and payments.
   */
  async statement(merchantId: number, accountId: number, query: StatementQuery): Promise<PdfFile> {
    const account = await this.accounts.forMerchant(merchantId, accountId);
    return this.renderStatementOf(account, query, (q) => this.accounts.ledger(merchantId, accountId, q));
  }

  /** The customer's own statement at a shop (404 when they have no account there). */
  async myStatement(userId: number, merchantId: number, query: StatementQuery): Promise<PdfFile> {
    const account = await this.accounts.forCustomer(userId, merchantId);
    return this.renderStatementOf(account, query, (q) => this.accounts.customerLedger(userId, merchantId, q));
  }

  private async renderStatementOf(
    account: Account,
    query: StatementQuery,
    read: LedgerReader,
  ): Promise<PdfFile> {
    const from = parseInstant(query.from);
    const to = parseInstant(query.to) ?? new Date();
    if (from && from >= to)
      throw new UnprocessableError(TransactionErrorCode.InvalidRange, '`from` must be before `to`.', 'from');
    const shop = await this.merchants.shop(account.merchant_id);
    const chartFrom = monthStartsBefore(to, shop.timezone, 6)[0];
    const [ledger, recent] = await Promise.all([
      this.readAll(read, { from, to }),
      this.readAll(read, { from: chartFrom, to }),
    ]);
    const stream = renderStatement({
      shop,
      customer: {
        name:
          account.name ?? (account.guest_user_id ? `Walk-in customer ${account.guest_user_id}` : 'Customer'),
        phone: account.phone,
      },
      from: from ?? null,
      to,
      opening_balance_paise: ledger.opening_balance_paise,
      closing_balance_paise: ledger.closing_balance_paise,
      entries: ledger.entries.map((e): StatementEntry => ({
        occurred_at: e.occurred_at,
        description: entryText(e),
        amount_paise: e.amount_paise,
        balance_paise: e.balance_paise,
      })),
      months: this.months(recent.entries, to, shop.timezone),
    });
    const day = (d: Date) => d.toISOString().slice(0, 10);
    return { stream, filename: `statement-${account.id}-${from ? `${day(from)}-to-` : 'to-'}${day(to)}.pdf` };
  }

  /** Every entry of the period, page by page; a period beyond MAX_STATEMENT_ENTRIES is a 422. */
  private async readAll(read: LedgerReader, period: { from?: Date; to: Date }): Promise<Ledger> {
    const first = await read({ ...period, limit: PAGE });
    const entries = [...first.entries];
    let cursor = first.next_cursor;
    while (cursor) {
      if (entries.length >= MAX_STATEMENT_ENTRIES)
        throw new UnprocessableError(
          TransactionErrorCode.RangeTooLong,
          `A statement lists at most ${MAX_STATEMENT_ENTRIES} entries; ask for a shorter period (from, to).`,
          'from',
        );
      const page = await read({ ...period, limit: PAGE, cursor });
      entries.push(...page.entries);
      cursor = page.next_cursor;
    }
    return { ...first, entries, next_cursor: null };
  }

  /** Credit given and payments received in each of the six local months up to `to`, oldest first. */
  private months(entries: LedgerEntry[], to: Date, zone: string): StatementMonth[] {
    const months = monthStartsBefore(to, zone, 6).map((start) => ({
      month: localMonth(start, zone),
      credit_paise: 0,
      payments_paise: 0,
    }));
    const byMonth = new Map(months.map((m) => [m.month, m]));
    for (const e of entries) {
      const m = byMonth.get(localMonth(e.occurred_at, zone));
      if (!m) continue;
      if (e.kind === 'sale_credit') m.credit_paise += e.amount_paise;
      else if (e.kind === 'payment') m.payments_paise -= e.amount_paise;
      else if (e.kind === 'payment_reversal') m.payments_paise -= e.amount_paise;
    }
    return months;
  }

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

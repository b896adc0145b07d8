import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/role.js';
import { ConflictError } from '../../common/errors/domain-error.js';
import { KhataErrorCode, UpiErrorCode } from '../../common/errors/error-codes.js';
import { paiseToRupees } from '../../common/money/money.js';
import { AccountsService, type Account } from '../khata/accounts.service.js';
import { MerchantsService, type ShopCard } from '../merchants/merchants.service.js';
import { TransactionsService } from '../transactions/transactions.service.js';
import { UpiPaymentDto } from './dto/upi-payment.dto.js';
import { qrCode, type QrFormat } from './qr.js';
import { accountReference, billReference, buildUpiLink, clip, MAX_NOTE, MAX_PAYEE_NAME } from './upi-link.js';

/** What one payment link asks for, before the shop's payee details are added. */
interface PaymentRequest {
  amountPaise: number;
  reference: string;
  note: string;
  /** The path of the JSON route; the QR images are at `<path>.png` and `<path>.svg`. */
  path: string;
  /** Why nothing can be asked for, when `amountPaise` is 0. */
  nothingDue: string;
}

@Injectable()
export class UpiService {
  constructor(
    private readonly transactions: TransactionsService,
    private readonly merchants: MerchantsService,
    private readonly accounts: AccountsService,
  ) {}

  /**
   * The UPI payment for what is still due on a bill, for the merchant who recorded it or the customer
   * who bought it (404 for anyone else). 409 when nothing is due or the shop has no UPI address yet.
   */
  async forBill(principal: Principal, transactionId: number): Promise<UpiPaymentDto> {
    const { shop, request } = await this.billRequest(principal, transactionId);
    return this.payment(shop, request);
  }

  /** The bill's payment link as a QR code image. */
  async billQr(principal: Principal, transactionId: number, format: QrFormat): Promise<Buffer> {
    return qrCode((await this.forBill(principal, transactionId)).link, format);
  }

  /**
   * The payment for a bill when one can be asked for, or null (paid, or the shop takes no UPI): what a
   * receipt shows under its totals.
   */
  async optionalForBill(principal: Principal, transactionId: number): Promise<UpiPaymentDto | null> {
    const { shop, request } = await this.billRequest(principal, transactionId);
    return request.amountPaise > 0 && shop.upi_vpa ? this.payment(shop, request) : null;
  }

  /**
   * The UPI payment for a customer account's whole due, for its merchant (404 for another merchant's
   * account). 409 when nothing is due (an advance included) or the shop has no UPI address yet.
   */
  async forAccount(merchantId: number, accountId: number): Promise<UpiPaymentDto> {
    const account = await this.accounts.forMerchant(merchantId, accountId);
    return this.accountPayment(account, `/api/v2/customers/${account.id}/upi`);
  }

  /**
   * The account's `upi://pay` link for its whole due, or null when there is none to give (nothing is
   * due, or the shop has no UPI address): what a payment reminder carries.
   */
  async linkForAccount(merchantId: number, accountId: number): Promise<string | null> {
    try {
      return (await this.forAccount(merchantId, accountId)).link;
    } catch (err) {
      if (err instanceof ConflictError) return null;
      throw err;
    }
  }

  /** The same for the customer's own account at a shop (404 when they have none there). */
  async forMyAccount(userId: number, merchantId: number): Promise<UpiPaymentDto> {
    const account = await this.accounts.forCustomer(userId, merchantId);
    return this.accountPayment(account, `/api/v2/me/shops/${merchantId}/upi`);
  }

  /** The account's payment link as a QR code image. */
  async accountQr(merchantId: number, accountId: number, format: QrFormat): Promise<Buffer> {
    return qrCode((await this.forAccount(merchantId, accountId)).link, format);
  }

  /** The customer's own account's payment link as a QR code image. */
  async myAccountQr(userId: number, merchantId: number, format: QrFormat): Promise<Buffer> {
    return qrCode((await this.forMyAccount(userId, merchantId)).link, format);
  }

  private async accountPayment(account: Account, path: string): Promise<UpiPaymentDto> {
    const shop = await this.merchants.shop(account.merchant_id);
    return this.payment(shop, {
      amountPaise: account.due_paise,
      reference: accountReference(account.id),
      note: `Dues ${shop.business_name}`,
      path,
      nothingDue:
        account.advance_paise > 0
          ? 'Nothing is due on this account: it holds an advance.'
          : 'Nothing is due on this account.',
    });
  }

  private async billRequest(
    principal: Principal,
    transactionId: number,
  ): Promise<{ shop: ShopCard; request: PaymentRequest }> {
    const bill = await this.transactions.findOne(principal, transactionId);
    const shop = await this.merchants.shop(bill.merchant_id);
    return {
      shop,
      request: {
        amountPaise: bill.due_paise,
        reference: billReference(bill.id),
        note: `Bill ${bill.id} ${shop.business_name}`,
        path: `/api/v2/transactions/${bill.id}/upi`,
        nothingDue: `Bill ${bill.id} is paid: nothing is due on it.`,
      },
    };
  }

  private payment(shop: ShopCard, request: PaymentRequest): UpiPaymentDto {
    if (request.amountPaise <= 0) throw new ConflictError(KhataErrorCode.NothingDue, request.nothingDue);
    if (!shop.upi_vpa)
      throw new ConflictError(
        UpiErrorCode.NotSetUp,
        'This shop has not set up UPI payments yet: the merchant adds a UPI address (upi_vpa) to the profile.',
      );
    const payeeName = clip(shop.upi_payee_name ?? shop.business_name, MAX_PAYEE_NAME);
    const note = clip(request.note, MAX_NOTE);
    const link = buildUpiLink({
      vpa: shop.upi_vpa,
      payeeName,
      amountPaise: request.amountPaise,
      note,
      reference: request.reference,
    });
    return {
      link,
      amount: paiseToRupees(request.amountPaise),
      amount_paise: request.amountPaise,
      reference: request.reference,
      payee_vpa: shop.upi_vpa,
      payee_name: payeeName,
      note,
      qr_png_url: `${request.path}.png`,
      qr_svg_url: `${request.path}.svg`,
    };
  }
}

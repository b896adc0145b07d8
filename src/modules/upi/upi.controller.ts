import { Controller, Get, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, StaffMay } from '../../common/auth/decorators.js';
import type { Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { PathId } from '../../common/http/path-id.js';
import { UpiPaymentDto } from './dto/upi-payment.dto.js';
import { NoStore, qrFile, QrImageRoute } from './upi-http.js';
import { UpiService } from './upi.service.js';

const IdParam = ApiParam({ name: 'id', type: 'integer', description: 'The transaction id (digits only).' });
const BILL_NOTE =
  'For the merchant who recorded the bill and the customer who bought (404 for anyone else). ' +
  '409 `nothing-due` when the bill is paid, 409 `upi-not-set-up` while the shop has no UPI address.';

/** UPI payment links and QR codes for one bill. */
@ApiTags('upi')
@ApiBearerAuth()
@Controller('transactions')
export class UpiBillController {
  constructor(private readonly upi: UpiService) {}

  @Get(':id/upi')
  @Roles('merchant', 'user')
  @StaffMay('cashier', 'manager')
  @IdParam
  @NoStore()
  @ApiOperation({ summary: 'A UPI payment link for what is still due on a bill', description: BILL_NOTE })
  @ApiOkResponse({ type: UpiPaymentDto })
  @ApiProblems(400, 401, 403, 404, 409)
  link(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<UpiPaymentDto> {
    return this.upi.forBill(me, id);
  }

  @Get(':id/upi.png')
  @Roles('merchant', 'user')
  @StaffMay('cashier', 'manager')
  @IdParam
  @QrImageRoute('png')
  @ApiOperation({ summary: "The bill's UPI payment link as a QR code (PNG)", description: BILL_NOTE })
  @ApiProblems(400, 401, 403, 404, 409)
  async png(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<StreamableFile> {
    return qrFile(await this.upi.billQr(me, id, 'png'), 'png', `upi-bill-${id}`);
  }

  @Get(':id/upi.svg')
  @Roles('merchant', 'user')
  @StaffMay('cashier', 'manager')
  @IdParam
  @QrImageRoute('svg')
  @ApiOperation({ summary: "The bill's UPI payment link as a QR code (SVG)", description: BILL_NOTE })
  @ApiProblems(400, 401, 403, 404, 409)
  async svg(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<StreamableFile> {
    return qrFile(await this.upi.billQr(me, id, 'svg'), 'svg', `upi-bill-${id}`);
  }
}

const AccountParam = ApiParam({ name: 'id', type: 'integer', description: 'The customer account id.' });
const ACCOUNT_NOTE =
  'The account’s whole due, with reference `GSA<account id>`. 409 `nothing-due` when nothing is due ' +
  '(or the account holds an advance), 409 `upi-not-set-up` while the shop has no UPI address.';

/** UPI payment links and QR codes for a customer account's whole due (the merchant's side). */
@ApiTags('upi')
@ApiBearerAuth()
@Roles('merchant')
@StaffMay('cashier', 'manager')
@Controller('customers')
export class UpiCustomerController {
  constructor(private readonly upi: UpiService) {}

  @Get(':id/upi')
  @AccountParam
  @NoStore()
  @ApiOperation({
    summary: 'A UPI payment link for what a customer owes the shop',
    description: ACCOUNT_NOTE,
  })
  @ApiOkResponse({ type: UpiPaymentDto })
  @ApiProblems(400, 401, 403, 404, 409)
  link(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<UpiPaymentDto> {
    return this.upi.forAccount(me.id, id);
  }

  @Get(':id/upi.png')
  @AccountParam
  @QrImageRoute('png')
  @ApiOperation({ summary: "The account's UPI payment link as a QR code (PNG)", description: ACCOUNT_NOTE })
  @ApiProblems(400, 401, 403, 404, 409)
  async png(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<StreamableFile> {
    return qrFile(await this.upi.accountQr(me.id, id, 'png'), 'png', `upi-account-${id}`);
  }

  @Get(':id/upi.svg')
  @AccountParam
  @QrImageRoute('svg')
  @ApiOperation({ summary: "The account's UPI payment link as a QR code (SVG)", description: ACCOUNT_NOTE })
  @ApiProblems(400, 401, 403, 404, 409)
  async svg(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<StreamableFile> {
    return qrFile(await this.upi.accountQr(me.id, id, 'svg'), 'svg', `upi-account-${id}`);
  }
}

const MerchantParam = ApiParam({
  name: 'merchant_id',
  type: 'integer',
  description: 'The shop (merchant id).',
});
const MY_NOTE =
  'What you owe this shop, with the same link the shop sees (404 when you have no account there, or ' +
  'have blocked the shop). 409 `nothing-due` or `upi-not-set-up` as for the shop.';

/** The customer's own UPI payment link for what they owe a shop. */
@ApiTags('my shops')
@ApiBearerAuth()
@Roles('user')
@Controller('me/shops')
export class MyShopUpiController {
  constructor(private readonly upi: UpiService) {}

  @Get(':merchant_id/upi')
  @MerchantParam
  @NoStore()
  @ApiOperation({ summary: 'A UPI payment link for what you owe a shop', description: MY_NOTE })
  @ApiOkResponse({ type: UpiPaymentDto })
  @ApiProblems(400, 401, 403, 404, 409)
  link(@CurrentPrincipal() me: Principal, @PathId('merchant_id') merchantId: number): Promise<UpiPaymentDto> {
    return this.upi.forMyAccount(me.id, merchantId);
  }

  @Get(':merchant_id/upi.png')
  @MerchantParam
  @QrImageRoute('png')
  @ApiOperation({ summary: 'Your UPI payment link for a shop as a QR code (PNG)', description: MY_NOTE })
  @ApiProblems(400, 401, 403, 404, 409)
  async png(
    @CurrentPrincipal() me: Principal,
    @PathId('merchant_id') merchantId: number,
  ): Promise<StreamableFile> {
    return qrFile(await this.upi.myAccountQr(me.id, merchantId, 'png'), 'png', `upi-shop-${merchantId}`);
  }

  @Get(':merchant_id/upi.svg')
  @MerchantParam
  @QrImageRoute('svg')
  @ApiOperation({ summary: 'Your UPI payment link for a shop as a QR code (SVG)', description: MY_NOTE })
  @ApiProblems(400, 401, 403, 404, 409)
  async svg(
    @CurrentPrincipal() me: Principal,
    @PathId('merchant_id') merchantId: number,
  ): Promise<StreamableFile> {
    return qrFile(await this.upi.myAccountQr(me.id, merchantId, 'svg'), 'svg', `upi-shop-${merchantId}`);
  }
}

import { Controller, Get, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../common/auth/decorators.js';
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
  @IdParam
  @QrImageRoute('png')
  @ApiOperation({ summary: "The bill's UPI payment link as a QR code (PNG)", description: BILL_NOTE })
  @ApiProblems(400, 401, 403, 404, 409)
  async png(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<StreamableFile> {
    return qrFile(await this.upi.billQr(me, id, 'png'), 'png', `upi-bill-${id}`);
  }

  @Get(':id/upi.svg')
  @Roles('merchant', 'user')
  @IdParam
  @QrImageRoute('svg')
  @ApiOperation({ summary: "The bill's UPI payment link as a QR code (SVG)", description: BILL_NOTE })
  @ApiProblems(400, 401, 403, 404, 409)
  async svg(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<StreamableFile> {
    return qrFile(await this.upi.billQr(me, id, 'svg'), 'svg', `upi-bill-${id}`);
  }
}

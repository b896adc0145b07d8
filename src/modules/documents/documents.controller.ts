import { Controller, Get, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../common/auth/decorators.js';
import type { Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { PathId } from '../../common/http/path-id.js';
import { DocumentsService } from './documents.service.js';
import { pdfFile, PdfRoute } from './pdf-http.js';

/** PDF receipts of sales. */
@ApiTags('documents')
@ApiBearerAuth()
@Controller('transactions')
export class ReceiptsController {
  constructor(private readonly documents: DocumentsService) {}

  @Get(':id/receipt.pdf')
  @Roles('merchant', 'user')
  @ApiParam({ name: 'id', type: 'integer', description: 'The transaction id (digits only).' })
  @PdfRoute(
    'The receipt (A5): shop, date in the shop’s zone, items, total, paid, due, and the UPI QR code while ' +
      'something is due and the shop has a UPI address.',
  )
  @ApiOperation({
    summary: "A sale's receipt as PDF",
    description: 'For the merchant who recorded the sale and the customer who bought (404 for anyone else).',
  })
  @ApiProblems(400, 401, 403, 404)
  async receipt(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<StreamableFile> {
    return pdfFile(await this.documents.receipt(me, id));
  }
}

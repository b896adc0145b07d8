import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, StaffMay } from '../../common/auth/decorators.js';
import type { Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { PathId } from '../../common/http/path-id.js';
import { DocumentsService } from './documents.service.js';
import { StatementQueryDto } from './dto/statement-query.dto.js';
import { pdfFile, PdfRoute } from './pdf-http.js';

/** PDF receipts of sales. */
@ApiTags('documents')
@ApiBearerAuth()
@Controller('transactions')
export class ReceiptsController {
  constructor(private readonly documents: DocumentsService) {}

  @Get(':id/receipt.pdf')
  @Roles('merchant', 'user')
  @StaffMay('cashier', 'manager')
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

const STATEMENT =
  'The statement (A4): the ledger over [from, to) with the running balance, the opening and closing ' +
  'balances, and a bar chart of the last six months’ credit and payments; dates in the shop’s zone. ' +
  'At most 5,000 entries (a 422 asks for a shorter period).';

/** Customer statements as PDF (the merchant's side). */
@ApiTags('documents')
@ApiBearerAuth()
@Roles('merchant')
@StaffMay('manager')
@Controller('customers')
export class StatementsController {
  constructor(private readonly documents: DocumentsService) {}

  @Get(':id/statement.pdf')
  @ApiParam({ name: 'id', type: 'integer', description: 'The customer account id.' })
  @PdfRoute(STATEMENT)
  @ApiOperation({ summary: "A customer account's statement as PDF" })
  @ApiProblems(400, 401, 403, 404, 422)
  async statement(
    @CurrentPrincipal() me: Principal,
    @PathId('id') id: number,
    @Query() query: StatementQueryDto,
  ): Promise<StreamableFile> {
    return pdfFile(await this.documents.statement(me.id, id, query));
  }
}

/** The customer's own statement at a shop. */
@ApiTags('my shops')
@ApiBearerAuth()
@Roles('user')
@Controller('me/shops')
export class MyStatementsController {
  constructor(private readonly documents: DocumentsService) {}

  @Get(':merchant_id/statement.pdf')
  @ApiParam({ name: 'merchant_id', type: 'integer', description: 'The shop (merchant id).' })
  @PdfRoute(STATEMENT)
  @ApiOperation({ summary: 'Your statement at a shop as PDF (404 when you have no account there)' })
  @ApiProblems(400, 401, 403, 404, 422)
  async statement(
    @CurrentPrincipal() me: Principal,
    @PathId('merchant_id') merchantId: number,
    @Query() query: StatementQueryDto,
  ): Promise<StreamableFile> {
    return pdfFile(await this.documents.myStatement(me.id, merchantId, query));
  }
}

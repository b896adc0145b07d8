import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Roles, StaffMay } from '../../common/auth/decorators.js';
import { recordedBy, type Principal } from '../../common/auth/role.js';
import { AuditEntryDto, VoidTransactionDto } from '../khata/dto/khata.dto.js';
import { toAuditDto } from '../khata/khata.mapper.js';
import { EditTransactionDto } from './dto/edit-transaction.dto.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { PathId } from '../../common/http/path-id.js';
import { paginate, replay } from '../../common/http/paginate.js';
import { AnalyticsDto } from './dto/analytics.dto.js';
import { CreateTransactionDto } from './dto/create-transaction.dto.js';
import { AnalyticsQueryDto, ExportQueryDto, HistoryQueryDto } from './dto/history-query.dto.js';
import { SettleTransactionDto } from './dto/settle-transaction.dto.js';
import {
  CreateTransactionResponseDto,
  EditedTransactionDto,
  TransactionResponseDto,
} from './dto/transaction-response.dto.js';
import { TransactionsService } from './transactions.service.js';

const IdempotencyHeader = ApiHeader({
  name: 'Idempotency-Key',
  required: false,
  description: 'Retry-safe: the same key and body return the stored response (Idempotent-Replayed: true).',
});

const IdParam = ApiParam({ name: 'id', type: 'integer', description: 'The transaction id (digits only).' });

@ApiTags('transactions')
@ApiBearerAuth()
@Controller('transactions')
export class TransactionsController {
  constructor(private readonly transactions: TransactionsService) {}

  @Post('create')
  @StaffMay('cashier', 'manager')
  @Roles('merchant')
  @IdempotencyHeader
  @ApiOperation({
    summary: 'Record a sale, paid now or pay later, for a customer or a guest',
    description:
      'With the MyManager calculator, send `items` and/or `calculation` and leave `amount` out: the total ' +
      'is computed exactly and rounded once to the paisa (422 `totals-disagree` or `amount-mismatch` ' +
      'naming both values when they differ; `invalid-calculation`, `division-by-zero` and ' +
      '`ambiguous-percent` give the `position` in the calculation). A sale repeating the previous one ' +
      '(same buyer, amount and items, within 10 seconds) is recorded and answered with ' +
      '`possible_duplicate_of`.',
  })
  @ApiBody({
    type: CreateTransactionDto,
    examples: {
      sale: {
        summary: 'A sale with its amount',
        value: { user_id: 1, amount: 25.5, type: 'paid', payment_method: 'upi' },
      },
      calculator: {
        summary: 'The MyManager calculator: items and their arithmetic, amount computed',
        value: {
          user_id: 1,
          type: 'pay_later',
          items: [
            { name: 'Basmati rice 1kg', quantity: 2, unit_price: 45 },
            { name: 'Sugar', quantity: 3, unit_price: 12.5 },
          ],
          calculation: '2*45 + 3*12.5',
        },
      },
      discount: {
        summary: 'A calculation alone, with a 10% discount (₹103.50)',
        value: { is_guest_transaction: true, type: 'paid', calculation: '(2*45 + 25) - 10%' },
      },
    },
  })
  @ApiCreatedResponse({ type: CreateTransactionResponseDto })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  async create(
    @CurrentPrincipal() me: Principal,
    @Body() dto: CreateTransactionDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CreateTransactionResponseDto> {
    return replay(res, await this.transactions.create(me.id, dto, key, recordedBy(me)));
  }

  @Get('history')
  @StaffMay('cashier', 'manager')
  @Roles('merchant', 'user')
  @ApiOperation({
    summary: "History, newest first: a merchant's sales or a customer's purchases across merchants",
  })
  @ApiOkResponse({
    type: [TransactionResponseDto],
    headers: { 'X-Next-Cursor': { description: 'Next page' } },
  })
  @ApiProblems(401, 403, 422)
  async history(
    @CurrentPrincipal() me: Principal,
    @Query() query: HistoryQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TransactionResponseDto[]> {
    const page = await this.transactions.history(me, query);
    paginate(req, res, page.nextCursor);
    return page.items;
  }

  @Get('analytics')
  @StaffMay('manager')
  @Roles('merchant')
  @ApiOperation({ summary: 'Sales analytics over the last `days`' })
  @ApiOkResponse({ type: AnalyticsDto })
  @ApiProblems(401, 403, 422)
  analytics(@CurrentPrincipal() me: Principal, @Query() query: AnalyticsQueryDto): Promise<AnalyticsDto> {
    return this.transactions.analytics(me.id, query);
  }

  @Get('export.csv')
  @StaffMay('manager')
  @Roles('merchant')
  @ApiOperation({ summary: "The merchant's statement for a date range, as CSV (streamed)" })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description:
      'CSV with a header row; amounts in rupees. At most 366 days per export and one running export per ' +
      'merchant (429 otherwise; 503 while the server runs its maximum of exports). Text cells that a ' +
      'spreadsheet would read as a formula start with an apostrophe.',
  })
  @ApiProblems(401, 403, 422, 429, 503)
  async exportCsv(
    @CurrentPrincipal() me: Principal,
    @Query() query: ExportQueryDto,
  ): Promise<StreamableFile> {
    const { stream, filename } = await this.transactions.exportCsv(me.id, query);
    // A stream cut mid-way (a stalled reader, a timeout) drops the connection: a truncated
    // statement must never look complete.
    return new StreamableFile(stream, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${filename}"`,
    }).setErrorHandler((_err, response) => {
      if (response.headersSent) return response.destroy?.();
      response.statusCode = 503;
      response.send('The export could not be completed; please retry.');
    });
  }

  @Get(':id')
  @StaffMay('cashier', 'manager')
  @Roles('merchant', 'user')
  @IdParam
  @ApiOperation({ summary: 'One transaction (404 unless you recorded it or bought it)' })
  @ApiOkResponse({ type: TransactionResponseDto })
  @ApiProblems(401, 403, 404, 422)
  findOne(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<TransactionResponseDto> {
    return this.transactions.findOne(me, id);
  }

  @Post(':id/settle')
  @StaffMay('cashier', 'manager')
  @Roles('merchant')
  @IdParam
  @HttpCode(200)
  @IdempotencyHeader
  @ApiOperation({ summary: 'Pay a pay-later bill in full (amount omitted) or in part' })
  @ApiOkResponse({ type: TransactionResponseDto })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  async settle(
    @CurrentPrincipal() me: Principal,
    @PathId('id') id: number,
    @Body() dto: SettleTransactionDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TransactionResponseDto> {
    return replay(res, await this.transactions.settle(me.id, id, dto, key, recordedBy(me)));
  }

  @Post(':id/void')
  @StaffMay('manager')
  @Roles('merchant')
  @IdParam
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Void a sale: it stays for the record, leaves every sum and balance; its payments become an advance',
    description:
      'A voided sale cannot be settled (409). Payments applied to it move to the customer’s advance and on to ' +
      'their oldest open bills. The ledger gets a reversal entry; the audit trail records who, when and why.',
  })
  @ApiOkResponse({ type: TransactionResponseDto })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  voidSale(
    @CurrentPrincipal() me: Principal,
    @PathId('id') id: number,
    @Body() dto: VoidTransactionDto,
  ): Promise<TransactionResponseDto> {
    return this.transactions.voidSale(me.id, id, dto.reason, recordedBy(me));
  }

  @Post(':id/edit')
  @StaffMay('manager')
  @Roles('merchant')
  @IdParam
  @HttpCode(200)
  @ApiOperation({
    summary: 'Correct a sale: the old one is voided and a new one records `replaces`, in one transaction',
  })
  @ApiOkResponse({ type: EditedTransactionDto })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  edit(
    @CurrentPrincipal() me: Principal,
    @PathId('id') id: number,
    @Body() dto: EditTransactionDto,
  ): Promise<EditedTransactionDto> {
    return this.transactions.edit(me.id, id, dto, recordedBy(me));
  }

  @Get(':id/audit')
  @StaffMay('manager')
  @Roles('merchant')
  @IdParam
  @ApiOperation({ summary: 'The sale’s corrections: who (recorded_by), when, what and why' })
  @ApiOkResponse({ type: [AuditEntryDto] })
  @ApiProblems(401, 403, 404, 422)
  async audit(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<AuditEntryDto[]> {
    return (await this.transactions.audit(me.id, id)).map(toAuditDto);
  }
}

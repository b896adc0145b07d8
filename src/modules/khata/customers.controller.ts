import { Body, Controller, Get, Headers, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Roles, StaffMay } from '../../common/auth/decorators.js';
import { recordedBy, type Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { paginate, replay } from '../../common/http/paginate.js';
import { PathId } from '../../common/http/path-id.js';
import { rupeesToPaise } from '../../common/money/money.js';
import { parseInstant } from '../../common/time/instant.js';
import { AccountsService } from './accounts.service.js';
import {
  AccountDto,
  CustomersQueryDto,
  LedgerDto,
  LedgerQueryDto,
  PaymentDto,
  RecordPaymentDto,
} from './dto/khata.dto.js';

const AccountParam = ApiParam({ name: 'id', type: 'integer', description: 'The customer account id.' });
const MerchantParam = ApiParam({
  name: 'merchant_id',
  type: 'integer',
  description: 'The shop (merchant) id.',
});

const ledgerQuery = (q: LedgerQueryDto) => ({
  from: parseInstant(q.from),
  to: parseInstant(q.to),
  cursor: q.cursor,
  limit: q.limit,
});

/** The merchant's khata: customer accounts, their ledgers and payments on account. */
@ApiTags('khata')
@ApiBearerAuth()
@Roles('merchant')
@StaffMay('cashier', 'manager')
@Controller('customers')
export class CustomersController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiOperation({
    summary: 'Your customers (registered and guests) with balance due, advance, last sale and last payment',
    description:
      'Largest due first, then by id; keyset-paged: the next page is in `X-Next-Cursor` and `Link`.',
  })
  @ApiOkResponse({ type: [AccountDto], headers: { 'X-Next-Cursor': { description: 'Next page' } } })
  @ApiProblems(401, 403, 422)
  async list(
    @CurrentPrincipal() me: Principal,
    @Query() query: CustomersQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AccountDto[]> {
    const page = await this.accounts.listView(me.id, query);
    paginate(req, res, page.nextCursor);
    return page.items;
  }

  @Get(':id')
  @AccountParam
  @ApiOperation({ summary: 'One customer account' })
  @ApiOkResponse({ type: AccountDto })
  @ApiProblems(401, 403, 404, 422)
  one(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<AccountDto> {
    return this.accounts.accountView(me.id, id);
  }

  @Get(':id/ledger')
  @AccountParam
  @ApiOperation({
    summary: 'The account’s entries in order, with the running balance and the balances at `from` and `to`',
  })
  @ApiOkResponse({ type: LedgerDto, headers: { 'X-Next-Cursor': { description: 'Next page' } } })
  @ApiProblems(401, 403, 404, 422)
  async ledger(
    @CurrentPrincipal() me: Principal,
    @PathId('id') id: number,
    @Query() query: LedgerQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LedgerDto> {
    const ledger = await this.accounts.ledgerView(me.id, id, ledgerQuery(query));
    paginate(req, res, ledger.next_cursor);
    return ledger;
  }

  @Post(':id/payments')
  @AccountParam
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retry-safe: the same key and body return the stored response (Idempotent-Replayed: true).',
  })
  @ApiOperation({
    summary: 'Record a payment on account: oldest open bills first, the rest kept as an advance',
    description:
      'A reference `GSB<transaction_id>` naming an open bill of this account pays that bill first. The advance ' +
      'is applied to the next credit sale automatically.',
  })
  @ApiCreatedResponse({ type: PaymentDto })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  async pay(
    @CurrentPrincipal() me: Principal,
    @PathId('id') id: number,
    @Body() dto: RecordPaymentDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PaymentDto> {
    const payment = {
      amount_paise: rupeesToPaise(dto.amount)!,
      payment_method: dto.payment_method,
      reference_number: dto.reference_number ?? null,
      note: dto.note ?? null,
    };
    return replay(res, await this.accounts.recordPayment(me.id, id, payment, recordedBy(me), key));
  }
}

/** The customer's side of the khata: their ledger at each shop (the list is GET /me/shops). */
@ApiTags('my shops')
@ApiBearerAuth()
@Roles('user')
@Controller('me/shops')
export class MyLedgerController {
  constructor(private readonly accounts: AccountsService) {}

  @Get(':merchant_id/ledger')
  @MerchantParam
  @ApiOperation({
    summary: 'Your account’s entries at a shop, as the shop sees them (404 for a blocked shop)',
  })
  @ApiOkResponse({ type: LedgerDto, headers: { 'X-Next-Cursor': { description: 'Next page' } } })
  @ApiProblems(401, 403, 404, 422)
  async ledger(
    @CurrentPrincipal() me: Principal,
    @PathId('merchant_id') merchantId: number,
    @Query() query: LedgerQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LedgerDto> {
    const ledger = await this.accounts.customerLedgerView(me.id, merchantId, ledgerQuery(query));
    paginate(req, res, ledger.next_cursor);
    return ledger;
  }
}

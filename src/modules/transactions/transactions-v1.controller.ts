import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles, StaffMay } from '../../common/auth/decorators.js';
import { recordedBy, type Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { V1 } from '../../common/v1/v1.js';
import {
  fromV1Create,
  toV1Analytics,
  toV1Created,
  toV1HistoryItem,
  toV1Simple,
  toV1UserTransaction,
  V1AnalyticsDto,
  V1CreatedDto,
  V1HistoryItemDto,
  V1SimpleDto,
  V1UserTransactionDto,
} from './dto/v1-transaction-response.dto.js';
import {
  toHistoryQuery,
  V1CreateTransactionDto,
  V1DaysQueryDto,
  V1HistoryQueryDto,
  V1MerchantParamDto,
  V1PageQueryDto,
} from './dto/v1-transaction.dto.js';
import { TransactionsService } from './transactions.service.js';

/** The original API's transaction routes, over the same service as /api/v2/transactions. */
@ApiTags('v1 transactions (original API)')
@Controller({ path: 'transactions', version: V1 })
export class TransactionsV1Controller {
  constructor(private readonly transactions: TransactionsService) {}

  @Post('create')
  @StaffMay('cashier', 'manager')
  @Roles('merchant')
  @ApiBearerAuth()
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a sale (payed or pending) for a customer or a guest' })
  @ApiOkResponse({ type: V1CreatedDto })
  @ApiProblems(400, 401, 403, 422)
  async create(
    @CurrentPrincipal() me: Principal,
    @Body() dto: V1CreateTransactionDto,
  ): Promise<V1CreatedDto> {
    return toV1Created(
      (await this.transactions.create(me.id, fromV1Create(dto), undefined, recordedBy(me))).body,
    );
  }

  @Public()
  @Post('simple')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a create request and echo it (stores nothing)' })
  @ApiOkResponse({ type: V1SimpleDto })
  @ApiProblems(422)
  simple(@Body() dto: V1CreateTransactionDto): V1SimpleDto {
    return toV1Simple(dto);
  }

  @Get('history')
  @StaffMay('cashier', 'manager')
  @Roles('merchant')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The merchant's sales of the last `days`, newest first" })
  @ApiOkResponse({ type: [V1HistoryItemDto] })
  @ApiProblems(401, 403, 422)
  async history(
    @CurrentPrincipal() me: Principal,
    @Query() query: V1HistoryQueryDto,
  ): Promise<V1HistoryItemDto[]> {
    const page = await this.transactions.historyWithBuyers(me, toHistoryQuery(query));
    return page.items.map((t) => toV1HistoryItem(t, page.buyers));
  }

  @Get('analytics')
  @StaffMay('manager')
  @Roles('merchant')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sales, count, amount still owed and average sale of the last `days`' })
  @ApiOkResponse({ type: V1AnalyticsDto })
  @ApiProblems(401, 403, 422)
  async analytics(
    @CurrentPrincipal() me: Principal,
    @Query() query: V1DaysQueryDto,
  ): Promise<V1AnalyticsDto> {
    return toV1Analytics(await this.transactions.analytics(me.id, { days: query.days ?? 30 }));
  }

  @Get('user-transactions/:merchant_id')
  @Roles('user')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The customer's own purchases at one merchant, newest first (paged over them)" })
  @ApiOkResponse({ type: [V1UserTransactionDto] })
  @ApiProblems(401, 403, 422)
  async userTransactions(
    @CurrentPrincipal() me: Principal,
    @Param() params: V1MerchantParamDto,
    @Query() query: V1PageQueryDto,
  ): Promise<V1UserTransactionDto[]> {
    const page = await this.transactions.history(
      me,
      { limit: query.limit ?? 50, offset: query.offset ?? 0 },
      params.merchant_id,
    );
    return page.items.map(toV1UserTransaction);
  }
}

import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, StaffMay } from '../../../common/auth/decorators.js';
import type { Principal } from '../../../common/auth/role.js';
import { ApiProblems } from '../../../common/http/api-problems.js';
import {
  DetailedAnalyticsV1Dto,
  CustomerZoneV1QueryDto,
  ExpenseV1Dto,
  MerchantDashboardV1QueryDto,
  MerchantDashboardV1Dto,
  PeriodV1QueryDto,
  ShopTransactionsV1ParamsDto,
  ShopTransactionsV1QueryDto,
  ShopTransactionV1Dto,
  SpendingAnalyticsV1Dto,
  SpendingV1QueryDto,
  TopCustomersV1QueryDto,
  TopCustomerV1Dto,
  UserDashboardV1Dto,
  UserMerchantV1Dto,
} from './dashboard.v1.dto.js';
import { DashboardV1Mapper } from './dashboard.v1.mapper.js';

/**
 * `/api/v1/dashboard`: the original GraminStore API's eight dashboards, for its PWA and other
 * existing clients. Periods are local days of the merchant's zone, or the customer's (`tz`,
 * default Asia/Kolkata); sums are exact to the paisa.
 */
@ApiTags('v1 (original API): dashboard')
@ApiBearerAuth()
@Controller({ path: 'dashboard', version: '1' })
export class DashboardV1Controller {
  constructor(private readonly v1: DashboardV1Mapper) {}

  @Get('merchant')
  @StaffMay('manager')
  @Roles('merchant')
  @ApiOperation({ summary: "The merchant's totals over the last `days` local days and the 10 newest sales" })
  @ApiOkResponse({ type: MerchantDashboardV1Dto })
  @ApiProblems(401, 403, 404, 422)
  merchant(
    @CurrentPrincipal() principal: Principal,
    @Query() query: MerchantDashboardV1QueryDto,
  ): Promise<MerchantDashboardV1Dto> {
    return this.v1.merchant(principal.id, query);
  }

  @Get('merchant/top-customers')
  @StaffMay('manager')
  @Roles('merchant')
  @ApiOperation({ summary: 'Best buyers of all time, registered customers and guests (an array)' })
  @ApiOkResponse({ type: [TopCustomerV1Dto] })
  @ApiProblems(401, 403, 404, 422)
  topCustomers(
    @CurrentPrincipal() principal: Principal,
    @Query() query: TopCustomersV1QueryDto,
  ): Promise<TopCustomerV1Dto[]> {
    return this.v1.topCustomers(principal.id, query);
  }

  @Get('merchant/analytics/detailed')
  @StaffMay('manager')
  @Roles('merchant')
  @ApiOperation({ summary: 'Summary, growth, methods, daily sales and top buyers of one local period' })
  @ApiOkResponse({ type: DetailedAnalyticsV1Dto })
  @ApiProblems(401, 403, 404, 422)
  detailedAnalytics(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PeriodV1QueryDto,
  ): Promise<DetailedAnalyticsV1Dto> {
    return this.v1.detailedAnalytics(principal.id, query);
  }

  @Get('user')
  @Roles('user')
  @ApiOperation({ summary: "The customer's totals and this local week's and month's spending per merchant" })
  @ApiOkResponse({ type: UserDashboardV1Dto })
  @ApiProblems(401, 403, 422)
  user(
    @CurrentPrincipal() principal: Principal,
    @Query() query: CustomerZoneV1QueryDto,
  ): Promise<UserDashboardV1Dto> {
    return this.v1.user(principal.id, query);
  }

  @Get('user/expenses')
  @Roles('user')
  @ApiOperation({ summary: 'Per merchant: total, paid, pending, count and last purchase (an array)' })
  @ApiOkResponse({ type: [ExpenseV1Dto] })
  @ApiProblems(401, 403)
  expenses(@CurrentPrincipal() principal: Principal): Promise<ExpenseV1Dto[]> {
    return this.v1.expenses(principal.id);
  }

  @Get('user/merchants')
  @Roles('user')
  @ApiOperation({ summary: 'The shops the customer buys from, most owed first (an array)' })
  @ApiOkResponse({ type: [UserMerchantV1Dto] })
  @ApiProblems(401, 403)
  merchants(@CurrentPrincipal() principal: Principal): Promise<UserMerchantV1Dto[]> {
    return this.v1.merchants(principal.id);
  }

  @Get('user/spending-analytics')
  @Roles('user')
  @ApiOperation({ summary: 'What the customer paid per local day, week (from Monday) and month' })
  @ApiOkResponse({ type: SpendingAnalyticsV1Dto })
  @ApiProblems(401, 403, 422)
  spendingAnalytics(
    @CurrentPrincipal() principal: Principal,
    @Query() query: SpendingV1QueryDto,
  ): Promise<SpendingAnalyticsV1Dto> {
    return this.v1.spendingAnalytics(principal.id, query);
  }

  @Get('user/transactions/:merchant_id')
  @Roles('user')
  @ApiOperation({ summary: "The customer's own purchases from one shop, newest first (an array)" })
  @ApiOkResponse({ type: [ShopTransactionV1Dto] })
  @ApiProblems(401, 403, 404, 422)
  shopTransactions(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ShopTransactionsV1ParamsDto,
    @Query() query: ShopTransactionsV1QueryDto,
  ): Promise<ShopTransactionV1Dto[]> {
    return this.v1.shopTransactions(principal.id, params.merchant_id, query);
  }
}

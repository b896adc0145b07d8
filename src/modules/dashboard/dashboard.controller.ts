import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, StaffMay } from '../../common/auth/decorators.js';
import type { Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { DashboardService } from './dashboard.service.js';
import {
  BillsQueryDto,
  ExpensesQueryDto,
  MerchantDashboardQueryDto,
  TimeZoneQueryDto,
  TopCustomersQueryDto,
} from './dto/dashboard-query.dto.js';
import { MerchantDashboardDto, TopCustomersResponseDto } from './dto/merchant-dashboard.dto.js';
import {
  BillsResponseDto,
  ExpensesResponseDto,
  UserDashboardDto,
  UserMerchantsResponseDto,
} from './dto/user-dashboard.dto.js';

@ApiTags('dashboard')
@ApiBearerAuth()
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('merchant')
  @StaffMay('manager')
  @Roles('merchant')
  @ApiOperation({
    summary: "The merchant's bento grid",
    description:
      'Seed fields over the last `days` local days, plus today / this week (from Monday) / this month in the ' +
      "merchant's time zone, all-time outstanding, payment methods, registered vs guest mix, 30 zero-filled " +
      'daily totals and the top 5 buyers of all time. Sums are exact (integer paise).',
  })
  @ApiOkResponse({ type: MerchantDashboardDto })
  @ApiProblems(401, 403, 404, 422, 503)
  merchant(
    @CurrentPrincipal() principal: Principal,
    @Query() query: MerchantDashboardQueryDto,
  ): Promise<MerchantDashboardDto> {
    return this.dashboard.merchant(principal.id, query);
  }

  @Get('merchant/top-customers')
  @StaffMay('manager')
  @Roles('merchant')
  @ApiOperation({
    summary: "The merchant's best buyers, registered customers and guests, ranked by amount",
    description: 'With `days`: over the last `days` local days, computed exactly. Without: all time.',
  })
  @ApiOkResponse({ type: TopCustomersResponseDto })
  @ApiProblems(401, 403, 404, 422, 503)
  topCustomers(
    @CurrentPrincipal() principal: Principal,
    @Query() query: TopCustomersQueryDto,
  ): Promise<TopCustomersResponseDto> {
    return this.dashboard.topCustomers(principal.id, query);
  }

  @Get('user')
  @Roles('user')
  @ApiOperation({
    summary: "The customer's dashboard",
    description:
      'All-time spent (paid) and pending across merchants, and this local week / month per merchant, in `tz`.',
  })
  @ApiOkResponse({ type: UserDashboardDto })
  @ApiProblems(401, 403, 422, 503)
  user(
    @CurrentPrincipal() principal: Principal,
    @Query() query: TimeZoneQueryDto,
  ): Promise<UserDashboardDto> {
    return this.dashboard.user(principal.id, query);
  }

  @Get('user/expenses')
  @Roles('user')
  @ApiOperation({
    summary: "The customer's expenses per local week or month and per merchant",
    description:
      'The last `count` periods (the current one last): total, paid, pending, count, last purchase.',
  })
  @ApiOkResponse({ type: ExpensesResponseDto })
  @ApiProblems(401, 403, 422, 503)
  expenses(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ExpensesQueryDto,
  ): Promise<ExpensesResponseDto> {
    return this.dashboard.expenses(principal.id, query);
  }

  @Get('user/merchants')
  @Roles('user')
  @ApiOperation({ summary: 'Merchants the customer has bought from, with spent / pending / count / last' })
  @ApiOkResponse({ type: UserMerchantsResponseDto })
  @ApiProblems(401, 403, 503)
  merchants(@CurrentPrincipal() principal: Principal): Promise<UserMerchantsResponseDto> {
    return this.dashboard.merchants(principal.id);
  }

  @Get('user/bills')
  @Roles('user')
  @ApiOperation({
    summary: "The customer's bills across merchants",
    description:
      'Bills still owed (`due`) or paid off (`paid`), with what is owed per merchant and in total.',
  })
  @ApiOkResponse({ type: BillsResponseDto })
  @ApiProblems(401, 403, 422, 503)
  bills(@CurrentPrincipal() principal: Principal, @Query() query: BillsQueryDto): Promise<BillsResponseDto> {
    return this.dashboard.bills(principal.id, query);
  }
}

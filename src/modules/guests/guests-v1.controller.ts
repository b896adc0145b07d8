import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, StaffMay } from '../../common/auth/decorators.js';
import type { Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { V1 } from '../../common/v1/v1.js';
import {
  toV1Guest,
  toV1GuestSale,
  V1GuestDto,
  V1GuestSaleDto,
} from '../transactions/dto/v1-transaction-response.dto.js';
import { V1CreateGuestUserDto } from '../transactions/dto/v1-transaction.dto.js';
import { GuestsService } from './guests.service.js';

/** The original API's guest routes, under /transactions as it served them. */
@ApiTags('v1 transactions (original API)')
@ApiBearerAuth()
@Roles('merchant')
@Controller({ path: 'transactions', version: V1 })
export class GuestsV1Controller {
  constructor(private readonly guests: GuestsService) {}

  @Post('guest-user')
  @StaffMay('cashier', 'manager')
  @HttpCode(200)
  @ApiOperation({ summary: 'A guest of the calling merchant (the body merchant_id is ignored)' })
  @ApiOkResponse({ type: V1GuestDto })
  @ApiProblems(401, 403, 422)
  async create(@CurrentPrincipal() me: Principal, @Body() _dto: V1CreateGuestUserDto): Promise<V1GuestDto> {
    return toV1Guest(await this.guests.create(me.id));
  }

  @Get('guest-users')
  @StaffMay('manager')
  @ApiOperation({ summary: 'Every guest sale of the merchant, newest first (type PAYED or PAY_LATER)' })
  @ApiOkResponse({ type: [V1GuestSaleDto] })
  @ApiProblems(401, 403)
  async list(@CurrentPrincipal() me: Principal): Promise<V1GuestSaleDto[]> {
    return (await this.guests.listSales(me.id)).map(toV1GuestSale);
  }
}

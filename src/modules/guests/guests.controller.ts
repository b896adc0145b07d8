import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, StaffMay } from '../../common/auth/decorators.js';
import type { Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import {
  CreateGuestUserDto,
  GuestListQueryDto,
  GuestUserDto,
  GuestUserWithTransactionDto,
} from './dto/guest-user.dto.js';
import { GuestsService } from './guests.service.js';

/** Guest routes live under /transactions, as in the seed. */
@ApiTags('guests')
@ApiBearerAuth()
@Roles('merchant')
@Controller('transactions')
export class GuestsController {
  constructor(private readonly guests: GuestsService) {}

  @Post('guest-user')
  @StaffMay('cashier', 'manager')
  @ApiOperation({ summary: 'Create an unused guest for a later sale (the body merchant_id is ignored)' })
  @ApiCreatedResponse({ type: GuestUserDto })
  @ApiProblems(401, 403, 422)
  create(@CurrentPrincipal() me: Principal, @Body() _dto: CreateGuestUserDto): Promise<GuestUserDto> {
    return this.guests.create(me.id);
  }

  @Get('guest-users')
  @StaffMay('manager')
  @ApiOperation({ summary: "The merchant's guests with their transactions" })
  @ApiOkResponse({ type: [GuestUserWithTransactionDto] })
  @ApiProblems(401, 403, 422)
  list(
    @CurrentPrincipal() me: Principal,
    @Query() query: GuestListQueryDto,
  ): Promise<GuestUserWithTransactionDto[]> {
    return this.guests.list(me.id, query);
  }
}

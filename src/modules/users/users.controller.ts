import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, StaffMay } from '../../common/auth/decorators.js';
import type { Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { LookupQueryDto } from './dto/lookup-query.dto.js';
import { UserLookupDto } from './dto/user-profile.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('lookup')
  @StaffMay('cashier', 'manager')
  @Roles('merchant')
  @ApiOperation({ summary: 'Find a customer to bill by phone number (name and last 4 digits only)' })
  @ApiOkResponse({ type: UserLookupDto })
  @ApiProblems(401, 403, 404, 422)
  lookup(@CurrentPrincipal() me: Principal, @Query() query: LookupQueryDto): Promise<UserLookupDto> {
    return this.users.lookupByPhone(query.phone, me.id);
  }
}

import { Body, Controller, Get, HttpCode, Patch, Post, UseInterceptors } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles, StaffMay } from '../../common/auth/decorators.js';
import type { Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { NoStoreTokensInterceptor } from '../../common/http/no-store-tokens.interceptor.js';
import { PathId } from '../../common/http/path-id.js';
import { TokenResponseDto } from '../auth/dto/token-response.dto.js';
import {
  AcceptInvitationDto,
  InviteStaffDto,
  StaffDto,
  StaffInvitationDto,
  StaffLoginDto,
  StaffProfileDto,
  UpdateStaffDto,
} from './dto/staff.dto.js';
import { StaffService } from './staff.service.js';

const IdParam = ApiParam({ name: 'id', type: 'integer', description: 'The staff member id (digits only).' });

/** The owner manages the shop's staff. No `@StaffMay`: staff (managers too) get 403. */
@ApiTags('staff')
@ApiBearerAuth()
@Roles('merchant')
@Controller('staff')
@UseInterceptors(NoStoreTokensInterceptor)
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Post()
  @ApiOperation({
    summary: 'Invite a staff member (cashier or manager); the response carries the one-time code (7 days)',
  })
  @ApiCreatedResponse({ type: StaffInvitationDto })
  @ApiProblems(401, 403, 409, 422)
  invite(@CurrentPrincipal() me: Principal, @Body() dto: InviteStaffDto): Promise<StaffInvitationDto> {
    return this.staff.invite(me, dto);
  }

  @Get()
  @ApiOperation({ summary: "The shop's staff: invited, active and disabled" })
  @ApiOkResponse({ type: [StaffDto] })
  @ApiProblems(401, 403)
  list(@CurrentPrincipal() me: Principal): Promise<StaffDto[]> {
    return this.staff.list(me.id);
  }

  @Patch(':id')
  @IdParam
  @ApiOperation({
    summary: 'Change a member’s role or disable/enable them; both end their sessions at once',
  })
  @ApiOkResponse({ type: StaffDto })
  @ApiProblems(400, 401, 403, 404, 422)
  update(
    @CurrentPrincipal() me: Principal,
    @PathId('id') id: number,
    @Body() dto: UpdateStaffDto,
  ): Promise<StaffDto> {
    return this.staff.update(me.id, id, dto);
  }

  @Post(':id/invitation')
  @IdParam
  @ApiOperation({
    summary:
      'A new one-time code for a member (expired invitation, forgotten password); the old one stops working',
  })
  @ApiCreatedResponse({ type: StaffInvitationDto })
  @ApiProblems(400, 401, 403, 404)
  reinvite(@CurrentPrincipal() me: Principal, @PathId('id') id: number): Promise<StaffInvitationDto> {
    return this.staff.reinvite(me.id, id);
  }
}

/** Staff sign-in: accepting an invitation, logging in, and who the signed-in member is. */
@ApiTags('staff')
@Controller('auth')
@UseInterceptors(NoStoreTokensInterceptor)
export class StaffAuthController {
  constructor(private readonly staff: StaffService) {}

  @Public()
  @Post('staff/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept a staff invitation with a password of your own; signs you in' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 422, 429)
  accept(@Body() dto: AcceptInvitationDto): Promise<TokenResponseDto> {
    return this.staff.accept(dto);
  }

  @Public()
  @Post('staff/login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Staff login by phone or email; staff of several shops get 409 with the shops to choose from',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 401, 409, 422, 429)
  login(@Body() dto: StaffLoginDto): Promise<TokenResponseDto> {
    return this.staff.login(dto);
  }

  @Get('profile/staff')
  @Roles('merchant')
  @StaffMay('cashier', 'manager')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The signed-in staff member: name, shop and role (403 for the shop's owner)" })
  @ApiOkResponse({ type: StaffProfileDto })
  @ApiProblems(401, 403)
  profile(@CurrentPrincipal() me: Principal): Promise<StaffProfileDto> {
    return this.staff.profile(me);
  }
}

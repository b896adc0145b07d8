import { Body, Controller, Get, HttpCode, Post, Put, UseInterceptors } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, OwnerOnly, Public, Roles, StaffMay } from '../../common/auth/decorators.js';
import type { Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { NoStoreTokensInterceptor } from '../../common/http/no-store-tokens.interceptor.js';
import { MerchantProfileDto } from '../merchants/dto/merchant-profile.dto.js';
import { MerchantsService } from '../merchants/merchants.service.js';
import { UserProfileDto } from '../users/dto/user-profile.dto.js';
import { UsersService } from '../users/users.service.js';
import { AuthService } from './auth.service.js';
import {
  ChangePasswordDto,
  LoginDto,
  RefreshDto,
  RegisterMerchantDto,
  RegisterUserDto,
} from './dto/register.dto.js';
import { TokenResponseDto } from './dto/token-response.dto.js';
import { UpdateMerchantProfileDto, UpdateUserProfileDto } from './dto/update-profile.dto.js';

@ApiTags('auth')
@Controller('auth')
@UseInterceptors(NoStoreTokensInterceptor)
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly merchants: MerchantsService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('register/merchant')
  @ApiOperation({ summary: 'Register a merchant (provisions their transaction table)' })
  @ApiCreatedResponse({ type: TokenResponseDto })
  @ApiProblems(400, 409, 422)
  registerMerchant(@Body() dto: RegisterMerchantDto): Promise<TokenResponseDto> {
    return this.auth.registerMerchant(dto);
  }

  @Public()
  @Post('register/user')
  @ApiOperation({ summary: 'Register a customer' })
  @ApiCreatedResponse({ type: TokenResponseDto })
  @ApiProblems(400, 409, 422)
  registerUser(@Body() dto: RegisterUserDto): Promise<TokenResponseDto> {
    return this.auth.registerUser(dto);
  }

  @Public()
  @Post('login/merchant')
  @HttpCode(200)
  @ApiOperation({ summary: 'Merchant login' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 401, 422, 429)
  loginMerchant(@Body() dto: LoginDto): Promise<TokenResponseDto> {
    return this.auth.login('merchant', dto);
  }

  @Public()
  @Post('login/user')
  @HttpCode(200)
  @ApiOperation({ summary: 'Customer login' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 401, 422, 429)
  loginUser(@Body() dto: LoginDto): Promise<TokenResponseDto> {
    return this.auth.login('user', dto);
  }

  @Public()
  @Post('login/admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Admin login' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 401, 422, 429)
  loginAdmin(@Body() dto: LoginDto): Promise<TokenResponseDto> {
    return this.auth.login('admin', dto);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for new tokens (the old one is spent)' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(401, 422)
  refresh(@Body() dto: RefreshDto): Promise<TokenResponseDto> {
    return this.auth.refresh(dto.refresh_token);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a refresh token and every token rotated from it' })
  @ApiNoContentResponse()
  @ApiProblems(422)
  logout(@Body() dto: RefreshDto): Promise<void> {
    return this.auth.logout(dto.refresh_token);
  }

  @Post('password')
  @OwnerOnly()
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change the password (current + new); every other session of the account ends',
  })
  @ApiNoContentResponse()
  @ApiProblems(400, 401, 422)
  changePassword(@CurrentPrincipal() me: Principal, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(me, dto);
  }

  @Get('profile/merchant')
  @StaffMay('manager')
  @Roles('merchant')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The merchant's profile" })
  @ApiOkResponse({ type: MerchantProfileDto })
  @ApiProblems(401, 403)
  merchantProfile(@CurrentPrincipal() me: Principal): Promise<MerchantProfileDto> {
    return this.merchants.profile(me.id);
  }

  @Get('profile/user')
  @Roles('user')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The customer's profile" })
  @ApiOkResponse({ type: UserProfileDto })
  @ApiProblems(401, 403)
  userProfile(@CurrentPrincipal() me: Principal): Promise<UserProfileDto> {
    return this.users.profile(me.id);
  }

  @Put('profile/merchant')
  @OwnerOnly()
  @Roles('merchant')
  @ApiBearerAuth()
  @ApiOperation({ summary: "Change the merchant's profile; a new email or phone needs current_password" })
  @ApiOkResponse({ type: MerchantProfileDto })
  @ApiProblems(401, 403, 404, 409, 422)
  updateMerchantProfile(
    @CurrentPrincipal() me: Principal,
    @Body() dto: UpdateMerchantProfileDto,
  ): Promise<MerchantProfileDto> {
    return this.merchants.updateProfile(me.id, dto);
  }

  @Put('profile/user')
  @Roles('user')
  @ApiBearerAuth()
  @ApiOperation({ summary: "Change the customer's profile; a new email or phone needs current_password" })
  @ApiOkResponse({ type: UserProfileDto })
  @ApiProblems(401, 403, 404, 409, 422)
  updateUserProfile(
    @CurrentPrincipal() me: Principal,
    @Body() dto: UpdateUserProfileDto,
  ): Promise<UserProfileDto> {
    return this.users.updateProfile(me.id, dto);
  }
}

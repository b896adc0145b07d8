import {
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  Put,
  Query,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  OptionalAuth,
  OwnerOnly,
  Public,
  Roles,
  StaffMay,
} from '../../common/auth/decorators.js';
import type { Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { NoStoreTokensInterceptor } from '../../common/http/no-store-tokens.interceptor.js';
import { V1 } from '../../common/v1/v1.js';
import { MerchantsService } from '../merchants/merchants.service.js';
import { PhoneLookupQuota, PhoneLookupThrottlerGuard } from '../users/phone-lookup-throttler.guard.js';
import { UsersService } from '../users/users.service.js';
import { AuthService } from './auth.service.js';
import { V1UpdateMerchantProfileDto, V1UpdateUserProfileDto } from './dto/update-profile.dto.js';
import {
  toV1Customer,
  toV1MerchantProfile,
  toV1Token,
  toV1UserProfile,
  V1CustomerDto,
  V1MerchantProfileDto,
  V1TokenDto,
  V1UserProfileDto,
} from './dto/v1-auth-response.dto.js';
import {
  V1LoginDto,
  V1PhoneLookupQueryDto,
  V1PhoneSearchQueryDto,
  V1RegisterMerchantDto,
  V1RegisterUserDto,
} from './dto/v1-auth.dto.js';

/** The original API's auth routes, over the same services as /api/v2/auth. */
@ApiTags('v1 auth (original API)')
@Controller({ path: 'auth', version: V1 })
@UseInterceptors(NoStoreTokensInterceptor)
export class AuthV1Controller {
  constructor(
    private readonly auth: AuthService,
    private readonly merchants: MerchantsService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('register/merchant')
  @HttpCode(200)
  @ApiOperation({ summary: 'Register a merchant; 200 with a token (business_name optional)' })
  @ApiOkResponse({ type: V1TokenDto })
  @ApiProblems(400, 422)
  async registerMerchant(@Body() dto: V1RegisterMerchantDto): Promise<V1TokenDto> {
    return toV1Token(await this.auth.registerMerchant(dto));
  }

  @Public()
  @Post('register/user')
  @HttpCode(200)
  @ApiOperation({ summary: 'Register a customer; 200 with a token' })
  @ApiOkResponse({ type: V1TokenDto })
  @ApiProblems(400, 422)
  async registerUser(@Body() dto: V1RegisterUserDto): Promise<V1TokenDto> {
    return toV1Token(await this.auth.registerUser(dto));
  }

  @Public()
  @Post('login/merchant')
  @HttpCode(200)
  @ApiOperation({ summary: 'Merchant login' })
  @ApiOkResponse({ type: V1TokenDto })
  @ApiProblems(401, 422, 429)
  async loginMerchant(@Body() dto: V1LoginDto): Promise<V1TokenDto> {
    return toV1Token(await this.auth.login('merchant', dto));
  }

  @Public()
  @Post('login/user')
  @HttpCode(200)
  @ApiOperation({ summary: 'Customer login' })
  @ApiOkResponse({ type: V1TokenDto })
  @ApiProblems(401, 422, 429)
  async loginUser(@Body() dto: V1LoginDto): Promise<V1TokenDto> {
    return toV1Token(await this.auth.login('user', dto));
  }

  @Get('profile/merchant')
  @StaffMay('manager')
  @Roles('merchant')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The merchant's profile (Aadhaar number masked)" })
  @ApiOkResponse({ type: V1MerchantProfileDto })
  @ApiProblems(401, 403, 404)
  async merchantProfile(@CurrentPrincipal() me: Principal): Promise<V1MerchantProfileDto> {
    return toV1MerchantProfile(await this.merchants.profile(me.id));
  }

  @Put('profile/merchant')
  @OwnerOnly()
  @Roles('merchant')
  @ApiBearerAuth()
  @ApiOperation({ summary: "Change the merchant's profile (email or phone: current_password too)" })
  @ApiOkResponse({ type: V1MerchantProfileDto })
  @ApiProblems(401, 403, 404, 409, 422)
  async updateMerchantProfile(
    @CurrentPrincipal() me: Principal,
    @Body() dto: V1UpdateMerchantProfileDto,
  ): Promise<V1MerchantProfileDto> {
    return toV1MerchantProfile(await this.merchants.updateProfile(me.id, dto));
  }

  @Get('profile/user')
  @Roles('user')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The customer's profile" })
  @ApiOkResponse({ type: V1UserProfileDto })
  @ApiProblems(401, 403, 404)
  async userProfile(@CurrentPrincipal() me: Principal): Promise<V1UserProfileDto> {
    return toV1UserProfile(await this.users.profile(me.id));
  }

  @Put('profile/user')
  @Roles('user')
  @ApiBearerAuth()
  @ApiOperation({ summary: "Change the customer's profile (email or phone: current_password too)" })
  @ApiOkResponse({ type: V1UserProfileDto })
  @ApiProblems(401, 403, 404, 409, 422)
  async updateUserProfile(
    @CurrentPrincipal() me: Principal,
    @Body() dto: V1UpdateUserProfileDto,
  ): Promise<V1UserProfileDto> {
    return toV1UserProfile(await this.users.updateProfile(me.id, dto));
  }

  @OptionalAuth()
  @UseGuards(PhoneLookupThrottlerGuard)
  @PhoneLookupQuota('address')
  @Get('lookup/user-by-phone')
  @ApiOperation({
    summary:
      'Find a customer by their whole phone number (no token needed; a merchant token shows the full name)',
  })
  @ApiOkResponse({ type: V1CustomerDto })
  @ApiProblems(404, 422, 429)
  async lookupUserByPhone(
    @CurrentPrincipal() me: Principal | undefined,
    @Query() query: V1PhoneLookupQueryDto,
  ): Promise<V1CustomerDto> {
    return toV1Customer(await this.users.findCustomerByPhone(query.phone, me));
  }

  @Roles('merchant')
  @UseGuards(PhoneLookupThrottlerGuard)
  @PhoneLookupQuota('merchant')
  @Get('search/users-by-phone')
  @StaffMay('cashier', 'manager')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Customers whose phone number contains these digits (merchants only)' })
  @ApiOkResponse({ type: [V1CustomerDto] })
  @ApiProblems(400, 401, 403, 422, 429)
  async searchUsersByPhone(
    @CurrentPrincipal() me: Principal,
    @Query() query: V1PhoneSearchQueryDto,
  ): Promise<V1CustomerDto[]> {
    return (await this.users.searchCustomersByPhone(query.phone, query.limit ?? 10, me.id)).map(toV1Customer);
  }
}

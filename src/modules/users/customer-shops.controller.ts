import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../common/auth/decorators.js';
import type { Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { PathId } from '../../common/http/path-id.js';
import { CustomerShopDto, CustomerShopsResponseDto } from './dto/customer-shop.dto.js';
import { CustomerShopsService } from './customer-shops.service.js';

const MerchantParam = ApiParam({
  name: 'merchant_id',
  type: 'integer',
  description: 'The shop (merchant) id.',
});

/** The customer's own list of shops that billed them, and their choice about each. */
@ApiTags('my shops')
@ApiBearerAuth()
@Roles('user')
@Controller('me/shops')
export class CustomerShopsController {
  constructor(private readonly shops: CustomerShopsService) {}

  @Get()
  @ApiOperation({
    summary: 'Shops that have billed you, each pending (to confirm), accepted or blocked',
  })
  @ApiOkResponse({ type: CustomerShopsResponseDto })
  @ApiProblems(401, 403)
  list(@CurrentPrincipal() me: Principal): Promise<CustomerShopsResponseDto> {
    return this.shops.list(me.id);
  }

  @Post(':merchant_id/accept')
  @HttpCode(200)
  @MerchantParam
  @ApiOperation({ summary: 'Confirm a shop: its bills count in your totals' })
  @ApiOkResponse({ type: CustomerShopDto })
  @ApiProblems(401, 403, 404, 422)
  accept(
    @CurrentPrincipal() me: Principal,
    @PathId('merchant_id') merchantId: number,
  ): Promise<CustomerShopDto> {
    return this.shops.accept(me.id, merchantId);
  }

  @Post(':merchant_id/block')
  @HttpCode(200)
  @MerchantParam
  @ApiOperation({
    summary: 'Block a shop: it can no longer bill you and its entries leave your views (not its own book)',
  })
  @ApiOkResponse({ type: CustomerShopDto })
  @ApiProblems(401, 403, 404, 422)
  block(
    @CurrentPrincipal() me: Principal,
    @PathId('merchant_id') merchantId: number,
  ): Promise<CustomerShopDto> {
    return this.shops.block(me.id, merchantId);
  }

  @Post(':merchant_id/unblock')
  @HttpCode(200)
  @MerchantParam
  @ApiOperation({ summary: 'Unblock a shop: it comes back as pending, to confirm again' })
  @ApiOkResponse({ type: CustomerShopDto })
  @ApiProblems(401, 403, 404, 422)
  unblock(
    @CurrentPrincipal() me: Principal,
    @PathId('merchant_id') merchantId: number,
  ): Promise<CustomerShopDto> {
    return this.shops.unblock(me.id, merchantId);
  }
}

import { ApiProperty } from '@nestjs/swagger';
import { SHOP_RELATIONS, type ShopRelation } from '../customer-shops.repository.js';

/** A shop that has billed the customer, and what the customer decided about it. */
export class CustomerShopDto {
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 'Sharma Kirana Store' }) business_name: string;
  @ApiProperty({ example: 'kirana', nullable: true, type: String }) business_type: string | null;
  @ApiProperty({ example: 'Pune', nullable: true, type: String }) city: string | null;
  @ApiProperty({
    enum: SHOP_RELATIONS,
    description:
      '`pending`: the shop billed you and you have not confirmed it yet (its bills are shown as unconfirmed and ' +
      'kept out of your totals); `accepted`: a shop you know; `blocked`: it cannot bill you and its entries are ' +
      'hidden from your views.',
  })
  relation: ShopRelation;
  @ApiProperty({ example: '2026-11-01T04:30:00.000Z' }) first_transaction_at: string;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) last_transaction_at: string;
  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'When you last changed the relation.',
  })
  relation_changed_at: string | null;
}

export class CustomerShopsResponseDto {
  @ApiProperty({ example: 1, description: 'Shops waiting for your confirmation.' }) pending_count: number;
  @ApiProperty({ type: [CustomerShopDto], description: 'Most recent bill first.' }) shops: CustomerShopDto[];
}

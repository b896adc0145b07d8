import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SHOP_RELATIONS, type ShopRelation } from '../customer-shops.repository.js';

/** The customer's khata account at a shop: what they owe and what the shop holds for them. */
export class ShopAccountDto {
  @ApiProperty({ example: 12, description: 'The account id.' }) id: number;
  @ApiProperty({ example: 740, description: 'Still owed on open bills, in rupees.' }) due: number;
  @ApiProperty({ example: 74000 }) due_paise: number;
  @ApiProperty({ example: 0, description: 'Paid in advance and not yet applied, in rupees.' })
  advance: number;
  @ApiProperty({ example: 0 }) advance_paise: number;
  @ApiProperty({ example: 740, description: 'due − advance, in rupees.' }) balance: number;
  @ApiProperty({ example: 74000 }) balance_paise: number;
}

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
  @ApiPropertyOptional({
    type: ShopAccountDto,
    nullable: true,
    description:
      'Your khata account at the shop (GET /me/shops/{merchant_id}/ledger for its entries); null at a blocked shop.',
  })
  account?: ShopAccountDto | null;
}

export class CustomerShopsResponseDto {
  @ApiProperty({ example: 1, description: 'Shops waiting for your confirmation.' }) pending_count: number;
  @ApiProperty({ type: [CustomerShopDto], description: 'Most recent bill first.' }) shops: CustomerShopDto[];
}

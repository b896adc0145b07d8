import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const TRANSACTION_TYPES = ['paid', 'pay_later'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];
export const TRANSACTION_STATUSES = ['paid', 'due', 'partially_paid'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];
export const PAYMENT_METHODS = ['cash', 'upi', 'card', 'online', 'bank_transfer', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** One line of a sale made with the MyManager calculator, as recorded. */
export class SaleItemResponseDto {
  @ApiProperty({ example: 'Basmati rice 1kg' }) name: string;
  @ApiProperty({ example: 2 }) quantity: number;
  @ApiProperty({ example: 45, description: 'Rupees.' }) unit_price: number;
}

/**
 * One transaction as every client sees it: REST, Socket.IO events, the legacy WebSocket path.
 * Money is given both in rupees (exact to the paisa) and in integer paise; instants are UTC ISO 8601.
 */
/** Who voided a sale, when and why. */
export class VoidedDto {
  @ApiProperty({ example: '2026-11-24T05:00:00.000Z' }) at: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Staff member; null for the owner.' }) by:
    number | null;
  @ApiProperty({ example: 'Typed 450 instead of 45' }) reason: string;
}

/** A payment's application to a bill. */
export class AllocationOnBillDto {
  @ApiProperty({ example: 88 }) payment_id: number;
  @ApiProperty({ example: 200 }) amount: number;
  @ApiProperty({ example: 20000 }) amount_paise: number;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) at: string;
}

export class TransactionResponseDto {
  @ApiProperty({ example: 1042 }) id: number;
  @ApiProperty({ example: 1042, description: 'Same as id (seed field name).' }) transaction_id: number;
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 'Sharma Kirana Store', nullable: true, type: String }) merchant_name: string | null;
  @ApiProperty({ example: 17, nullable: true, type: Number }) user_id: number | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) guest_user_id: number | null;
  @ApiProperty() is_guest_transaction: boolean;
  @ApiProperty({ example: 25.5 }) amount: number;
  @ApiProperty({ example: 2550 }) amount_paise: number;
  @ApiProperty({ example: 0, description: 'Paid so far, in rupees.' }) paid_amount: number;
  @ApiProperty({ example: 0 }) paid_paise: number;
  @ApiProperty({ example: 25.5, description: 'Still owed, in rupees.' }) due_amount: number;
  @ApiProperty({ example: 2550 }) due_paise: number;
  @ApiProperty({ enum: TRANSACTION_TYPES }) type: TransactionType;
  @ApiProperty({ enum: TRANSACTION_STATUSES }) status: TransactionStatus;
  @ApiProperty({ nullable: true, type: String, example: 'Coffee and pastry' }) description: string | null;
  @ApiProperty({ nullable: true, enum: PAYMENT_METHODS }) payment_method: PaymentMethod | null;
  @ApiProperty({ nullable: true, type: String }) reference_number: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) client_id: string | null;
  @ApiProperty({ example: 88, description: 'Change sequence: grows with every create or settle.' })
  seq: number;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) occurred_at: string;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z', description: 'Same as occurred_at (seed field name).' })
  timestamp: string;
  @ApiProperty({ example: '2026-11-24T04:30:01.000Z' }) created_at: string;
  @ApiProperty({ nullable: true, type: String }) settled_at: string | null;
  @ApiProperty({
    type: [SaleItemResponseDto],
    nullable: true,
    description: "The calculator's lines, when the sale was recorded with them.",
    example: [
      { name: 'Basmati rice 1kg', quantity: 2, unit_price: 45 },
      { name: 'Sugar', quantity: 3, unit_price: 12.5 },
    ],
  })
  items: SaleItemResponseDto[] | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2*45 + 3*12.5 - 10',
    description: "The calculator's arithmetic, as typed, when the sale was recorded with it.",
  })
  calculation: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The staff member who recorded it; null for the owner.',
  })
  recorded_by: number | null;
  @ApiProperty({
    nullable: true,
    type: VoidedDto,
    description: 'Set when the sale was voided: it stays for the record and counts in no sum or balance.',
  })
  voided: VoidedDto | null;
  @ApiProperty({ nullable: true, type: Number, description: 'The sale this one corrects (an edit).' })
  replaces: number | null;
  @ApiPropertyOptional({
    type: [AllocationOnBillDto],
    description: 'GET /transactions/{id} only: the payments applied to this bill, oldest first.',
  })
  allocations?: AllocationOnBillDto[];
  @ApiPropertyOptional({
    description:
      'Customer views only: true for a bill from a shop the customer has not confirmed yet (GET /me/shops); ' +
      'such bills are kept out of the confirmed totals.',
  })
  unconfirmed?: boolean;
}

/** The create response: the transaction plus the seed's confirmation fields. */
export class CreateTransactionResponseDto extends TransactionResponseDto {
  @ApiProperty({ example: 'Transaction created successfully' }) message: string;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: null,
    description:
      "Set when this sale repeats the shop's previous one (same buyer, amount and items, within 10 seconds): " +
      'the id of that sale, so the app can offer to undo a double tap. The sale is recorded either way.',
  })
  possible_duplicate_of: number | null;
}

/** An edit's result: the voided sale and the one that replaces it. */
export class EditedTransactionDto {
  @ApiProperty({ type: TransactionResponseDto }) voided: TransactionResponseDto;
  @ApiProperty({ type: TransactionResponseDto, description: 'The new sale (`replaces` names the old one).' })
  transaction: TransactionResponseDto;
}

/** One page of history; the HTTP layer puts `next_cursor` into `X-Next-Cursor` and `Link`. */
export interface HistoryPage {
  items: TransactionResponseDto[];
  nextCursor: string | null;
}

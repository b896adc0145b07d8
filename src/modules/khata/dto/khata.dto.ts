import { SaleItemResponseDto } from '../../transactions/dto/transaction-response.dto.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsRupeeAmount } from '../../../common/money/money.js';
import { IsInstant } from '../../../common/time/instant.js';
import { normalizeMethod } from '../../transactions/dto/create-transaction.dto.js';
import { PAYMENT_METHODS, type PaymentMethod } from '../../transactions/dto/transaction-response.dto.js';
import { ENTRY_KINDS, type EntryKind } from '../accounts.repository.js';

const ISO = { message: 'must be an ISO 8601 date or instant' };

class PageQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque keyset cursor from `X-Next-Cursor` (or `next_cursor`).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class CustomersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'asha', description: "Part of the customer's name or phone." })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class LedgerQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: '2026-11-01T00:00:00+05:30',
    description: 'Entries recorded at or after; the opening balance is the balance at this instant.',
  })
  @IsOptional()
  @IsInstant(ISO)
  from?: string;

  @ApiPropertyOptional({
    example: '2026-12-01T00:00:00+05:30',
    description: 'Entries recorded before; the closing balance is the balance at this instant.',
  })
  @IsOptional()
  @IsInstant(ISO)
  to?: string;
}

export class RecordPaymentDto {
  @ApiProperty({ type: Number, example: 500, description: 'Rupees received.' })
  @IsRupeeAmount()
  amount: number;

  @ApiProperty({ enum: PAYMENT_METHODS, example: 'upi' })
  @Transform(normalizeMethod)
  @IsIn(PAYMENT_METHODS, { message: `must be one of ${PAYMENT_METHODS.join(', ')}` })
  payment_method: PaymentMethod;

  @ApiPropertyOptional({
    example: 'GSB1042',
    description:
      'A UPI transaction reference `GSB<transaction_id>` naming an open bill of this account applies the ' +
      'payment to that bill first; `GSA<account_id>` (or anything else) allocates oldest bill first.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  reference_number?: string;

  @ApiPropertyOptional({ example: 'Paid by her son' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class VoidTransactionDto {
  @ApiProperty({
    example: 'Typed 450 instead of 45',
    description: 'Why the sale is voided (kept in the audit).',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}

export class AccountDto {
  @ApiProperty({ example: 12 }) id: number;
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 17, nullable: true, type: Number }) user_id: number | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) guest_user_id: number | null;
  @ApiProperty({ example: 'Asha Patil', nullable: true, type: String, description: 'Null for a guest.' })
  name: string | null;
  @ApiProperty({ example: '+919812345678', nullable: true, type: String }) phone: string | null;
  @ApiProperty({ example: 740, description: 'Still owed on open bills, in rupees.' }) due: number;
  @ApiProperty({ example: 74000 }) due_paise: number;
  @ApiProperty({ example: 0, description: 'Received and not yet applied to a bill, in rupees.' })
  advance: number;
  @ApiProperty({ example: 0 }) advance_paise: number;
  @ApiProperty({ example: 740, description: 'due − advance, in rupees.' }) balance: number;
  @ApiProperty({ example: 74000 }) balance_paise: number;
  @ApiProperty({ nullable: true, type: String, example: '2026-11-24T04:30:00.000Z' }) last_sale_at:
    string | null;
  @ApiProperty({ nullable: true, type: String }) last_payment_at: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Customer views: the shop.' })
  merchant_name?: string | null;
}

export class LedgerEntryDto {
  @ApiProperty({ example: 3, description: 'Position in the account, from 1.' }) entry_no: number;
  @ApiProperty({
    enum: ENTRY_KINDS,
    description:
      '`sale_credit` a pay-later sale; `sale_paid` a sale paid at once (no effect on the balance); `payment` money ' +
      'received on the account; `void` the reversal of a voided sale.',
  })
  kind: EntryKind;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z', description: 'When it happened (a sale: its time).' })
  occurred_at: string;
  @ApiProperty({ example: '2026-11-24T04:30:00.120Z', description: 'When it was written to the account.' })
  recorded_at: string;
  @ApiProperty({ nullable: true, type: Number, example: 1042 }) transaction_id: number | null;
  @ApiProperty({ nullable: true, type: Number, example: null }) payment_id: number | null;
  @ApiProperty({ example: 450, description: 'Signed effect on the balance, rupees (a payment is negative).' })
  amount: number;
  @ApiProperty({ example: 45000 }) amount_paise: number;
  @ApiProperty({ example: 740, description: 'The running balance after this entry, rupees.' })
  balance: number;
  @ApiProperty({ example: 74000 }) balance_paise: number;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({
    nullable: true,
    type: [SaleItemResponseDto],
    description: "The calculator's lines of the entry's sale, when it was recorded with them.",
  })
  items: SaleItemResponseDto[] | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Staff member; null for the owner.' })
  recorded_by: number | null;
}

export class LedgerDto {
  @ApiProperty({ type: AccountDto }) account: AccountDto;
  @ApiProperty({ example: 0, description: 'Balance at `from` (0 without it), rupees.' })
  opening_balance: number;
  @ApiProperty({ example: 0 }) opening_balance_paise: number;
  @ApiProperty({ example: 740, description: 'Balance at `to` (now without it), rupees.' })
  closing_balance: number;
  @ApiProperty({ example: 74000 }) closing_balance_paise: number;
  @ApiProperty({ type: [LedgerEntryDto] }) entries: LedgerEntryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'The next page (also in `X-Next-Cursor`).' })
  next_cursor: string | null;
}

export class AllocationDto {
  @ApiProperty({ example: 88 }) payment_id: number;
  @ApiProperty({ example: 1042 }) transaction_id: number;
  @ApiProperty({ example: 200 }) amount: number;
  @ApiProperty({ example: 20000 }) amount_paise: number;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) at: string;
}

export class PaymentDto {
  @ApiProperty({ example: 88 }) id: number;
  @ApiProperty({ example: 12 }) account_id: number;
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 500 }) amount: number;
  @ApiProperty({ example: 50000 }) amount_paise: number;
  @ApiProperty({ enum: PAYMENT_METHODS }) payment_method: PaymentMethod;
  @ApiProperty({ nullable: true, type: String }) reference_number: string | null;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty({ nullable: true, type: Number }) recorded_by: number | null;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) created_at: string;
  @ApiProperty({
    type: [AllocationDto],
    description: 'The bills it paid, oldest first (the last one maybe in part).',
  })
  allocations: AllocationDto[];
  @ApiProperty({ example: 0, description: 'Left over and held as an advance, rupees.' }) advance: number;
  @ApiProperty({ example: 0 }) advance_paise: number;
  @ApiProperty({ type: AccountDto, description: 'The account after the payment.' }) account: AccountDto;
}

export class AuditEntryDto {
  @ApiProperty({ example: 5 }) id: number;
  @ApiProperty({ example: 1042 }) transaction_id: number;
  @ApiProperty({
    enum: ['void', 'edit', 'replacement'],
    description:
      '`void`; `edit` (voided and replaced: details.replaced_by); `replacement` (details.replaces).',
  })
  action: 'void' | 'edit' | 'replacement';
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Staff member; null for the owner.' })
  recorded_by: number | null;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) at: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { replaced_by: 1043 } })
  details: Record<string, unknown>;
}

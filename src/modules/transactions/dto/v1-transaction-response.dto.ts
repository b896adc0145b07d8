import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { lastDigits } from '../../../common/http/phone.js';
import { v1Instant } from '../../../common/v1/v1.js';
import type { GuestUserDto, GuestUserWithTransactionDto } from '../../guests/dto/guest-user.dto.js';
import type { AnalyticsDto } from './analytics.dto.js';
import type { CreateTransactionDto } from './create-transaction.dto.js';
import type {
  CreateTransactionResponseDto,
  TransactionResponseDto,
  TransactionStatus,
} from './transaction-response.dto.js';
import type { V1CreateTransactionDto } from './v1-transaction.dto.js';

/*
 * The original API's transaction shapes, mapped from the v2 DTOs. Its two words for a sale are
 * `payed` (nothing owed: paid at the counter, or a bill settled in full) and `pending` (a bill with
 * something still owed); amounts are rupees exact to the paisa; time stamps end in `Z`.
 */

/** `payed` or `pending`, as the original's history and user transactions spell it. */
export function v1Type(status: TransactionStatus): 'payed' | 'pending' {
  return status === 'paid' ? 'payed' : 'pending';
}

/** `PAYED` or `PAY_LATER`, as the original's guest list and orders socket spell it. */
export function v1UpperType(status: TransactionStatus | string | null): 'PAYED' | 'PAY_LATER' {
  return status === 'paid' ? 'PAYED' : 'PAY_LATER';
}

/** A v1 create request as the shared service takes it: a guest sale ignores `user_id`, as the original did. */
export function fromV1Create(dto: V1CreateTransactionDto): CreateTransactionDto {
  const guest = dto.is_guest_transaction === true;
  return {
    user_id: guest ? null : (dto.user_id ?? null),
    amount: dto.amount,
    type: dto.type,
    description: dto.description ?? null,
    payment_method: dto.payment_method ?? null,
    is_guest_transaction: guest,
  };
}

export class V1CreatedDto {
  @ApiProperty({ example: 'Transaction created successfully' }) message: string;
  @ApiProperty() transaction_id: number;
  @ApiProperty({ description: 'The customer, or the guest id for a guest sale.' }) user_id: number;
  @ApiProperty() merchant_id: number;
  @ApiProperty() is_guest_transaction: boolean;
  @ApiProperty({ example: 3.33, description: 'The amount as stored (rounded to the paisa).' }) amount: number;
}

export function toV1Created(t: CreateTransactionResponseDto): V1CreatedDto {
  return {
    message: t.message,
    transaction_id: t.transaction_id,
    user_id: (t.user_id ?? t.guest_user_id)!,
    merchant_id: t.merchant_id,
    is_guest_transaction: t.is_guest_transaction,
    amount: t.amount,
  };
}

export class V1SimpleDto {
  @ApiProperty({ example: 'Simple transaction endpoint works' }) message: string;
  @ApiProperty({ example: 3.33 }) amount: number;
  @ApiProperty({ example: 'TransactionType.PAYED' }) type: string;
  @ApiProperty({ example: 'PaymentMethod.CASH' }) payment_method: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() is_guest_transaction: boolean;
}

/** The original's debug echo of a create request, validated as a create is; nothing is stored. */
export function toV1Simple(dto: V1CreateTransactionDto): V1SimpleDto {
  return {
    message: 'Simple transaction endpoint works',
    amount: dto.amount,
    type: dto.type === 'paid' ? 'TransactionType.PAYED' : 'TransactionType.PAY_LATER',
    payment_method: dto.payment_method ? `PaymentMethod.${dto.payment_method.toUpperCase()}` : 'None',
    description: dto.description ?? null,
    is_guest_transaction: dto.is_guest_transaction === true,
  };
}

export class V1UserDetailsDto {
  @ApiProperty({ example: 'Priya Sharma' }) name: string;
  @ApiProperty({ example: '3210' }) phone_last_4: string;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'Never sent.' }) email: null;
}

/** The fields a merchant's history row and a customer's own row share. */
export class V1SaleDto {
  @ApiProperty() transaction_id: number;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) timestamp: string;
  @ApiProperty({ example: 25.5 }) amount: number;
  @ApiProperty({ enum: ['payed', 'pending'] }) type: 'payed' | 'pending';
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ nullable: true, type: String }) payment_method: string | null;
  @ApiProperty() guest_user: boolean;
}

export class V1HistoryItemDto extends V1SaleDto {
  @ApiProperty({ nullable: true, type: Number, description: 'Null for a guest sale.' }) user_id:
    number | null;
  @ApiProperty({ nullable: true, type: Number }) guest_user_id: number | null;
  @ApiPropertyOptional({ nullable: true, type: V1UserDetailsDto }) user_details: V1UserDetailsDto | null;
}

export class V1UserTransactionDto extends V1SaleDto {
  @ApiProperty() user_id: number;
}

function toV1Sale(t: TransactionResponseDto): V1SaleDto {
  return {
    transaction_id: t.transaction_id,
    timestamp: v1Instant(t.occurred_at),
    amount: t.amount,
    type: v1Type(t.status),
    description: t.description,
    payment_method: t.payment_method,
    guest_user: t.guest_user_id !== null,
  };
}

/** What a merchant sees of a registered buyer: name and the last 4 digits of the phone, never the email. */
export function toV1UserDetails(buyer: { name: string; phone: string } | undefined): V1UserDetailsDto | null {
  return buyer ? { name: buyer.name, phone_last_4: lastDigits(buyer.phone), email: null } : null;
}

const GUEST_DETAILS: V1UserDetailsDto = { name: 'Guest', phone_last_4: '****', email: null };

/** A history row; registered buyers carry their name and the last 4 digits of their phone. */
export function toV1HistoryItem(
  t: TransactionResponseDto,
  buyers: Map<number, { name: string; phone: string }>,
): V1HistoryItemDto {
  const buyer = t.user_id === null ? undefined : buyers.get(t.user_id);
  return {
    ...toV1Sale(t),
    user_id: t.user_id,
    guest_user_id: t.guest_user_id,
    user_details: t.guest_user_id !== null ? GUEST_DETAILS : toV1UserDetails(buyer),
  };
}

export function toV1UserTransaction(t: TransactionResponseDto): V1UserTransactionDto {
  return { ...toV1Sale(t), user_id: t.user_id! };
}

export class V1AnalyticsDto {
  @ApiProperty({ example: 1520.5 }) total_sales: number;
  @ApiProperty({ example: 42 }) total_transactions: number;
  @ApiProperty({ example: 310 }) total_pending: number;
  @ApiProperty({ example: 43.58 }) avg_transaction: number;
}

export function toV1Analytics(a: AnalyticsDto): V1AnalyticsDto {
  return {
    total_sales: a.total_sales,
    total_transactions: a.total_transactions,
    total_pending: a.total_pending,
    avg_transaction: a.avg_transaction,
  };
}

export class V1GuestDto {
  @ApiProperty() id: number;
  @ApiProperty() merchant_id: number;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) timestamp: string;
}

export class V1GuestSaleDto extends V1GuestDto {
  @ApiProperty({ example: 15.75 }) transaction_amount: number;
  @ApiProperty({ enum: ['PAYED', 'PAY_LATER'] }) transaction_type: 'PAYED' | 'PAY_LATER';
  @ApiProperty({ nullable: true, type: String }) transaction_description: string | null;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) transaction_date: string;
  @ApiProperty({ nullable: true, type: String }) payment_method: string | null;
}

export function toV1Guest(g: GuestUserDto): V1GuestDto {
  return { id: g.id, merchant_id: g.merchant_id, timestamp: v1Instant(g.created_at) };
}

export function toV1GuestSale(g: GuestUserWithTransactionDto): V1GuestSaleDto {
  return {
    ...toV1Guest(g),
    transaction_amount: g.amount ?? 0,
    transaction_type: v1UpperType(g.status),
    transaction_description: g.description,
    transaction_date: v1Instant(g.transaction_date ?? g.created_at),
    payment_method: g.payment_method,
  };
}

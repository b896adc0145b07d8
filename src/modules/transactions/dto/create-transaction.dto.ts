import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  isUUID,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
} from 'class-validator';
import { precompileBody } from '../../../common/errors/validation.js';
import { isRupeeAmount, IsRupeeAmount } from '../../../common/money/money.js';
import { IsInstant, parseInstant } from '../../../common/time/instant.js';
import {
  PAYMENT_METHODS,
  TRANSACTION_TYPES,
  type PaymentMethod,
  type TransactionType,
} from './transaction-response.dto.js';

/** The seed's spellings (`payed`, `pending`) and any case map to `paid` / `pay_later`. */
export function normalizeType(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase().replace(/[\s-]/g, '_');
  if (v === 'payed') return 'paid';
  if (v === 'pending' || v === 'paylater' || v === 'credit') return 'pay_later';
  return v;
}

const methodOf = (value: unknown) =>
  typeof value === 'string' ? value.trim().toLowerCase().replace(/[\s-]/g, '_') : value;
const trim = (value: unknown) => (typeof value === 'string' ? value.trim() : value);
export const normalizeMethod = ({ value }: { value: unknown }) => methodOf(value);
const trimmed = ({ value }: { value: unknown }) => trim(value);

export class CreateTransactionDto {
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    example: 1,
    description: 'The registered customer; omit for a guest sale.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  user_id?: number | null;

  @ApiProperty({ example: 25.5, description: 'Rupees, at most 2 decimals, up to ₹1 crore.' })
  @IsRupeeAmount()
  amount: number;

  @ApiProperty({
    example: 'paid',
    description: '`paid` or `pay_later`; the seed spellings `payed` and `pending` are accepted, in any case.',
  })
  @Transform(({ value }) => normalizeType(value))
  @IsIn(TRANSACTION_TYPES, { message: 'must be paid or pay_later (payed and pending are accepted)' })
  type: TransactionType;

  @ApiPropertyOptional({ type: String, example: 'Coffee and pastry', nullable: true })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ enum: PAYMENT_METHODS, example: 'upi', nullable: true, description: 'Any case.' })
  @IsOptional()
  @Transform(normalizeMethod)
  @IsIn(PAYMENT_METHODS, { message: `must be one of ${PAYMENT_METHODS.join(', ')}` })
  payment_method?: PaymentMethod | null;

  @ApiPropertyOptional({ type: String, example: 'UPI-4815162342', nullable: true })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(100)
  reference_number?: string | null;

  @ApiPropertyOptional({
    type: Boolean,
    nullable: true,
    example: false,
    description: 'A walk-in buyer: a guest is created with the sale.',
  })
  @IsOptional()
  @IsBoolean()
  is_guest_transaction?: boolean | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    description: 'An unused guest from POST /transactions/guest-user to bind to this sale.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  guest_user_id?: number | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-11-24T04:30:00Z',
    description: 'When the sale happened, for sales recorded offline; at most 5 minutes in the future.',
  })
  @IsOptional()
  @IsInstant({ message: 'must be an ISO 8601 instant such as 2026-11-24T04:30:00Z' })
  occurred_at?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uuid',
    description: "An offline client's id for the sale: sending it again returns the existing transaction.",
  })
  @IsOptional()
  @IsUUID('all')
  client_id?: string | null;
}

/** One field of the precompiled check: the DTO's `@Transform`, then whether its decorators accept the value. */
interface FieldRule {
  transform?: (value: unknown) => unknown;
  accepts: (value: unknown) => boolean;
}

const optional =
  (accepts: (value: unknown) => boolean) =>
  (value: unknown): boolean =>
    value === null || value === undefined || accepts(value);
const positiveInt = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 1;
const oneOf = (values: readonly string[]) => (value: unknown) => values.some((v) => v === value);
/** class-validator counts a surrogate pair as one character, so `length` ≤ max is always within it. */
const stringUpTo = (max: number) => (value: unknown) => typeof value === 'string' && value.length <= max;

/** The decorators of {@link CreateTransactionDto}, field by field (its spec holds the two together). */
const CREATE_RULES: Record<string, FieldRule> = {
  user_id: { accepts: optional(positiveInt) },
  amount: { accepts: isRupeeAmount },
  type: { transform: normalizeType, accepts: oneOf(TRANSACTION_TYPES) },
  description: { transform: trim, accepts: optional(stringUpTo(500)) },
  payment_method: { transform: methodOf, accepts: optional(oneOf(PAYMENT_METHODS)) },
  reference_number: { transform: trim, accepts: optional(stringUpTo(100)) },
  is_guest_transaction: { accepts: optional((value) => typeof value === 'boolean') },
  guest_user_id: { accepts: optional(positiveInt) },
  occurred_at: { accepts: optional((value) => parseInstant(value) !== undefined) },
  client_id: { accepts: optional((value) => isUUID(value, 'all')) },
};

/**
 * The sale body checked in one pass (the busiest route): a plain object of known fields, each valid,
 * `amount` and `type` present. Anything else — an unknown field, a wrong value — goes through
 * class-validator, which words the 422.
 */
export function checkCreateTransaction(body: unknown): CreateTransactionDto | undefined {
  if (typeof body !== 'object' || body === null || Object.getPrototypeOf(body) !== Object.prototype)
    return undefined;
  const dto = new CreateTransactionDto() as unknown as Record<string, unknown>;
  for (const [field, raw] of Object.entries(body)) {
    const rule = Object.hasOwn(CREATE_RULES, field) ? CREATE_RULES[field] : undefined;
    if (!rule) return undefined;
    const value = rule.transform ? rule.transform(raw) : raw;
    if (!rule.accepts(value)) return undefined;
    dto[field] = value;
  }
  return Object.hasOwn(dto, 'amount') && Object.hasOwn(dto, 'type')
    ? (dto as unknown as CreateTransactionDto)
    : undefined;
}

precompileBody(CreateTransactionDto, checkCreateTransaction);

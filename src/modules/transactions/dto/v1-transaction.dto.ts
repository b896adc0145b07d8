import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_AMOUNT_PAISE, paiseToRupees, rupeesToPaiseRounded } from '../../../common/money/money.js';
import { LenientFields, v1Rule } from '../../../common/v1/v1.js';
import { normalizeMethod, normalizeType } from './create-transaction.dto.js';
import type { HistoryQueryDto } from './history-query.dto.js';
import {
  PAYMENT_METHODS,
  TRANSACTION_TYPES,
  type PaymentMethod,
  type TransactionType,
} from './transaction-response.dto.js';

/*
 * /api/v1 transaction requests: the original's fields and leniency (unknown fields ignored, numeric
 * strings, loose booleans, any number of decimals), mapped onto the same service as /api/v2.
 */

const MAX_RUPEES = MAX_AMOUNT_PAISE / 100;
const LOOSE_TRUE = new Set(['true', 't', 'yes', 'y', 'on', '1']);
const LOOSE_FALSE = new Set(['false', 'f', 'no', 'n', 'off', '0']);

/** Pydantic's lax booleans: "yes", "true", 1 and the like. */
export function looseBoolean({ value }: { value: unknown }): unknown {
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  return LOOSE_TRUE.has(v) ? true : LOOSE_FALSE.has(v) ? false : value;
}

/** Numeric strings such as "1" are integers too. */
export function looseInteger({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value) ? Number(value) : value;
}

/** Any finite positive number, rounded to the paisa (half away from zero); 0 when it rounds to nothing. */
function roundedAmount({ value }: { value: unknown }): unknown {
  const paise = rupeesToPaiseRounded(value);
  if (paise !== undefined) return paiseToRupees(paise);
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? 0 : value;
}

const TYPE_ENUM = v1Rule('enum', "Input should be 'payed' or 'pending' (or 'paid', 'pay_later')", {
  expected: "'payed' or 'pending'",
});
const METHOD_ENUM = v1Rule('enum', `Input should be ${PAYMENT_METHODS.map((m) => `'${m}'`).join(', ')}`, {
  expected: "'online' or 'cash'",
});
const INT = v1Rule('int_parsing', 'Input should be a valid integer');

@LenientFields()
export class V1CreateTransactionDto {
  @ApiPropertyOptional({
    example: 1,
    nullable: true,
    description: 'A registered customer; ignored for guests.',
  })
  @IsOptional()
  @Transform(looseInteger)
  @IsInt(INT)
  @Min(1, v1Rule('greater_than_equal', 'Input should be greater than or equal to 1', { ge: 1 }))
  user_id?: number | null;

  @ApiProperty({ example: 25.5, description: 'Rupees; any decimals, rounded to the paisa.' })
  @Transform(roundedAmount)
  @IsNumber({}, v1Rule('float_parsing', 'Input should be a valid number'))
  @IsPositive(v1Rule('greater_than', 'Input should be greater than 0', { gt: 0.0 }))
  @Max(
    MAX_RUPEES,
    v1Rule('less_than_equal', `Input should be less than or equal to ${MAX_RUPEES}`, { le: MAX_RUPEES }),
  )
  amount: number;

  @ApiProperty({ example: 'payed', description: '`payed` or `pending`; `paid` and `pay_later` too.' })
  @Transform(({ value }) => normalizeType(value))
  @IsIn(TRANSACTION_TYPES, TYPE_ENUM)
  type: TransactionType;

  @ApiPropertyOptional({ example: 'Pay Now transaction of 25.5', nullable: true })
  @IsOptional()
  @IsString(v1Rule('string_type', 'Input should be a valid string'))
  @MaxLength(500, v1Rule('string_too_long', 'String should have at most 500 characters', { max_length: 500 }))
  description?: string | null;

  @ApiPropertyOptional({
    example: 'cash',
    nullable: true,
    description: '`cash` or `online`; any v2 method too.',
  })
  @IsOptional()
  @Transform(normalizeMethod)
  @IsIn(PAYMENT_METHODS, METHOD_ENUM)
  payment_method?: PaymentMethod | null;

  @ApiPropertyOptional({ example: false, default: false })
  @IsOptional()
  @Transform(looseBoolean)
  @IsBoolean(v1Rule('bool_parsing', 'Input should be a valid boolean'))
  is_guest_transaction?: boolean | null;
}

const LIMIT_MAX = v1Rule('less_than_equal', 'Input should be less than or equal to 200', { le: 200 });
const NOT_NEGATIVE = v1Rule('greater_than_equal', 'Input should be greater than or equal to 0', { ge: 0 });

/** `limit` (at most 200; 0 gives an empty page) and `offset`, as the original's list routes take them. */
@LenientFields()
export class V1PageQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 0, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt(INT)
  @Min(0, NOT_NEGATIVE)
  @Max(200, LIMIT_MAX)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt(INT)
  @Min(0, NOT_NEGATIVE)
  @Max(
    1_000_000,
    v1Rule('less_than_equal', 'Input should be less than or equal to 1000000', { le: 1_000_000 }),
  )
  offset?: number;
}

/** `days`: 1 to 365, default 30. */
@LenientFields()
export class V1DaysQueryDto {
  @ApiPropertyOptional({ default: 30, minimum: 1, maximum: 365 })
  @IsOptional()
  @Type(() => Number)
  @IsInt(INT)
  @Min(1, v1Rule('greater_than_equal', 'Input should be greater than or equal to 1', { ge: 1 }))
  @Max(365, v1Rule('less_than_equal', 'Input should be less than or equal to 365', { le: 365 }))
  days?: number;
}

/** The history's query: `limit`, `offset` and `days`. */
@LenientFields()
export class V1HistoryQueryDto extends IntersectionType(V1PageQueryDto, V1DaysQueryDto) {}

@LenientFields()
export class V1CreateGuestUserDto {
  @ApiProperty({ description: 'Required, but the guest always belongs to the calling merchant.' })
  @Transform(looseInteger)
  @IsInt(INT)
  merchant_id: number;
}

@LenientFields()
export class V1MerchantParamDto {
  @ApiProperty({ example: 3 })
  @Type(() => Number)
  @IsInt(v1Rule('int_parsing', 'Input should be a valid integer, unable to parse string as an integer'))
  @Min(1, v1Rule('greater_than_equal', 'Input should be greater than or equal to 1', { ge: 1 }))
  @Max(2_147_483_647, v1Rule('less_than_equal', 'Input should be less than or equal to 2147483647'))
  merchant_id: number;
}

const DAY_MS = 86_400_000;

/** The original's history window, "the last `days` days" (default 30), as the shared history query. */
export function toHistoryQuery(q: V1HistoryQueryDto, now = Date.now()): HistoryQueryDto {
  return {
    limit: q.limit ?? 50,
    offset: q.offset ?? 0,
    from: new Date(now - (q.days ?? 30) * DAY_MS).toISOString(),
  };
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  isUUID,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
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

/** At most this many lines on one sale, each name at most {@link MAX_ITEM_NAME} characters. */
export const MAX_ITEMS = 100;
export const MAX_ITEM_NAME = 100;
/** A line's quantity: more than 0, at most 1,000,000, at most 3 decimals (grams of a kilogram). */
export const MAX_QUANTITY = 1_000_000;
/** A line's unit price in rupees: 0 or more, at most ₹1 crore, at most 2 decimals. */
export const MAX_UNIT_PRICE = 10_000_000;
export const MAX_CALCULATION_TEXT = 500;

/**
 * Whether `value` is a JSON number that is an exact decimal of at most `decimals` places in
 * [`min`, `max`] (`min` itself only when `minInclusive`): its shortest text, the digits the client
 * sent, has no exponent.
 */
function exactDecimal(value: unknown, digits: RegExp, min: number, max: number, minInclusive: boolean) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (value > max || value < min || (!minInclusive && value === min)) return false;
  return digits.test(String(value));
}

const UP_TO_3_DECIMALS = /^\d+(\.\d{1,3})?$/;
const UP_TO_2_DECIMALS = /^\d+(\.\d{1,2})?$/;
export const isQuantity = (value: unknown) => exactDecimal(value, UP_TO_3_DECIMALS, 0, MAX_QUANTITY, false);
export const isUnitPrice = (value: unknown) => exactDecimal(value, UP_TO_2_DECIMALS, 0, MAX_UNIT_PRICE, true);

function Accepts(name: string, accepts: (value: unknown) => boolean, message: string): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message } satisfies ValidationOptions,
      validator: { validate: accepts },
    });
}

/** One line of the MyManager calculator's bill. */
export class SaleItemDto {
  @ApiProperty({ example: 'Basmati rice 1kg', maxLength: MAX_ITEM_NAME })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_ITEM_NAME)
  name: string;

  @ApiProperty({ example: 2, description: 'More than 0, at most 1,000,000, at most 3 decimals.' })
  @Accepts('isQuantity', isQuantity, 'must be a number more than 0 with at most 3 decimals, up to 1000000')
  quantity: number;

  @ApiProperty({ example: 45, description: 'Rupees: 0 or more, at most 2 decimals, up to ₹1 crore.' })
  @Accepts(
    'isUnitPrice',
    isUnitPrice,
    'must be a rupee amount of 0 or more with at most 2 decimals, up to 10000000',
  )
  unit_price: number;
}

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

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 25.5,
    description:
      'Rupees, at most 2 decimals, up to ₹1 crore. May be omitted when `items` or `calculation` is given: ' +
      'it is then their total; when given as well it must equal that total (422 otherwise).',
  })
  @ValidateIf((o: CreateTransactionDto) => o.amount != null || (o.items == null && o.calculation == null))
  @IsRupeeAmount()
  amount?: number | null;

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

  @ApiPropertyOptional({
    type: [SaleItemDto],
    nullable: true,
    maxItems: MAX_ITEMS,
    description:
      'The bill line by line (1 to 100 lines). The sale is Σ quantity × unit_price, computed exactly and ' +
      'rounded once to the paisa, half away from zero.',
    example: [
      { name: 'Basmati rice 1kg', quantity: 2, unit_price: 45 },
      { name: 'Sugar', quantity: 3, unit_price: 12.5 },
    ],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => SaleItemDto)
  items?: SaleItemDto[] | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: MAX_CALCULATION_TEXT,
    example: '2*45 + 3*12.5 - 10',
    description:
      'The MyManager calculator: numbers, `+ - * /`, brackets, unary minus and `%` (after `+`/`-` a share ' +
      'of the left side: `200 - 10%` is 180; elsewhere a hundredth). Evaluated exactly; only the total is ' +
      'rounded to the paisa, half away from zero. With `items` too, both must come to the same total.',
  })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(MAX_CALCULATION_TEXT)
  calculation?: string | null;
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
  // Absent is allowed (with items or a calculation, checked below); null goes to the full pipe.
  amount: { accepts: isRupeeAmount },
  type: { transform: normalizeType, accepts: oneOf(TRANSACTION_TYPES) },
  description: { transform: trim, accepts: optional(stringUpTo(500)) },
  payment_method: { transform: methodOf, accepts: optional(oneOf(PAYMENT_METHODS)) },
  reference_number: { transform: trim, accepts: optional(stringUpTo(100)) },
  is_guest_transaction: { accepts: optional((value) => typeof value === 'boolean') },
  guest_user_id: { accepts: optional(positiveInt) },
  occurred_at: { accepts: optional((value) => parseInstant(value) !== undefined) },
  client_id: { accepts: optional((value) => isUUID(value, 'all')) },
  items: { transform: saleItems, accepts: optional(Array.isArray) },
  calculation: { transform: trim, accepts: optional(stringUpTo(MAX_CALCULATION_TEXT)) },
};

const ITEM_RULES: Record<string, FieldRule> = {
  name: {
    transform: trim,
    accepts: (v) => typeof v === 'string' && v.length >= 1 && v.length <= MAX_ITEM_NAME,
  },
  quantity: { accepts: isQuantity },
  unit_price: { accepts: isUnitPrice },
};

/**
 * The lines as class-transformer builds them (a {@link SaleItemDto} each, fields in the body's order,
 * names trimmed), or `false` (refused: the full pipe words why) unless every line is a plain object of valid fields.
 */
function saleItems(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_ITEMS) return false;
  const out: SaleItemDto[] = [];
  for (const line of value) {
    const item = checkFields(line, ITEM_RULES, new SaleItemDto());
    if (!item || Object.keys(item).length !== 3) return false;
    out.push(item);
  }
  return out;
}

/** Copies `body`'s fields into `into` through `rules`, or undefined at the first unknown or invalid one. */
function checkFields<T extends object>(
  body: unknown,
  rules: Record<string, FieldRule>,
  into: T,
): T | undefined {
  if (typeof body !== 'object' || body === null || Object.getPrototypeOf(body) !== Object.prototype)
    return undefined;
  const out = into as Record<string, unknown>;
  for (const [field, raw] of Object.entries(body)) {
    const rule = Object.hasOwn(rules, field) ? rules[field] : undefined;
    if (!rule) return undefined;
    const value = rule.transform ? rule.transform(raw) : raw;
    if (!rule.accepts(value)) return undefined;
    out[field] = value;
  }
  return into;
}

/**
 * The sale body checked in one pass (the busiest route): a plain object of known fields, each valid,
 * `type` present, and `amount` present unless `items` or `calculation` is. Anything else — an unknown field, a wrong value — goes through
 * class-validator, which words the 422.
 */
export function checkCreateTransaction(body: unknown): CreateTransactionDto | undefined {
  const dto = checkFields(body, CREATE_RULES, new CreateTransactionDto());
  if (!dto || !Object.hasOwn(dto, 'type')) return undefined;
  const computed = (dto.items ?? null) !== null || (dto.calculation ?? null) !== null;
  return Object.hasOwn(dto, 'amount') || computed ? dto : undefined;
}

precompileBody(CreateTransactionDto, checkCreateTransaction);

import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, MaxLength } from 'class-validator';
import { LenientFields } from '../../../common/v1/v1.js';
import { HistoryQueryDto } from '../../transactions/dto/history-query.dto.js';
import { V1UserDetailsDto } from '../../transactions/dto/v1-transaction-response.dto.js';
import {
  MerchantDashboardQueryDto,
  TimeZoneQueryDto,
  TopCustomersQueryDto,
} from '../dto/dashboard-query.dto.js';

/* Requests: the original ignored fields it did not know, so these drop them (v2 rejects them). */

/** `days` (1–366 local days, default 30). */
@LenientFields()
export class MerchantDashboardV1QueryDto extends MerchantDashboardQueryDto {}

/** `tz`: the customer's zone for weeks and months (default Asia/Kolkata). */
@LenientFields()
export class CustomerZoneV1QueryDto extends TimeZoneQueryDto {}

/** The original's `limit` (1–50, default 10), without v2's `days`. */
@LenientFields()
export class TopCustomersV1QueryDto extends PickType(TopCustomersQueryDto, ['limit'] as const) {}

@LenientFields()
export class PeriodV1QueryDto {
  @ApiPropertyOptional({
    default: 'monthly',
    description:
      '`daily`, `weekly` (from Monday), `monthly`, `yearly`; anything else: the last 31 days. Echoed.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  period: string = 'monthly';
}

@LenientFields()
export class SpendingV1QueryDto extends TimeZoneQueryDto {
  @ApiPropertyOptional({ default: 'monthly', description: 'Echoed; it changes nothing.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  period: string = 'monthly';
}

@LenientFields()
export class ShopTransactionsV1ParamsDto {
  @ApiProperty({ example: 3 })
  // Decimal digits only, as the original's integer parsing: `1e3` or `0x10` stay text and fail IsInt.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : value,
  )
  @IsInt()
  merchant_id: number;
}

/** `limit` (1–200, default 50) and `offset` (default 0), as in the history. */
@LenientFields()
export class ShopTransactionsV1QueryDto extends PickType(HistoryQueryDto, ['limit', 'offset'] as const) {}

/* Responses: the original API's shapes. Amounts are rupees, exact to the paisa; instants are UTC with `Z`. */

export class RecentTransactionV1Dto {
  @ApiProperty({ example: 1042 }) transaction_id: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The registered customer; null for a guest.' })
  user_id: number | null;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) timestamp: string;
  @ApiProperty({ example: 25.5 }) amount: number;
  @ApiProperty({ enum: ['payed', 'pending'], description: '`pending` while anything is still owed.' })
  type: 'payed' | 'pending';
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: String, nullable: true }) payment_method: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The guest id for a guest sale, else null.' })
  guest_user: number | null;
  @ApiProperty({ type: V1UserDetailsDto, nullable: true, description: 'Null for guests.' })
  user_details: V1UserDetailsDto | null;
}

export class MerchantDashboardV1Dto {
  @ApiProperty({ example: 1540.5, description: 'Paid so far on the sales of the window.' })
  total_sales: number;
  @ApiProperty({ example: 112 }) total_transactions: number;
  @ApiProperty({ example: 230, description: 'Still owed on the sales of the window.' }) total_pending: number;
  @ApiProperty({ example: 158.04, description: 'Mean sale amount.' }) avg_transaction: number;
  @ApiProperty({ example: 12, description: 'Guest sales in the window (one guest per sale).' })
  guest_users_count: number;
  @ApiProperty({ type: [RecentTransactionV1Dto], description: 'The 10 newest sales of the window.' })
  recent_transactions: RecentTransactionV1Dto[];
}

export class TopCustomerV1Dto {
  @ApiPropertyOptional({ example: 17, description: 'Registered customers only.' }) user_id?: number;
  @ApiPropertyOptional({ example: 5, description: 'Guests only.' }) guest_user_id?: number;
  @ApiProperty({ example: 5400.5 }) total_amount: number;
  @ApiProperty({ example: 9 }) transaction_count: number;
  @ApiProperty({ enum: ['registered', 'guest'] }) type: 'registered' | 'guest';
}

export class DateRangeV1Dto {
  @ApiProperty({ example: '2026-11-01' }) start: string;
  @ApiProperty({ example: '2026-11-24' }) end: string;
}

export class AnalyticsSummaryV1Dto {
  @ApiProperty({ example: 1540.5 }) total_sales: number;
  @ApiProperty({ example: 230 }) total_pending: number;
  @ApiProperty({ example: 112 }) total_transactions: number;
  @ApiProperty({ example: 15.8, description: 'Mean sale amount.' }) avg_transaction: number;
  @ApiProperty({ example: 31 }) unique_customers: number;
  @ApiProperty({ example: 12, description: 'Guest sales (one guest per sale).' }) guest_customers: number;
}

export class GrowthV1Dto {
  @ApiProperty({ example: 12.5 }) sales_growth_percent: number;
  @ApiProperty({ example: -3.2 }) transaction_growth_percent: number;
}

export class MethodTotalsV1Dto {
  @ApiProperty({ example: 42 }) count: number;
  @ApiProperty({ example: 1234.5 }) amount: number;
}

export class AnalyticsTopCustomerV1Dto {
  @ApiProperty({ example: 17, description: 'The customer id, or the guest id for a guest.' })
  customer_id: number;
  @ApiProperty({ example: 5400.5 }) total_amount: number;
  @ApiProperty({ example: 9 }) transaction_count: number;
  @ApiProperty({ enum: ['registered', 'guest'] }) type: 'registered' | 'guest';
}

export class DetailedAnalyticsV1Dto {
  @ApiProperty({ example: 'monthly' }) period: string;
  @ApiProperty({ type: DateRangeV1Dto, description: "Local days of the merchant's zone, both included." })
  date_range: DateRangeV1Dto;
  @ApiProperty({ type: AnalyticsSummaryV1Dto }) summary: AnalyticsSummaryV1Dto;
  @ApiProperty({ type: GrowthV1Dto }) growth: GrowthV1Dto;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/MethodTotalsV1Dto' },
    description: 'Money received by method; `UNKNOWN` when none was recorded.',
  })
  payment_methods: Record<string, MethodTotalsV1Dto>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { '2026-11-24': 1520.5 },
    description: 'Paid per local day.',
  })
  daily_sales: Record<string, number>;
  @ApiProperty({ type: [AnalyticsTopCustomerV1Dto] }) top_customers: AnalyticsTopCustomerV1Dto[];
}

export class MerchantAmountV1Dto {
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 'Ramesh Sharma', description: "The owner's name." }) merchant_name: string;
  @ApiProperty({ example: 540.5 }) amount: number;
}

export class UserDashboardV1Dto {
  @ApiProperty({ example: 1540.5 }) total_spent: number;
  @ApiProperty({ example: 320 }) total_pending: number;
  @ApiProperty({ example: 4 }) merchants_count: number;
  @ApiProperty({ type: [MerchantAmountV1Dto], description: 'This local week (from Monday), per merchant.' })
  weekly_expenses: MerchantAmountV1Dto[];
  @ApiProperty({ type: [MerchantAmountV1Dto], description: 'This local month, per merchant.' })
  monthly_expenses: MerchantAmountV1Dto[];
}

export class ExpenseV1Dto {
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 'Ramesh Sharma', description: "The owner's name." }) merchant_name: string;
  @ApiProperty({ example: 540.5 }) total_amount: number;
  @ApiProperty({ example: 500 }) paid_amount: number;
  @ApiProperty({ example: 40.5 }) pending_amount: number;
  @ApiProperty({ example: 4 }) transaction_count: number;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) last_transaction: string;
}

export class UserMerchantV1Dto {
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 'Ramesh Sharma', description: "The owner's name." }) merchant_name: string;
  @ApiProperty({ example: 'Sharma Kirana Store' }) business_name: string;
  @ApiProperty({ type: String, nullable: true }) city: string | null;
  @ApiProperty({ type: String, nullable: true }) state: string | null;
  @ApiProperty({ example: 500 }) total_spent: number;
  @ApiProperty({ example: 40.5 }) total_pending: number;
  @ApiProperty({ example: 4 }) transaction_count: number;
  @ApiProperty({ type: String, nullable: true, example: '2026-11-24T04:30:00.000Z' })
  last_transaction: string | null;
}

export class SpendingAnalyticsV1Dto {
  @ApiProperty({ example: 'monthly' }) period: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { '2026-11-24': 120 } })
  daily_spending: Record<string, number>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { '2026-11-23': 420 },
    description: 'Keyed by the Monday of each week.',
  })
  weekly_spending: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { '2026-11': 1520.5 } })
  monthly_spending: Record<string, number>;
  @ApiProperty({ example: 120 }) total_daily: number;
  @ApiProperty({ example: 420 }) total_weekly: number;
  @ApiProperty({ example: 1520.5 }) total_monthly: number;
}

export class ShopTransactionV1Dto {
  @ApiProperty({ example: 1042 }) transaction_id: number;
  @ApiProperty({ example: 25.5 }) amount: number;
  @ApiProperty({ enum: ['payed', 'pending'] }) status: 'payed' | 'pending';
  @ApiProperty({ type: String, nullable: true }) payment_method: string | null;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) datetime: string;
  @ApiProperty({ example: 'Sharma Kirana Store' }) merchant_name: string;
}

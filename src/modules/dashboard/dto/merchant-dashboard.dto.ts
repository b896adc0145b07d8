import { ApiProperty } from '@nestjs/swagger';
import { TransactionResponseDto } from '../../transactions/dto/transaction-response.dto.js';

/** Boundaries of a local period: instants in UTC, [from, to). */
export class PeriodBoundsDto {
  @ApiProperty({ example: '2026-11-23T18:30:00.000Z', description: 'Local midnight that opens the period.' })
  from: string;
  @ApiProperty({
    example: '2026-11-24T18:30:00.000Z',
    description: 'Local midnight that closes it (exclusive).',
  })
  to: string;
  @ApiProperty({ example: '2026-11-24', description: 'Local date of the first day.' })
  start_date: string;
}

export class PeriodStatsDto extends PeriodBoundsDto {
  @ApiProperty({ example: 1520.5, description: 'Everything recorded in the period, rupees.' }) sales: number;
  @ApiProperty({ example: 152050 }) sales_paise: number;
  @ApiProperty({
    example: 1200,
    description: 'Money received in the period: paid at sale plus settlements made in the period.',
  })
  collected: number;
  @ApiProperty({ example: 120000 }) collected_paise: number;
  @ApiProperty({ example: 320.5, description: 'Still owed on the sales recorded in the period.' })
  due: number;
  @ApiProperty({ example: 32050 }) due_paise: number;
  @ApiProperty({ example: 14, description: 'Sales recorded in the period.' }) transactions: number;
}

export class WindowDto extends PeriodBoundsDto {
  @ApiProperty({ example: 30 }) days: number;
}

export class OutstandingDto {
  @ApiProperty({ example: 4520, description: 'Still owed to the merchant, all time, rupees.' })
  amount: number;
  @ApiProperty({ example: 452000 }) amount_paise: number;
  @ApiProperty({ example: 7, description: 'Bills not fully paid.' }) bills: number;
}

export class PaymentMethodStatsDto {
  @ApiProperty({
    example: 'upi',
    enum: ['cash', 'upi', 'card', 'online', 'bank_transfer', 'other', 'unspecified'],
    description: '`unspecified`: paid at sale without a recorded method.',
  })
  method: string;
  @ApiProperty({ example: 42, description: 'Payments received (paid sales and settlements).' }) count: number;
  @ApiProperty({ example: 12340.5 }) amount: number;
  @ApiProperty({ example: 1234050 }) amount_paise: number;
}

export class MixPartDto {
  @ApiProperty({ example: 31, description: 'Sales.' }) count: number;
  @ApiProperty({ example: 8800 }) amount: number;
  @ApiProperty({ example: 880000 }) amount_paise: number;
}

export class CustomerMixDto {
  @ApiProperty({ type: MixPartDto }) registered: MixPartDto;
  @ApiProperty({ type: MixPartDto }) guest: MixPartDto;
}

export class DailySalesDto {
  @ApiProperty({ example: '2026-11-24', description: 'Local date.' }) date: string;
  @ApiProperty({ example: 2300.75 }) sales: number;
  @ApiProperty({ example: 230075 }) sales_paise: number;
  @ApiProperty({ example: 12 }) transactions: number;
}

export class TopCustomerDto {
  @ApiProperty({ example: 1 }) rank: number;
  @ApiProperty({ description: 'A walk-in guest (one sale) rather than a registered customer.' })
  is_guest: boolean;
  @ApiProperty({ example: 17, nullable: true, type: Number }) user_id: number | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) guest_user_id: number | null;
  @ApiProperty({ example: 'Priya Sharma', nullable: true, type: String, description: 'Null for guests.' })
  name: string | null;
  @ApiProperty({ example: '3210', nullable: true, type: String, description: 'Null for guests.' })
  phone_last_4: string | null;
  @ApiProperty({ example: 5400.5 }) amount: number;
  @ApiProperty({ example: 540050 }) amount_paise: number;
  @ApiProperty({ example: 9 }) transactions: number;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) last_transaction_at: string;
}

export class TopCustomersResponseDto {
  @ApiProperty({ example: 'Asia/Kolkata' }) timezone: string;
  @ApiProperty({ example: 30, nullable: true, type: Number, description: 'Null: all time.' })
  days: number | null;
  @ApiProperty({
    type: PeriodBoundsDto,
    nullable: true,
    description: 'The window ranked (null for all time).',
  })
  window: PeriodBoundsDto | null;
  @ApiProperty({ example: 10 }) limit: number;
  @ApiProperty({ type: [TopCustomerDto] }) customers: TopCustomerDto[];
}

/**
 * The merchant's bento grid. Seed fields cover the last `days` local days; periods are local to the
 * merchant's time zone (weeks from Monday 00:00, months from the 1st).
 */
export class MerchantDashboardDto {
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 'Asia/Kolkata', description: "The merchant's time zone, used for every period." })
  timezone: string;
  @ApiProperty({ example: '2026-11-24T06:00:00.000Z', description: 'The instant the figures were taken at.' })
  generated_at: string;
  @ApiProperty({ type: WindowDto, description: 'The `days` window of the seed fields.' }) window: WindowDto;
  @ApiProperty({ example: 15400.5, description: 'Paid so far on the sales of the window, rupees.' })
  total_sales: number;
  @ApiProperty({ example: 1540050 }) total_sales_paise: number;
  @ApiProperty({ example: 2300, description: 'Still owed on the sales of the window, rupees.' })
  total_pending: number;
  @ApiProperty({ example: 230000 }) total_pending_paise: number;
  @ApiProperty({ example: 112 }) total_transactions: number;
  @ApiProperty({ example: 158.04, description: 'Mean sale amount in the window, to the paisa.' })
  avg_transaction: number;
  @ApiProperty({ example: 15804 }) avg_transaction_paise: number;
  @ApiProperty({ example: 12, description: 'Guest sales in the window (one guest per sale).' })
  guest_users_count: number;
  @ApiProperty({ type: [TransactionResponseDto], description: 'The 10 newest sales of the window.' })
  recent_transactions: TransactionResponseDto[];
  @ApiProperty({ type: PeriodStatsDto }) today: PeriodStatsDto;
  @ApiProperty({ type: PeriodStatsDto }) this_week: PeriodStatsDto;
  @ApiProperty({ type: PeriodStatsDto }) this_month: PeriodStatsDto;
  @ApiProperty({ type: OutstandingDto }) outstanding: OutstandingDto;
  @ApiProperty({
    type: [PaymentMethodStatsDto],
    description: 'Money received in the window by how it was paid, largest first.',
  })
  payment_methods: PaymentMethodStatsDto[];
  @ApiProperty({ type: CustomerMixDto, description: 'Sales of the window: registered customers vs guests.' })
  customer_mix: CustomerMixDto;
  @ApiProperty({ type: [DailySalesDto], description: 'The last 30 local days, zero-filled, oldest first.' })
  daily_sales: DailySalesDto[];
  @ApiProperty({ type: [TopCustomerDto], description: 'The 5 best buyers of all time.' })
  top_customers: TopCustomerDto[];
}

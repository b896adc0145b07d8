import { ApiProperty } from '@nestjs/swagger';
import { TransactionResponseDto } from '../../transactions/dto/transaction-response.dto.js';
import {
  BILL_STATUSES,
  EXPENSE_PERIODS,
  type BillStatus,
  type ExpensePeriod,
} from './dashboard-query.dto.js';

export class MerchantExpenseDto {
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 'Sharma Kirana Store' }) merchant_name: string;
  @ApiProperty({ example: false, description: 'From a shop you have not confirmed yet (not in the totals).' })
  unconfirmed: boolean;
  @ApiProperty({ example: 540.5, description: 'Bought in the period (paid or not), rupees.' }) amount: number;
  @ApiProperty({ example: 54050 }) amount_paise: number;
  @ApiProperty({ example: 4 }) transactions: number;
}

export class UnconfirmedTotalsDto {
  @ApiProperty({ example: 1 }) merchants_count: number;
  @ApiProperty({ example: 0 }) total_spent: number;
  @ApiProperty({ example: 0 }) total_spent_paise: number;
  @ApiProperty({ example: 9999 }) total_pending: number;
  @ApiProperty({ example: 999900 }) total_pending_paise: number;
}

/** The customer's home screen: all-time totals and this local week's and month's spending per merchant. */
export class UserDashboardDto {
  @ApiProperty({ example: 17 }) user_id: number;
  @ApiProperty({ example: 'Asia/Kolkata' }) timezone: string;
  @ApiProperty({ example: '2026-11-23T18:30:00.000Z', description: 'Monday 00:00 local, as an instant.' })
  week_start: string;
  @ApiProperty({ example: '2026-11-30T18:30:00.000Z', description: 'The next Monday 00:00 local.' })
  week_end: string;
  @ApiProperty({ example: '2026-10-31T18:30:00.000Z', description: 'The 1st 00:00 local, as an instant.' })
  month_start: string;
  @ApiProperty({ example: '2026-11-30T18:30:00.000Z', description: 'The next 1st 00:00 local.' })
  month_end: string;
  @ApiProperty({ example: '2026-11-24T06:00:00.000Z' }) generated_at: string;
  @ApiProperty({ example: 15400.5, description: 'Paid so far across all merchants, all time, rupees.' })
  total_spent: number;
  @ApiProperty({ example: 1540050 }) total_spent_paise: number;
  @ApiProperty({ example: 320, description: 'Still owed across all merchants, rupees.' })
  total_pending: number;
  @ApiProperty({ example: 32000 }) total_pending_paise: number;
  @ApiProperty({ example: 4, description: 'Confirmed shops the customer has bought from.' })
  merchants_count: number;
  @ApiProperty({
    type: UnconfirmedTotalsDto,
    description:
      'Shops that billed you and that you have not confirmed yet, kept apart from the totals above.',
  })
  unconfirmed: UnconfirmedTotalsDto;
  @ApiProperty({ type: [MerchantExpenseDto], description: 'This local week, per merchant, largest first.' })
  weekly_expenses: MerchantExpenseDto[];
  @ApiProperty({ type: [MerchantExpenseDto], description: 'This local month, per merchant, largest first.' })
  monthly_expenses: MerchantExpenseDto[];
}

export class MoneySplitDto {
  @ApiProperty({ example: 540.5, description: 'Everything bought, rupees.' }) total: number;
  @ApiProperty({ example: 54050 }) total_paise: number;
  @ApiProperty({ example: 500 }) paid: number;
  @ApiProperty({ example: 50000 }) paid_paise: number;
  @ApiProperty({ example: 40.5, description: 'Still owed.' }) pending: number;
  @ApiProperty({ example: 4050 }) pending_paise: number;
  @ApiProperty({ example: 4 }) transactions: number;
}

export class PeriodMerchantExpenseDto extends MoneySplitDto {
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 'Sharma Kirana Store' }) merchant_name: string;
  @ApiProperty({ example: false, description: 'From a shop you have not confirmed yet (not in the totals).' })
  unconfirmed: boolean;
  @ApiProperty({ example: 1042 }) last_transaction_id: number;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z' }) last_transaction_at: string;
}

export class ExpensePeriodDto extends MoneySplitDto {
  @ApiProperty({ example: '2026-11-23', description: 'Local date the period starts.' }) start_date: string;
  @ApiProperty({ example: '2026-11-22T18:30:00.000Z' }) from: string;
  @ApiProperty({ example: '2026-11-29T18:30:00.000Z', description: 'Exclusive.' }) to: string;
  @ApiProperty({ type: [PeriodMerchantExpenseDto], description: 'Per merchant, largest first.' })
  merchants: PeriodMerchantExpenseDto[];
}

export class ExpensesResponseDto {
  @ApiProperty({ example: 'Asia/Kolkata' }) timezone: string;
  @ApiProperty({ enum: EXPENSE_PERIODS }) period: ExpensePeriod;
  @ApiProperty({ example: 4 }) count: number;
  @ApiProperty({ example: '2026-10-31T18:30:00.000Z', description: 'Start of the oldest period.' })
  from: string;
  @ApiProperty({ example: '2026-11-30T18:30:00.000Z', description: 'End of the current period (exclusive).' })
  to: string;
  @ApiProperty({
    type: [ExpensePeriodDto],
    description: 'Oldest first, the current period last, zero-filled.',
  })
  periods: ExpensePeriodDto[];
}

export class UserMerchantDto extends MoneySplitDto {
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 'Sharma Kirana Store' }) merchant_name: string;
  @ApiProperty({ example: false, description: 'From a shop you have not confirmed yet (not in the totals).' })
  unconfirmed: boolean;
  @ApiProperty({ example: 'kirana', nullable: true, type: String }) business_type: string | null;
  @ApiProperty({ example: 'Pune', nullable: true, type: String }) city: string | null;
  @ApiProperty({ example: 2, description: 'Bills not fully paid.' }) open_bills: number;
  @ApiProperty({ example: 1042, nullable: true, type: Number }) last_transaction_id: number | null;
  @ApiProperty({ example: '2026-11-24T04:30:00.000Z', nullable: true, type: String })
  last_transaction_at: string | null;
}

export class UserMerchantsResponseDto {
  @ApiProperty({ example: 4 }) merchants_count: number;
  @ApiProperty({ type: MoneySplitDto, description: 'Across the confirmed shops.' }) totals: MoneySplitDto;
  @ApiProperty({ type: MoneySplitDto, description: 'Across the shops you have not confirmed yet.' })
  unconfirmed_totals: MoneySplitDto;
  @ApiProperty({ type: [UserMerchantDto], description: 'Most recent purchase first.' })
  merchants: UserMerchantDto[];
}

export class MerchantOwedDto {
  @ApiProperty({ example: 3 }) merchant_id: number;
  @ApiProperty({ example: 'Sharma Kirana Store' }) merchant_name: string;
  @ApiProperty({ example: false, description: 'From a shop you have not confirmed yet (not in the totals).' })
  unconfirmed: boolean;
  @ApiProperty({ example: 320.5, description: 'Still owed to this merchant, rupees.' }) owed: number;
  @ApiProperty({ example: 32050 }) owed_paise: number;
  @ApiProperty({ example: 2, description: 'Bills still (partly) owed.' }) due_bills: number;
  @ApiProperty({ example: 5, description: 'Pay-later bills paid off.' }) paid_bills: number;
}

export class BillsResponseDto {
  @ApiProperty({ enum: BILL_STATUSES }) status: BillStatus;
  @ApiProperty({ example: 820.5, description: 'Still owed to your confirmed shops, rupees.' })
  total_owed: number;
  @ApiProperty({ example: 82050 }) total_owed_paise: number;
  @ApiProperty({ example: 0, description: 'Owed to shops you have not confirmed yet (not in total_owed).' })
  unconfirmed_owed: number;
  @ApiProperty({ example: 0 }) unconfirmed_owed_paise: number;
  @ApiProperty({ example: 3, description: 'Bills still owed, across merchants.' }) due_bills: number;
  @ApiProperty({ example: 9, description: 'Pay-later bills paid off, across merchants.' }) paid_bills: number;
  @ApiProperty({
    type: [MerchantOwedDto],
    description: 'Per merchant with bills of the requested status, most owed first.',
  })
  merchants: MerchantOwedDto[];
  @ApiProperty({ example: 50 }) limit: number;
  @ApiProperty({ type: [TransactionResponseDto], description: 'Bills of that status, newest first.' })
  bills: TransactionResponseDto[];
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { DEFAULT_TIME_ZONE, IsTimeZone } from '../../../common/time/time-zone.js';

/** The longest look-back a dashboard window accepts, in local days. */
export const MAX_WINDOW_DAYS = 366;

export class MerchantDashboardQueryDto {
  @ApiPropertyOptional({
    default: 30,
    minimum: 1,
    maximum: MAX_WINDOW_DAYS,
    description:
      'Window for the seed fields and for payment_methods / customer_mix: the last `days` local days, today included.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_DAYS)
  days: number = 30;
}

export class TopCustomersQueryDto {
  @ApiPropertyOptional({ default: 10, minimum: 1, maximum: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit: number = 10;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_WINDOW_DAYS,
    description:
      'Rank by what was bought in the last `days` local days (computed exactly from that window). Omitted: all time.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_DAYS)
  days?: number;
}

export class TimeZoneQueryDto {
  @ApiPropertyOptional({
    default: DEFAULT_TIME_ZONE,
    example: 'Asia/Kolkata',
    description:
      'IANA zone in which "this week" (from Monday 00:00) and "this month" (from the 1st) are taken.',
  })
  @IsOptional()
  @IsTimeZone()
  tz: string = DEFAULT_TIME_ZONE;
}

export const EXPENSE_PERIODS = ['week', 'month'] as const;
export type ExpensePeriod = (typeof EXPENSE_PERIODS)[number];

export class ExpensesQueryDto extends TimeZoneQueryDto {
  @ApiPropertyOptional({ enum: EXPENSE_PERIODS, default: 'month' })
  @IsOptional()
  @IsIn(EXPENSE_PERIODS)
  period: ExpensePeriod = 'month';

  @ApiPropertyOptional({
    default: 1,
    minimum: 1,
    maximum: 52,
    description: 'How many periods, ending with the current one.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(52)
  count: number = 1;
}

export const BILL_STATUSES = ['due', 'paid'] as const;
export type BillStatus = (typeof BILL_STATUSES)[number];

export class BillsQueryDto {
  @ApiPropertyOptional({
    enum: BILL_STATUSES,
    default: 'due',
    description: '`due`: bills still (partly) owed; `paid`: pay-later bills paid off.',
  })
  @IsOptional()
  @IsIn(BILL_STATUSES)
  status: BillStatus = 'due';

  @ApiPropertyOptional({
    default: 50,
    minimum: 1,
    maximum: 200,
    description: 'How many bills, newest first.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;
}

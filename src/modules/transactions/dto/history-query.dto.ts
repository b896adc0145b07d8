import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from '../../../common/time/instant.js';
import { normalizeType } from './create-transaction.dto.js';
import {
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
  type TransactionStatus,
  type TransactionType,
} from './transaction-response.dto.js';

const ISO = { message: 'must be an ISO 8601 date or instant' };

export class HistoryQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'Seed-style paging; prefer `cursor`.', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({ description: 'Opaque keyset cursor from `X-Next-Cursor`.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ example: '2026-11-01T00:00:00+05:30', description: 'Occurred at or after.' })
  @IsOptional()
  @IsInstant(ISO)
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00+05:30', description: 'Occurred before.' })
  @IsOptional()
  @IsInstant(ISO)
  to?: string;

  @ApiPropertyOptional({ enum: TRANSACTION_TYPES })
  @IsOptional()
  @Transform(({ value }) => normalizeType(value))
  @IsIn(TRANSACTION_TYPES)
  type?: TransactionType;

  @ApiPropertyOptional({ enum: TRANSACTION_STATUSES })
  @IsOptional()
  @IsIn(TRANSACTION_STATUSES)
  status?: TransactionStatus;

  @ApiPropertyOptional({ description: "Merchants only: one customer's transactions." })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  user_id?: number;

  @ApiPropertyOptional({
    description:
      'Resync: only changes after this seq, oldest change first (for real-time clients that missed events).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  since_seq?: number;
}

export class AnalyticsQueryDto {
  @ApiPropertyOptional({ default: 30, minimum: 1, maximum: 3650 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  days?: number;
}

export class ExportQueryDto {
  @ApiPropertyOptional({ example: '2026-11-01', description: 'Start (inclusive); default 30 days ago.' })
  @IsOptional()
  @IsInstant(ISO)
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'End (exclusive); default now.' })
  @IsOptional()
  @IsInstant(ISO)
  to?: string;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsInstant } from '../../../common/time/instant.js';

const ISO = { message: 'must be an ISO 8601 date or instant' };

/** The period of a statement. */
export class StatementQueryDto {
  @ApiPropertyOptional({
    example: '2026-11-01T00:00:00+05:30',
    description:
      'Entries recorded at or after; the opening balance is the balance then. Omitted: from the start.',
  })
  @IsOptional()
  @IsInstant(ISO)
  from?: string;

  @ApiPropertyOptional({
    example: '2026-12-01T00:00:00+05:30',
    description: 'Entries recorded before; the closing balance is the balance then. Omitted: now.',
  })
  @IsOptional()
  @IsInstant(ISO)
  to?: string;
}

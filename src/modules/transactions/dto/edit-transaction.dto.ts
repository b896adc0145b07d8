import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { CreateTransactionDto } from './create-transaction.dto.js';

/** An edit: the corrected sale (the fields of a create) and why the old one was wrong. */
export class EditTransactionDto extends CreateTransactionDto {
  @ApiProperty({
    example: 'Typed 450 instead of 45',
    description: 'Why the sale is corrected (kept in the audit).',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}

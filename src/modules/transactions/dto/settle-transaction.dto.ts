import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsRupeeAmount } from '../../../common/money/money.js';
import { normalizeMethod } from './create-transaction.dto.js';
import { PAYMENT_METHODS, type PaymentMethod } from './transaction-response.dto.js';

export class SettleTransactionDto {
  @ApiPropertyOptional({
    type: Number,
    example: 60,
    description: 'Rupees; omitted or null = everything still owed.',
    nullable: true,
  })
  @IsOptional()
  @IsRupeeAmount()
  amount?: number | null;

  @ApiProperty({ enum: PAYMENT_METHODS, example: 'cash' })
  @Transform(normalizeMethod)
  @IsIn(PAYMENT_METHODS, { message: `must be one of ${PAYMENT_METHODS.join(', ')}` })
  payment_method: PaymentMethod;

  @ApiPropertyOptional({ example: 'UPI-99887766' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  reference_number?: string;
}

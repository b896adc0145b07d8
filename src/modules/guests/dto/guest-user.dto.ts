import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  PAYMENT_METHODS,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
} from '../../transactions/dto/transaction-response.dto.js';

/** The seed's body; `merchant_id` is accepted for compatibility and ignored: the token decides. */
export class CreateGuestUserDto {
  @ApiPropertyOptional({ description: 'Ignored: the guest always belongs to the calling merchant.' })
  @IsOptional()
  @IsInt()
  merchant_id?: number;
}

export class GuestListQueryDto {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class GuestUserDto {
  @ApiProperty() id: number;
  @ApiProperty() merchant_id: number;
  @ApiProperty({ nullable: true, type: Number, description: 'The one transaction of this guest, once used.' })
  transaction_id: number | null;
  @ApiProperty() created_at: string;
  @ApiProperty({ description: 'Same as created_at (seed field name).' }) timestamp: string;
}

export class GuestUserWithTransactionDto extends GuestUserDto {
  @ApiProperty({ nullable: true, type: Number, example: 15.75 }) amount: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 1575 }) amount_paise: number | null;
  @ApiProperty({ nullable: true, enum: TRANSACTION_TYPES }) type: string | null;
  @ApiProperty({ nullable: true, enum: TRANSACTION_STATUSES }) status: string | null;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ nullable: true, enum: PAYMENT_METHODS }) payment_method: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the sale happened.' }) transaction_date:
    string | null;
}

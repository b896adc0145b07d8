import { ApiProperty } from '@nestjs/swagger';

export class AnalyticsDto {
  @ApiProperty({ example: 1520.5, description: 'Money received for sales in the period (rupees).' })
  total_sales: number;
  @ApiProperty({ example: 152050 }) total_sales_paise: number;
  @ApiProperty({ example: 42 }) total_transactions: number;
  @ApiProperty({ example: 310, description: 'Still owed on sales of the period (rupees).' })
  total_pending: number;
  @ApiProperty({ example: 31000 }) total_pending_paise: number;
  @ApiProperty({ example: 43.58, description: 'Average sale (rupees, rounded to the paisa).' })
  avg_transaction: number;
  @ApiProperty({ example: 4358 }) avg_transaction_paise: number;
  @ApiProperty({ example: 30 }) days: number;
  @ApiProperty({ example: '2026-10-25T04:00:00.000Z' }) from: string;
  @ApiProperty({ example: '2026-11-24T04:00:00.000Z' }) to: string;
}

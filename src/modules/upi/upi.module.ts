import { Module } from '@nestjs/common';
import { MerchantsModule } from '../merchants/merchants.module.js';
import { TransactionsModule } from '../transactions/transactions.module.js';
import { UpiBillController } from './upi.controller.js';
import { UpiService } from './upi.service.js';

@Module({
  imports: [TransactionsModule, MerchantsModule],
  controllers: [UpiBillController],
  providers: [UpiService],
  exports: [UpiService],
})
export class UpiModule {}

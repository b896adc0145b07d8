import { Module } from '@nestjs/common';
import { KhataModule } from '../khata/khata.module.js';
import { MerchantsModule } from '../merchants/merchants.module.js';
import { TransactionsModule } from '../transactions/transactions.module.js';
import { MyShopUpiController, UpiBillController, UpiCustomerController } from './upi.controller.js';
import { UpiService } from './upi.service.js';

@Module({
  imports: [TransactionsModule, MerchantsModule, KhataModule],
  controllers: [UpiBillController, UpiCustomerController, MyShopUpiController],
  providers: [UpiService],
  exports: [UpiService],
})
export class UpiModule {}

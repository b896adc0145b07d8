import { Module } from '@nestjs/common';
import { TransactionTableFactory } from '../transactions/transaction-table.factory.js';
import { MerchantsRepository } from './merchants.repository.js';
import { MerchantsService } from './merchants.service.js';

@Module({
  providers: [MerchantsService, MerchantsRepository, TransactionTableFactory],
  exports: [MerchantsService, MerchantsRepository, TransactionTableFactory],
})
export class MerchantsModule {}

import { Module } from '@nestjs/common';
import { TransactionsModule } from '../transactions/transactions.module.js';
import { MerchantsRepository } from './merchants.repository.js';
import { MerchantsService } from './merchants.service.js';

@Module({
  imports: [TransactionsModule],
  providers: [MerchantsService, MerchantsRepository],
  exports: [MerchantsService, MerchantsRepository],
})
export class MerchantsModule {}

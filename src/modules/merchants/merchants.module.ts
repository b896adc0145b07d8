import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { TransactionTableFactory } from '../transactions/transaction-table.factory.js';
import { MerchantsRepository } from './merchants.repository.js';
import { MerchantsService } from './merchants.service.js';

@Module({
  providers: [
    MerchantsService,
    MerchantsRepository,
    {
      provide: TransactionTableFactory,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        Object.assign(new TransactionTableFactory(), { strategy: config.provisionStrategy }),
    },
  ],
  exports: [MerchantsService, MerchantsRepository, TransactionTableFactory],
})
export class MerchantsModule {}

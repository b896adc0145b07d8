import { Module } from '@nestjs/common';
import { MerchantsModule } from '../merchants/merchants.module.js';
import { IdempotencyService } from './idempotency.service.js';
import { TransactionExportRepository } from './transaction-export.repository.js';
import { TransactionsController } from './transactions.controller.js';
import { TransactionsV1Controller } from './transactions-v1.controller.js';
import { IdempotencyRepository, TransactionsRepository } from './transactions.repository.js';
import { TransactionsService } from './transactions.service.js';

@Module({
  imports: [MerchantsModule],
  controllers: [TransactionsController, TransactionsV1Controller],
  providers: [
    TransactionsService,
    TransactionsRepository,
    TransactionExportRepository,
    IdempotencyRepository,
    IdempotencyService,
  ],
  exports: [TransactionsService, TransactionsRepository],
})
export class TransactionsModule {}

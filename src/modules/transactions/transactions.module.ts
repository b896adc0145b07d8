import { Module } from '@nestjs/common';
import { MerchantsModule } from '../merchants/merchants.module.js';
import { UsersModule } from '../users/users.module.js';
import { IdempotencyService } from './idempotency.service.js';
import { MerchantWriteSlots } from './merchant-write-slots.js';
import { ExportPool, TransactionExportRepository } from './transaction-export.repository.js';
import { TransactionsController } from './transactions.controller.js';
import { TransactionsV1Controller } from './transactions-v1.controller.js';
import { IdempotencyRepository, TransactionsRepository } from './transactions.repository.js';
import { TransactionsService } from './transactions.service.js';

@Module({
  imports: [MerchantsModule, UsersModule],
  controllers: [TransactionsController, TransactionsV1Controller],
  providers: [
    TransactionsService,
    TransactionsRepository,
    TransactionExportRepository,
    ExportPool,
    MerchantWriteSlots,
    IdempotencyRepository,
    IdempotencyService,
  ],
  exports: [TransactionsService, TransactionsRepository],
})
export class TransactionsModule {}

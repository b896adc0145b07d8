import { forwardRef, Module } from '@nestjs/common';
import { KhataModule } from '../khata/khata.module.js';
import { UsersModule } from '../users/users.module.js';
import { IdempotencyService } from './idempotency.service.js';
import { MerchantWriteSlots } from './merchant-write-slots.js';
import { ExportPool, TransactionExportRepository } from './transaction-export.repository.js';
import { TransactionTableFactory } from './transaction-table.factory.js';
import { MerchantTablesCheck } from './merchant-tables.check.js';
import { TransactionsController } from './transactions.controller.js';
import { TransactionsV1Controller } from './transactions-v1.controller.js';
import { IdempotencyRepository, TransactionsRepository } from './transactions.repository.js';
import { TransactionsService } from './transactions.service.js';

@Module({
  imports: [UsersModule, forwardRef(() => KhataModule)],
  controllers: [TransactionsController, TransactionsV1Controller],
  providers: [
    TransactionsService,
    TransactionsRepository,
    TransactionTableFactory,
    MerchantTablesCheck,
    TransactionExportRepository,
    ExportPool,
    MerchantWriteSlots,
    IdempotencyRepository,
    IdempotencyService,
  ],
  exports: [
    TransactionsService,
    TransactionsRepository,
    TransactionTableFactory,
    IdempotencyService,
    MerchantWriteSlots,
  ],
})
export class TransactionsModule {}

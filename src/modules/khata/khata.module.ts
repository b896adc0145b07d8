import { forwardRef, Module } from '@nestjs/common';
import { TransactionsModule } from '../transactions/transactions.module.js';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { CustomersController, MyLedgerController } from './customers.controller.js';

/**
 * The khata: customer accounts, their ledgers, payments on account and corrections. The
 * transactions module calls it inside each sale's, settle's and void's transaction, and it reads and
 * pays bills through the transactions module's repository (hence the two modules refer to each other).
 */
@Module({
  imports: [forwardRef(() => TransactionsModule)],
  controllers: [CustomersController, MyLedgerController],
  providers: [AccountsRepository, AccountsService],
  exports: [AccountsService, AccountsRepository],
})
export class KhataModule {}

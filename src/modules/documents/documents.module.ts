import { Module } from '@nestjs/common';
import { KhataModule } from '../khata/khata.module.js';
import { MerchantsModule } from '../merchants/merchants.module.js';
import { TransactionsModule } from '../transactions/transactions.module.js';
import { UpiModule } from '../upi/upi.module.js';
import { MyStatementsController, ReceiptsController, StatementsController } from './documents.controller.js';
import { DocumentsService } from './documents.service.js';

/** PDF receipts and statements, rendered with the fonts in assets/fonts. */
@Module({
  imports: [TransactionsModule, MerchantsModule, UpiModule, KhataModule],
  controllers: [ReceiptsController, StatementsController, MyStatementsController],
  providers: [DocumentsService],
})
export class DocumentsModule {}

import { Module } from '@nestjs/common';
import { GuestsController } from './guests.controller.js';
import { GuestsV1Controller } from './guests-v1.controller.js';
import { GuestsRepository } from './guests.repository.js';
import { GuestsService } from './guests.service.js';
import { TransactionsModule } from '../transactions/transactions.module.js';

@Module({
  imports: [TransactionsModule],
  controllers: [GuestsController, GuestsV1Controller],
  providers: [GuestsService, GuestsRepository],
  exports: [GuestsService],
})
export class GuestsModule {}

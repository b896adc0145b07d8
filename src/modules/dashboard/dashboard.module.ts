import { Module } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardRepository } from './dashboard.repository.js';
import { DashboardService } from './dashboard.service.js';
import { TransactionsModule } from '../transactions/transactions.module.js';
import { DashboardV1Controller } from './v1/dashboard.v1.controller.js';
import { DashboardV1Mapper } from './v1/dashboard.v1.mapper.js';

@Module({
  imports: [TransactionsModule],
  controllers: [DashboardController, DashboardV1Controller],
  providers: [DashboardService, DashboardRepository, DashboardV1Mapper, Clock],
  exports: [DashboardService, DashboardRepository],
})
export class DashboardModule {}

import { Module } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardRepository } from './dashboard.repository.js';
import { DashboardService } from './dashboard.service.js';

@Module({
  controllers: [DashboardController],
  providers: [DashboardService, DashboardRepository, Clock],
  exports: [DashboardService, DashboardRepository],
})
export class DashboardModule {}

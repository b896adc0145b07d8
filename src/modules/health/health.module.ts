import { Global, Module } from '@nestjs/common';
import { HealthController, HealthV1Controller } from './health.controller.js';
import { HealthRepository } from './health.repository.js';
import { HealthService } from './health.service.js';
import { MetricsService } from './metrics.service.js';

@Global()
@Module({
  controllers: [HealthController, HealthV1Controller],
  providers: [HealthService, HealthRepository, MetricsService],
  exports: [MetricsService],
})
export class HealthModule {}

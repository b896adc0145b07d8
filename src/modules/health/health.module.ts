import { Module } from '@nestjs/common';
import { HealthController, HealthV1Controller } from './health.controller.js';
import { HealthRepository } from './health.repository.js';
import { HealthService } from './health.service.js';

@Module({
  controllers: [HealthController, HealthV1Controller],
  providers: [HealthService, HealthRepository],
})
export class HealthModule {}

import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service.js';

/** The process's Prometheus registry, for the request middleware, the services that count, and `/metrics`. */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}

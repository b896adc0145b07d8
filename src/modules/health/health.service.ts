import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { DomainError } from '../../common/errors/domain-error.js';
import { HealthRepository } from './health.repository.js';

export const VERSION = '1.0.0';

export class V1HealthDto {
  @ApiProperty({ example: 'healthy' }) status: 'healthy';
  @ApiProperty({ example: 'GraminStore API is running' }) message: string;
  @ApiProperty({ example: VERSION }) version: string;
}

@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(private readonly health: HealthRepository) {}

  summary() {
    return {
      message: 'GraminStore API is running',
      status: 'healthy',
      version: VERSION,
      docs: '/docs',
      admin: '/admin',
      api: '/api/v2',
      uptime_seconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  /** The original API's answer: the process is up (readiness is `/health/ready`). */
  v1Health(message: string): V1HealthDto {
    return { status: 'healthy', message, version: VERSION };
  }

  live() {
    return { status: 'ok' };
  }

  /** Ready only when the database answers; otherwise a 503 so a load balancer stops sending traffic. */
  async ready() {
    try {
      await this.health.ping();
    } catch {
      throw new DomainError(
        503,
        'database-unavailable',
        'Service Unavailable',
        'The database is not reachable.',
        {
          checks: { database: 'down' },
        },
      );
    }
    return { status: 'ok', checks: { database: 'up' } };
  }
}

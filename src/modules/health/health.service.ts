import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { HealthRepository } from './health.repository.js';

export const VERSION = '1.0.0';

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

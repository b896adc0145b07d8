import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError, NotFoundError, UnauthorizedError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { ReadReplicas } from '../../database/read-replicas.js';
import { HealthRepository } from './health.repository.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { CommonErrorCode } from '../../common/errors/error-codes.js';

export const VERSION = '1.0.0';

export class V1HealthDto {
  @ApiProperty({ example: 'healthy' }) status: 'healthy';
  @ApiProperty({ example: 'GraminStore API is running' }) message: string;
  @ApiProperty({ example: VERSION }) version: string;
}

@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    private readonly health: HealthRepository,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly replicas: ReadReplicas,
  ) {}

  /**
   * The Prometheus metrics, which show business volume: with `METRICS_TOKEN` set, only for
   * `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise); without it, open outside production
   * and not served at all in production (404), so a deployment never exposes them by omission.
   */
  renderMetrics(authorization: string | undefined): Promise<string> {
    const token = this.config.metricsToken;
    if (!token) {
      if (this.config.isProduction)
        throw new NotFoundError('Route', 'No route matches this method and path.');
      return this.metrics.render();
    }
    const given = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
    if (!sameSecret(given, token))
      throw new UnauthorizedError('The metrics need the METRICS_TOKEN bearer token.');
    return this.metrics.render();
  }

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

  /**
   * Ready only when the database answers; otherwise a 503 so a load balancer stops sending traffic.
   * Read replicas are listed with their state but never make the instance unready: reads fall back.
   */
  async ready() {
    try {
      await this.health.ping();
    } catch {
      throw new DomainError(CommonErrorCode.DatabaseUnavailable, 'The database is not reachable.', {
        checks: { database: 'down' },
      });
    }
    const replicas = this.replicas.enabled ? { replicas: this.replicas.status() } : {};
    return { status: 'ok', checks: { database: 'up', ...replicas } };
  }
}

/** Compares secrets in constant time (hashed first, so lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(a), digest(b));
}

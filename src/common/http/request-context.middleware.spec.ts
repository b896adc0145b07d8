import { Logger, type LoggerService } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from '../metrics/metrics.service.js';
import { requestContextMiddleware } from './request-context.middleware.js';

describe('the request log', () => {
  const lines: unknown[] = [];
  const capture: LoggerService = {
    log: (message: unknown) => lines.push(message),
    error: () => undefined,
    warn: () => undefined,
  };
  beforeAll(() => Logger.overrideLogger(capture));
  afterAll(() => Logger.overrideLogger(false));

  it('never writes the access token of the legacy WebSocket URL', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3In0.c2lnbmF0dXJl';
    const metrics = { httpDuration: { observe: () => undefined } } as unknown as MetricsService;
    const res = Object.assign(new EventEmitter(), { statusCode: 404, setHeader: () => undefined });
    const req = {
      headers: {},
      method: 'GET',
      originalUrl: `/api/v1/ws/transaction-history/${token}?x=1`,
      baseUrl: '',
      ip: '127.0.0.1',
    };
    const next: NextFunction = () => undefined;
    requestContextMiddleware(metrics, true)(req as unknown as Request, res as unknown as Response, next);
    res.emit('finish');
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(token);
    expect(lines[0]).toMatchObject({ path: '/api/v1/ws/transaction-history/[redacted]' });
  });
});

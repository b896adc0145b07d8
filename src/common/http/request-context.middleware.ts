import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { requestContext } from '../logging/request-context.js';
import { redactPath } from './redact-path.js';
import type { MetricsService } from '../metrics/metrics.service.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const logger = new Logger('HTTP');

/**
 * Gives each request an id (the caller's `x-request-id` when it is sane), echoes it, runs the rest of
 * the request inside that context, and records the access log line and the duration metric.
 */
export function requestContextMiddleware(metrics: MetricsService, accessLog: boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req.route as { path?: string } | undefined)?.path;
      metrics.httpDuration.observe(
        { method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status: res.statusCode },
        seconds,
      );
      if (accessLog)
        requestContext.run({ requestId }, () =>
          logger.log({
            msg: 'request',
            method: req.method,
            path: redactPath(req.originalUrl.split('?')[0]),
            status: res.statusCode,
            ms: Math.round(seconds * 10000) / 10,
          }),
        );
    });
    // The address is derived (under TRUST_PROXY) only when something asks for it: few requests do.
    requestContext.run(
      {
        requestId,
        get ip() {
          return req.ip;
        },
      },
      next,
    );
  };
}

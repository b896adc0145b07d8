import { RequestMethod, VersioningType } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express } from 'express';
import helmet from 'helmet';
import type { Server, ServerResponse } from 'node:http';
import { createValidationPipe } from './common/errors/validation.js';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter.js';
import { fixedHeaders } from './common/http/fixed-headers.js';
import { requestContextMiddleware } from './common/http/request-context.middleware.js';
import { AppConfig } from './config/app-config.js';
import { ReadReplicas } from './database/read-replicas.js';
import { ReadYourWritesInterceptor } from './database/read-your-writes.interceptor.js';
import { MetricsService } from './common/metrics/metrics.service.js';
import { AdminPanelService, mountBeforeBodyParsers } from './modules/admin/admin-panel.service.js';
import { HealthService } from './modules/health/health.service.js';
import { RealtimeIoAdapter } from './modules/realtime/realtime-io.adapter.js';
import { serveOpenApiDocuments } from './openapi.js';

const API_PREFIX = 'api';
/** Controllers without a version of their own serve our API, /api/v2; /api/v1 is the original's contract. */
const DEFAULT_API_VERSION = '2';
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Routes served outside /api. */
const UNPREFIXED = [
  { path: '/', method: RequestMethod.GET },
  { path: 'health/live', method: RequestMethod.GET },
  { path: 'health/ready', method: RequestMethod.GET },
  { path: 'metrics', method: RequestMethod.GET },
  { path: 'favicon.ico', method: RequestMethod.GET },
];
const EXPOSED_HEADERS = ['X-Request-Id', 'X-Next-Cursor', 'Link', 'Idempotent-Replayed', 'Retry-After'];

/**
 * The options every instance is created with, in production and in the e2e tests. Nest's own body
 * parsers are off: `configureApp` registers them itself, after /admin.
 */
export const APP_OPTIONS = { bodyParser: false } as const;

/**
 * Everything `main.ts` does to the application before it listens, shared with the e2e tests so they
 * exercise exactly what production runs.
 */
export function configureApp(app: NestExpressApplication): void {
  const config = app.get(AppConfig);
  // Idle keep-alive connections stay open longer than load balancers keep theirs (60 s is common),
  // so the app never closes a connection a client or proxy is about to reuse: that race is a reset
  // request (ECONNRESET, or a 502 from the proxy). headersTimeout must exceed keepAliveTimeout.
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  // Only the proxies TRUST_PROXY names may set the client address (X-Forwarded-For); by default none.
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(
    requestContextMiddleware(
      app.get(MetricsService),
      config.logLevel === 'debug' || config.logLevel === 'info',
    ),
  );
  // The admin panel sends its own headers on /admin (modules/admin/admin-security.ts): its pages
  // need a per-response script nonce and inline styles.
  const apiHeaders = fixedHeaders(helmet());
  const isAdmin = (path: string) => config.adminPanel && (path === '/admin' || path.startsWith('/admin/'));
  app.use((req: { path: string }, res: ServerResponse, next: () => void) => {
    if (!isAdmin(req.path)) apiHeaders(res);
    next();
  });
  app.enableCors({
    origin: config.corsOrigins,
    credentials: config.corsOrigins !== true,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED });
  // The original API's `GET /health`. Not a controller route: a prefix exclusion of `health` would also
  // take the prefix off `GET /api/v1/health` (exclusions ignore the version).
  const health = app.get(HealthService);
  const express = app.getHttpAdapter().getInstance() as Express;
  express.get('/health', (_req, res) => {
    res.json(health.v1Health('GraminStore Backend API is running'));
  });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: DEFAULT_API_VERSION });
  // Read-your-writes routing only matters with replicas; without them Nest runs no interceptor at all.
  if (app.get(ReadReplicas).enabled) app.useGlobalInterceptors(app.get(ReadYourWritesInterceptor));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useWebSocketAdapter(new RealtimeIoAdapter(app));

  serveOpenApiDocuments(app);

  // AdminJS reads its own form bodies, so /admin comes before the body parsers. The parsers are the
  // ones Nest registers by default (ExpressAdapter.registerParserMiddleware), with its options.
  if (config.adminPanel) mountBeforeBodyParsers(express, app.get(AdminPanelService).gate);
  app.useBodyParser('json');
  app.useBodyParser('urlencoded', { extended: true });
}

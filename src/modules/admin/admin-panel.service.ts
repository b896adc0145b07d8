import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Application, NextFunction, Request, RequestHandler, Response } from 'express';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { DomainError } from '../../common/errors/domain-error.js';
import { toProblem } from '../../common/errors/problem-details.filter.js';
import { AppConfig } from '../../config/app-config.js';
import type { AdminPanel } from './admin-panel.js';
import { AdminAuditService } from './admin-audit.service.js';
import { AdminResourcesService } from './admin-resources.service.js';
import { AdminSignInService } from './admin-sign-in.service.js';
import { AdminErrorCode } from '../../common/errors/error-codes.js';

export const ADMIN_ROOT = '/admin';
/** AdminJS's working directory for its components bundle: no dot-folder (Express 5 will not serve one). */
export const ADMIN_JS_TMP_DIR = 'adminjs-tmp';

/** Imports the panel's module (AdminJS, its bundler and their native parts). */
export type AdminPanelLoader = () => Promise<typeof import('./admin-panel.js')>;
export const ADMIN_PANEL_LOADER = Symbol('ADMIN_PANEL_LOADER');

/**
 * The production loader. The bundler's native parts (rollup's platform binary) are required
 * synchronously first: a missing binary is then one catchable error, and Node never sees a
 * rejected module evaluation that nobody awaits.
 */
export const loadAdminPanelModule: AdminPanelLoader = async () => {
  createRequire(import.meta.url)('rollup');
  return import('./admin-panel.js');
};

export class AdminPanelUnavailable extends DomainError {
  constructor() {
    super(
      AdminErrorCode.PanelUnavailable,
      'The admin panel is not available; the API is unaffected. See the server log.',
    );
  }
}

/**
 * Mounts the admin gate at /admin. AdminJS reads its own form bodies (express-formidable) and refuses
 * a body already consumed, so `configureApp` calls this before it registers the JSON and urlencoded
 * body parsers (the application is created with `bodyParser: false`).
 */
export function mountBeforeBodyParsers(app: Application, gate: RequestHandler): void {
  app.use(ADMIN_ROOT, gate);
}

/**
 * Serves the AdminJS panel at /admin without slowing the API's start: `configureApp` mounts
 * {@link gate} at /admin at once, and the panel itself (AdminJS and its ~400 packages, the React
 * components bundle, the session store) is imported and built in the background as soon as the
 * server listens. A request that arrives before it is ready waits for it. `ADMIN_PANEL=false` leaves /admin out entirely.
 */
@Injectable()
export class AdminPanelService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AdminPanel');
  private panel?: Promise<AdminPanel>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    private readonly signIn: AdminSignInService,
    private readonly audit: AdminAuditService,
    private readonly resources: AdminResourcesService,
    @Inject(ADMIN_PANEL_LOADER) private readonly loadModule: AdminPanelLoader,
  ) {}

  /**
   * The handler `configureApp` mounts at /admin: the panel once built (a request that arrives earlier
   * waits for it), or 503 problem+json when it could not be loaded.
   */
  readonly gate: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    this.ready()
      .then(
        (panel) => panel.router(req, res, next),
        () => {
          const problem = toProblem(new AdminPanelUnavailable(), req.originalUrl.split('?')[0]);
          res.status(503).setHeader('Retry-After', '60');
          res.type('application/problem+json').send(JSON.stringify(problem));
        },
      )
      .catch(next);
  };

  onModuleInit(): void {
    // No HTTP server (an application context, e.g. the seeder): nothing to build.
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (!this.config.adminPanel || adapter?.getType() !== 'express') return;
    const server = adapter.getHttpServer() as { once?(e: string, f: () => void): void } | undefined;
    server?.once?.('listening', () => void this.ready().catch(() => undefined));
  }

  /** The panel, building it on first call. */
  ready(): Promise<AdminPanel> {
    return (this.panel ??= this.load());
  }

  async onApplicationShutdown(): Promise<void> {
    const panel = await this.panel?.catch(() => undefined);
    await panel?.close();
  }

  private async load(): Promise<AdminPanel> {
    const started = performance.now();
    // AdminJS takes these from the environment when its modules load, so they are set just before
    // the import. Its default temp dir `.adminjs` is a dot-folder, whose bundle Express 5 answers
    // with 404 in production; and we build the bundle ourselves (awaited, in every mode) instead of
    // AdminJS's fire-and-forget build in production.
    process.env.ADMIN_JS_TMP_DIR = resolve(ADMIN_JS_TMP_DIR);
    process.env.ADMIN_JS_SKIP_BUNDLE = 'true';
    try {
      const { buildAdminPanel } = await this.loadModule();
      const imported = performance.now();
      const panel = await buildAdminPanel(
        { signIn: this.signIn, audit: this.audit, resources: this.resources },
        this.config,
      );
      this.logger.log({
        msg: `admin panel ready at ${ADMIN_ROOT}`,
        import_ms: Math.round(imported - started),
        build_ms: panel.buildMs,
      });
      return panel;
    } catch (err) {
      this.logger.error({
        msg: 'the admin panel could not be loaded: /admin answers 503, the API keeps serving',
        hint: 'reinstall the dependencies (npm ci) so the bundler finds its platform binaries',
        err,
      });
      throw err;
    }
  }
}

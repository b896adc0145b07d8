// Loaded with a dynamic import() once the API is up (see AdminPanelService): everything imported here
// — AdminJS, React's server side, rollup and babel for the bundle — stays off the API's start-up path.
import AdminJSExpress from '@adminjs/express';
import { Logger } from '@nestjs/common';
import AdminJS, { BaseAuthProvider, ComponentLoader, type CurrentAdmin } from 'adminjs';
import { ADMIN_JS_TMP_DIR, componentsBundler, generateUserComponentEntry } from 'adminjs/bundler';
import connectPgSimple from 'connect-pg-simple';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import { createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TooManyRequestsError } from '../../common/errors/domain-error.js';
import type { AppConfig } from '../../config/app-config.js';
import type { AdminAuditService } from './admin-audit.service.js';
import { ADMIN_ROOT } from './admin-panel.service.js';
import { adminRequestContext, type AdminIdentity } from './admin-request.js';
import { actorOf, adminJsResources } from './adminjs-resources.js';
import type { AdminResourcesService } from './admin-resources.service.js';
import { adminSecurityHeaders, sameOriginOnly } from './admin-security.js';
import type { AdminSignInService } from './admin-sign-in.service.js';
import { ADMIN_TABLES } from './admin-tables.js';

const SESSION_HOURS = 8;
const logger = new Logger('AdminPanel');

export interface AdminPanel {
  router: express.Router;
  /** How long building the panel took, in milliseconds (imports excluded). */
  buildMs: number;
  close(): Promise<void>;
}

/** The services behind the panel: sign-in, the audit trail, and the tables. */
export interface AdminPanelServices {
  signIn: AdminSignInService;
  audit: AdminAuditService;
  resources: AdminResourcesService;
}

declare module 'express-session' {
  interface SessionData {
    adminUser?: CurrentAdmin;
  }
}

/** Signs in against `admins` through AdminSignInService, in a fresh session id (no session fixation). */
class AdminAuthProvider extends BaseAuthProvider {
  constructor(private readonly services: AdminPanelServices) {
    super();
  }

  override async handleLogin(
    opts: { data?: Record<string, unknown> },
    context: { req: Request },
  ): Promise<CurrentAdmin | null> {
    let admin: AdminIdentity | null;
    try {
      admin = await this.services.signIn.authenticate(opts.data?.email, opts.data?.password);
    } catch (err) {
      // AdminJS shows a thrown error's message on the login page: this one is its own i18n key.
      if (err instanceof TooManyRequestsError) throw new Error('tooManyRequests', { cause: err });
      throw err;
    }
    if (!admin) return null;
    await new Promise<void>((ok, fail) => context.req.session.regenerate((err) => (err ? fail(err) : ok())));
    return { id: String(admin.id), email: admin.email, title: admin.name };
  }

  override async handleLogout(context: { req: Request }): Promise<void> {
    const admin = context.req.session?.adminUser;
    if (admin) await this.services.audit.record(actorOf(admin), { action: 'logout', outcome: 'ok' });
  }
}

/** The AdminJS instance: one resource per admin table, the dashboard, and our labels. */
function createAdminJs(services: AdminPanelServices): AdminJS {
  const componentLoader = new ComponentLoader();
  const here = dirname(fileURLToPath(import.meta.url));
  const Dashboard = componentLoader.add('Dashboard', join(here, 'components', 'dashboard'));
  return new AdminJS({
    rootPath: ADMIN_ROOT,
    loginPath: `${ADMIN_ROOT}/login`,
    logoutPath: `${ADMIN_ROOT}/logout`,
    componentLoader,
    resources: adminJsResources(services.resources, services.audit),
    dashboard: {
      component: Dashboard,
      handler: async (_request: unknown, _response: unknown, context: { currentAdmin?: CurrentAdmin }) => {
        await services.audit.record(actorOf(context.currentAdmin), { action: 'dashboard', outcome: 'ok' });
        return services.resources.systemTotals();
      },
    },
    branding: {
      companyName: 'GraminStore Admin',
      withMadeWithLove: false,
      logo: false,
      favicon: `${ADMIN_ROOT}/frontend/assets/logo-mini.svg`,
    },
    locale: {
      language: 'en',
      availableLanguages: ['en'],
      translations: {
        en: {
          components: {
            Login: {
              welcomeHeader: 'GraminStore',
              welcomeMessage: 'Administration of merchants, customers, guest buyers and their transactions.',
            },
          },
          labels: Object.fromEntries(ADMIN_TABLES.map((t) => [t.name, t.label])),
          resources: Object.fromEntries(
            ADMIN_TABLES.map((t) => [
              t.name,
              {
                properties: Object.fromEntries(
                  t.columns.filter((c) => c.label).map((c) => [c.name, c.label as string]),
                ),
              },
            ]),
          ),
        },
      },
    },
  });
}

/** Panel sessions in PostgreSQL (`admin_sessions`), on a small pool of their own. */
function sessionsIn(config: AppConfig): { options: session.SessionOptions; close(): Promise<void> } {
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: 3,
    connectionTimeoutMillis: 3000,
    application_name: 'graminstore-admin-sessions',
  });
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool,
    tableName: 'admin_sessions',
    pruneSessionInterval: 15 * 60,
    errorLog: (...args: unknown[]) => logger.error({ msg: 'admin session store error', err: args.at(-1) }),
  });
  const options: session.SessionOptions = {
    store,
    name: 'graminstore_admin',
    // A key of its own, derived from the JWT secret (so no new secret to configure).
    secret: createHmac('sha256', config.jwtSecret).update('graminstore-admin-session').digest('base64url'),
    resave: false,
    saveUninitialized: false,
    unset: 'destroy',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.isProduction,
      path: ADMIN_ROOT,
      maxAge: SESSION_HOURS * 3600_000,
    },
  };
  return {
    options,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}

/**
 * Builds the whole panel: the AdminJS instance, the user-components bundle (rollup, local files only:
 * no network), the PostgreSQL session store and the Express router to mount at /admin. The AdminJS
 * environment (its temp dir) must be set before this module is imported.
 */
export async function buildAdminPanel(services: AdminPanelServices, config: AppConfig): Promise<AdminPanel> {
  const started = performance.now();
  const admin = createAdminJs(services);
  // The bundle of our own components, rebuilt at every start so it never goes stale.
  await componentsBundler.createEntry({ content: generateUserComponentEntry(admin, ADMIN_JS_TMP_DIR) });
  await componentsBundler.build();

  const sessions = sessionsIn(config);
  const adminRouter = AdminJSExpress.buildAuthenticatedRouter(
    admin,
    {
      provider: new AdminAuthProvider(services),
      cookieName: sessions.options.name!,
      cookiePassword: sessions.options.secret as string,
    },
    null,
    sessions.options,
  );
  // A deactivated admin's session ends at their next request.
  const endDeactivatedSessions: RequestHandler = (req, res, next) => {
    const who = req.session?.adminUser;
    if (!who) return next();
    services.signIn
      .isActive(Number(who.id))
      .then(
        (active) => (active ? next() : req.session.destroy(() => res.redirect(`${ADMIN_ROOT}/login`))),
        next,
      );
  };

  const router = express.Router();
  router.use(adminSecurityHeaders());
  router.use(sameOriginOnly());
  router.use((req: Request, _res: Response, next: NextFunction) =>
    adminRequestContext.run({ ip: req.ip, sessionId: () => req.sessionID }, next),
  );
  // The session runs first (AdminJS's own session middleware then sees it and steps aside), so the
  // checks after it know who is calling.
  router.use(session(sessions.options));
  router.use(endDeactivatedSessions);
  router.use(adminRouter);

  return { router, buildMs: Math.round(performance.now() - started), close: sessions.close };
}

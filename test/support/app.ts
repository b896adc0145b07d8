import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import request from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { APP_OPTIONS, configureApp } from '../../src/app.setup.js';
import { loadConfig } from '../../src/config/app-config.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_JWT_SECRET = 'graminstore-test-secret-0123456789abcdef';

export interface TestApp {
  app: NestExpressApplication;
  /** A supertest client for the running server. */
  http: ReturnType<typeof request>;
  /** Direct SQL on this file's database, for asserting what was written. */
  db: pg.Pool;
  database: TestDatabase;
  /** The base URL when started with `listen: true` (sockets need a real port). */
  baseUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Listen on a real port (for Socket.IO and WebSocket clients). */
  listen?: boolean;
  /** Replace providers, e.g. `b => b.overrideProvider(X).useValue(fake)`. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Reuse a database (a second instance on the same data). */
  database?: TestDatabase;
}

/**
 * Boots the real AppModule through the same `configureApp` as production, on a database of its own
 * (cloned from the migrated template), and returns handles for requests and SQL assertions.
 */
/**
 * The settings of every instance a test starts, in-process or as its own process: fast password
 * hashing, quiet logs, the fixed admin, no admin panel and no demo data.
 */
export function testEnvironment(databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'fatal',
    ADMIN_EMAIL: 'admin@graminstore.com',
    ADMIN_PASSWORD: 'admin123',
    ADMIN_PANEL: 'false',
    SEED_ON_FIRST_START: 'false',
    // Every test registers from 127.0.0.1; the registration limit has tests of its own.
    REGISTRATIONS_PER_HOUR: '0',
    // The job queue (pg-boss, whose scheduled reminders write in the background) only where a test
    // asks for it.
    JOB_QUEUE: 'false',
  };
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    ...testEnvironment(database.url),
    DB_POOL_SIZE: '10',
    ...options.env,
  });
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    ...APP_OPTIONS,
    logger: process.env.TEST_LOG ? ['error', 'warn', 'fatal'] : ['fatal'],
  });
  configureApp(app);
  let baseUrl = '';
  if (options.listen) {
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  } else {
    await app.init();
  }
  const db = new pg.Pool({ connectionString: database.url, max: 3 });
  const server = app.getHttpServer();
  return {
    app,
    http: request(options.listen ? baseUrl : server),
    db,
    database,
    baseUrl,
    close: async () => {
      await app.close();
      await db.end();
      if (!options.database) await database.drop();
    },
  };
}

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { AppModule } from './app.module.js';
import { APP_OPTIONS, configureApp } from './app.setup.js';
import { AppConfig, ConfigValidationError, loadConfig } from './config/app-config.js';
import { persistentDevSecret } from './config/dev-secret.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres.js';
import { JsonLogger } from './common/logging/json-logger.js';

/** What an entry point may add once the server listens, e.g. the demo data on a first start. */
type AfterListen = (
  app: NestExpressApplication,
  logger: JsonLogger,
  started: { config: AppConfig; embedded: boolean },
) => void;

/**
 * The server's composition root: reads the environment once (`.env`, then `process.env`) into the
 * validated {@link AppConfig}, starts the embedded PostgreSQL when there is no `DATABASE_URL`, and
 * serves. Nothing it starts reads `process.env` again; the command-line tools (the migration runner,
 * the TypeORM data source, the seeder) read it in their own entry points.
 */
export async function startServer(afterListen?: AfterListen): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: AppConfig;
  try {
    config = loadConfig(process.env, { devSecret: persistentDevSecret });
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = new JsonLogger(config.logLevel);
  const started = Date.now();

  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dir: config.embeddedPgDir,
      log: (line) => logger.debug({ msg: line.trim(), context: 'EmbeddedPostgres' }),
    });
    config = AppConfig.from({ ...config, databaseUrl: embedded.url });
    logger.log(
      { msg: 'embedded PostgreSQL started', dir: config.embeddedPgDir, port: embedded.port },
      'Bootstrap',
    );
  }

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    ...APP_OPTIONS,
    logger,
    bufferLogs: true,
  });
  configureApp(app);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log({ msg: 'shutting down', signal }, 'Bootstrap');
    try {
      await app.close();
    } finally {
      await embedded?.stop();
      process.exit(0);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));

  await app.listen(config.port, '0.0.0.0');
  logger.log(
    {
      msg: `GraminStore API listening on http://localhost:${config.port} (docs at /docs)`,
      ms: Date.now() - started,
    },
    'Bootstrap',
  );
  afterListen?.(app, logger, { config, embedded: embedded !== undefined });
}

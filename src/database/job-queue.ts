import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PgBoss, type Db, type Job, type SendOptions } from 'pg-boss';
import { AppConfig } from '../config/app-config.js';
import { TransactionalConnection } from './transactional-connection.js';

/** The schema the job queue lives in (installed by the Reminders migration). */
export const QUEUE_SCHEMA = 'pgboss';

/** pg-boss statements run in the app's current transaction (pg-boss sends are INSERT … RETURNING). */
function inCurrentTransaction(connection: TransactionalConnection): Db {
  return {
    executeSql: async (text, values) => ({ rows: (await connection.query(text, values)) as unknown[] }),
  };
}

export interface QueueWorker<T> {
  /** The queue's name. */
  name: string;
  /** How the queue retries a job whose handler throws (pg-boss `retryLimit`, `retryDelay` seconds, backoff). */
  retryLimit?: number;
  retryDelay?: number;
  handler: (job: Job<T>) => Promise<void>;
}

/**
 * The job queue: pg-boss on the app's PostgreSQL, so no other server is needed and a job can be
 * enqueued in the same transaction as the write it follows ({@link send} inside
 * `TransactionalConnection.transaction` joins it). Jobs survive restarts, and each is worked by one
 * instance at a time (`FOR UPDATE SKIP LOCKED`). pg-boss keeps to transaction-scoped locks and
 * unnamed statements and is run without LISTEN/NOTIFY (polling only), so it works through PgBouncer
 * in transaction pooling mode. It is started by the module that registers workers and stopped,
 * waiting for running jobs, when the app closes.
 */
@Injectable()
export class JobQueue implements OnApplicationShutdown {
  private readonly logger = new Logger(JobQueue.name);
  private boss: PgBoss | undefined;
  private starting: Promise<PgBoss> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly connection: TransactionalConnection,
  ) {}

  get enabled(): boolean {
    return this.config.jobQueue;
  }

  /**
   * Starts the queue once, creating `queues` and their workers, and the recurring `cron` sends (one
   * job per tick across all instances). Outside production pg-boss brings its schema up to date.
   */
  async start(
    workers: QueueWorker<never>[],
    schedules: { name: string; cron: string }[] = [],
  ): Promise<void> {
    if (!this.enabled) return;
    this.starting ??= this.open(workers, schedules);
    await this.starting;
  }

  private async open(
    workers: QueueWorker<never>[],
    schedules: { name: string; cron: string }[],
  ): Promise<PgBoss> {
    const boss = new PgBoss({
      connectionString: this.config.databaseUrl,
      schema: QUEUE_SCHEMA,
      max: 3,
      application_name: 'graminstore-jobs',
      migrate: !this.config.isProduction,
      createSchema: !this.config.isProduction,
    });
    boss.on('error', (err: Error) => this.logger.error(`job queue: ${err.message}`));
    await boss.start();
    this.boss = boss;
    for (const w of workers) {
      await boss.createQueue(w.name, {
        retryLimit: w.retryLimit ?? 3,
        retryDelay: w.retryDelay ?? 30,
        retryBackoff: true,
      });
      await boss.work<never>(
        w.name,
        { pollingIntervalSeconds: this.config.jobQueuePollSeconds, batchSize: 1 },
        async ([job]) => w.handler(job),
      );
    }
    for (const s of schedules) await boss.schedule(s.name, s.cron);
    return boss;
  }

  /**
   * Enqueues a job; inside `TransactionalConnection.transaction` it is written in that transaction,
   * so it exists exactly when the caller's writes commit.
   */
  async send(name: string, data: object, options: SendOptions = {}): Promise<string | null> {
    const boss = this.boss;
    if (!boss) return null;
    return boss.send(
      name,
      data,
      this.connection.inTransaction ? { ...options, db: inCurrentTransaction(this.connection) } : options,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const boss = this.boss ?? (await this.starting?.catch(() => undefined));
    this.boss = undefined;
    this.starting = undefined;
    // Waits for running handlers (up to the timeout), then closes the queue's connections.
    await boss?.stop({ graceful: true, timeout: 10_000 });
  }
}

/**
 * Brings the job queue's schema to the installed pg-boss version (what the app does at start-up outside
 * production); `npm run migration:run` calls it after the TypeORM migrations.
 */
export async function migrateJobQueue(connectionString: string): Promise<void> {
  const boss = new PgBoss({
    connectionString,
    schema: QUEUE_SCHEMA,
    max: 1,
    migrate: true,
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false });
}

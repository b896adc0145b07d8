import { plainToInstance, Transform } from 'class-transformer';
import { randomSecret } from './dev-secret.js';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { trustProxySetting } from '../common/http/client-address.js';
import {
  DEFAULT_MAX_LIFETIME_SECONDS,
  DEFAULT_MAX_MERCHANT_TABLES,
} from '../database/data-source-options.js';

/** Secrets that ship in examples and must never reach production. */
const DEFAULT_SECRETS = new Set(['change-me', 'your-super-secret-key-change-in-production', 'secret']);
export const DEFAULT_ADMIN_PASSWORDS = new Set(['admin123', 'change-me', 'password']);

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
/** Empty, `false`, a hop count, or comma-separated addresses, CIDR ranges and Express's names. */
const TRUST_PROXY = /^(|false|\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/;
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** The environment as read at boot; every variable of `.env.example` is here. */
class EnvironmentVariables {
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT?: number;
  @IsOptional() @Transform(emptyToUndefined) @IsString() DATABASE_URL?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(8) JWT_SECRET?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(8) SECRET_KEY?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) ACCESS_TOKEN_EXPIRE_MINUTES?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) REFRESH_TOKEN_EXPIRE_DAYS?: number;
  @IsOptional() @Transform(emptyToUndefined) @IsString() ADMIN_EMAIL?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() ADMIN_PASSWORD?: string;
  @IsOptional() @IsString() CORS_ORIGINS?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() REDIS_URL?: string;
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'silent']) LOG_LEVEL?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() EMBEDDED_PG_DIR?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) DB_POOL_SIZE?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) DB_POOL_LIFETIME_SECONDS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) DB_POOL_MAX_MERCHANT_TABLES?: number;
  @IsOptional()
  @Matches(/^\s*(postgres(ql)?:\/\/\S+)?(\s*,\s*postgres(ql)?:\/\/\S+)*\s*$/, {
    message: 'must be comma-separated postgresql:// URLs',
  })
  DATABASE_READ_URLS?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) DATABASE_READ_MAX_LAG_MS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(50) @Max(60_000) DATABASE_READ_CHECK_MS?: number;
  @IsOptional() @IsIn(['true', 'false']) SEED_ON_FIRST_START?: string;
  @IsOptional() @IsIn(['true', 'false']) ADMIN_PANEL?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(4) @Max(15) BCRYPT_ROUNDS?: number;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(16) METRICS_TOKEN?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(50) EXPORT_MAX_CONCURRENT?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) EXPORT_STATEMENT_TIMEOUT_MS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) EXPORT_STALL_TIMEOUT_MS?: number;
  @IsOptional()
  @Matches(TRUST_PROXY, { message: 'must be empty, false, a hop count or addresses' })
  TRUST_PROXY?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) MERCHANT_WRITES_PER_SECOND?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) MERCHANT_WRITE_BURST?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) REGISTRATIONS_PER_HOUR?: number;
  @IsOptional()
  @Matches(/^[\w.-]{1,40}$/, { message: 'must be letters, digits, dots or dashes' })
  REDIS_KEY_PREFIX?: string;
  @IsOptional() @IsIn(['true', 'false']) JOB_QUEUE?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(60) JOB_QUEUE_POLL_SECONDS?: number;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http:// or https:// URL' })
  REMINDER_WEBHOOK_URL?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(16) REMINDER_WEBHOOK_SECRET?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10) REMINDER_WEBHOOK_ATTEMPTS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(60_000) REMINDER_WEBHOOK_TIMEOUT_MS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(600_000) REMINDER_WEBHOOK_BACKOFF_MS?: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';

/**
 * The validated, typed configuration. It is built once at boot from the environment and injected
 * everywhere else; only the entry points read `process.env` (docs/architecture.md#layers).
 */
export class AppConfig {
  readonly nodeEnv!: 'development' | 'production' | 'test';
  readonly port!: number;
  /** Empty when the app should start its own embedded PostgreSQL. */
  readonly databaseUrl!: string | undefined;
  readonly jwtSecret!: string;
  readonly accessTokenTtlSeconds!: number;
  readonly refreshTokenTtlDays!: number;
  readonly adminEmail!: string;
  readonly adminPassword!: string;
  readonly corsOrigins!: string[] | true;
  readonly redisUrl!: string | undefined;
  readonly logLevel!: LogLevel;
  readonly embeddedPgDir!: string;
  readonly dbPoolSize!: number;
  /** A pooled connection is closed after this long (0: never), so a backend's per-table caches are given back. */
  readonly dbPoolMaxLifetimeSeconds!: number;
  /** Merchant tables a pooled connection may touch before it is replaced (0: no limit). */
  readonly dbPoolMaxMerchantTables!: number;
  /** Streaming replicas that dashboards, history and analytics read from; empty: all reads on the primary. */
  readonly databaseReadUrls!: string[];
  /** A replica further behind the primary than this serves no reads until it catches up. */
  readonly databaseReadMaxLagMs!: number;
  /** How often each replica's position (and so its lag and health) is checked. */
  readonly databaseReadCheckMs!: number;
  readonly seedOnFirstStart!: boolean;
  readonly adminPanel!: boolean;
  readonly bcryptRounds!: number;
  /** Bearer token `/metrics` requires; unset: open outside production, not served in production. */
  readonly metricsToken!: string | undefined;
  /** CSV exports running at once on this instance: the size of their own connection pool. */
  readonly exportMaxConcurrent!: number;
  /** PostgreSQL's own `statement_timeout` for an export's COPY. */
  readonly exportStatementTimeoutMs!: number;
  /** An export whose client has not read for this long is destroyed (its connection freed). */
  readonly exportStallTimeoutMs!: number;
  /** Express's `trust proxy`: false (no proxy, the default), a hop count, or trusted addresses. */
  readonly trustProxy!: boolean | number | string[];
  /** Sales, settlements and guest creations per merchant: sustained rate (0: no limit) and burst. */
  readonly merchantWritesPerSecond!: number;
  readonly merchantWriteBurst!: number;
  /** Registrations per client address (IPv6 by /64) per hour; 0: no limit. */
  readonly registrationsPerHour!: number;
  /** Prefix of the rate-limit keys and the session channel in Redis (apps sharing one Redis differ). */
  readonly redisKeyPrefix!: string;
  /** Whether this instance starts the job queue (pg-boss) and its workers; tests of other parts may turn it off. */
  readonly jobQueue!: boolean;
  /** How often an idle queue worker looks for work. */
  readonly jobQueuePollSeconds!: number;
  /** The SMS/WhatsApp gateway scheduled reminders are posted to; unset: they are recorded for the merchant's app. */
  readonly reminderWebhookUrl!: string | undefined;
  /** Signs each webhook body (HMAC-SHA256) when set. */
  readonly reminderWebhookSecret!: string | undefined;
  readonly reminderWebhookAttempts!: number;
  readonly reminderWebhookTimeoutMs!: number;
  /** The wait before the first retry; doubled before each further one. */
  readonly reminderWebhookBackoffMs!: number;

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  static from(values: Omit<AppConfig, 'isProduction'>): AppConfig {
    return Object.freeze(Object.assign(new AppConfig(), values));
  }
}

export class ConfigValidationError extends Error {}

/** Validates the raw environment and returns the typed configuration, or throws saying what is wrong. */
export function loadConfig(
  raw: Record<string, string | undefined>,
  options: { devSecret?: (embeddedPgDir: string) => string } = {},
): AppConfig {
  const env = plainToInstance(EnvironmentVariables, raw, { enableImplicitConversion: false });
  const problems = validateSync(env, { skipMissingProperties: false }).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`),
  );
  if (problems.length) throw new ConfigValidationError(`Invalid configuration:\n  ${problems.join('\n  ')}`);

  const nodeEnv = (env.NODE_ENV ?? 'development') as AppConfig['nodeEnv'];
  const secret = env.JWT_SECRET ?? env.SECRET_KEY;
  const adminPassword = env.ADMIN_PASSWORD;
  if (nodeEnv === 'production') {
    const refusals: string[] = [];
    if (!secret) refusals.push('JWT_SECRET (or SECRET_KEY) is not set');
    else if (DEFAULT_SECRETS.has(secret) || secret.length < 32)
      refusals.push('JWT_SECRET is a default or shorter than 32 characters');
    if (!adminPassword) refusals.push('ADMIN_PASSWORD is not set');
    else if (DEFAULT_ADMIN_PASSWORDS.has(adminPassword) || adminPassword.length < 10)
      refusals.push('ADMIN_PASSWORD is a default or shorter than 10 characters');
    if (refusals.length)
      throw new ConfigValidationError(`Refusing to start in production: ${refusals.join('; ')}.`);
  }

  const origins = (env.CORS_ORIGINS ?? '*').trim();
  const embeddedPgDir = env.EMBEDDED_PG_DIR ?? '.data/postgres';
  return AppConfig.from({
    nodeEnv,
    port: env.PORT ?? 8001,
    databaseUrl: env.DATABASE_URL,
    // Outside production without JWT_SECRET: the one kept with the embedded data (main passes
    // `devSecret`), or a random one for this process only.
    jwtSecret: secret ?? options.devSecret?.(embeddedPgDir) ?? randomSecret(),
    accessTokenTtlSeconds: (env.ACCESS_TOKEN_EXPIRE_MINUTES ?? 30) * 60,
    refreshTokenTtlDays: env.REFRESH_TOKEN_EXPIRE_DAYS ?? 30,
    adminEmail: (env.ADMIN_EMAIL ?? 'admin@graminstore.com').toLowerCase(),
    adminPassword: adminPassword ?? 'admin123',
    corsOrigins:
      origins === '*'
        ? true
        : origins
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    redisUrl: env.REDIS_URL,
    logLevel: (env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'warn' : 'info')) as LogLevel,
    embeddedPgDir,
    dbPoolSize: env.DB_POOL_SIZE ?? 20,
    dbPoolMaxLifetimeSeconds: env.DB_POOL_LIFETIME_SECONDS ?? DEFAULT_MAX_LIFETIME_SECONDS,
    dbPoolMaxMerchantTables: env.DB_POOL_MAX_MERCHANT_TABLES ?? DEFAULT_MAX_MERCHANT_TABLES,
    databaseReadUrls: (env.DATABASE_READ_URLS ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
    databaseReadMaxLagMs: env.DATABASE_READ_MAX_LAG_MS ?? 10_000,
    databaseReadCheckMs: env.DATABASE_READ_CHECK_MS ?? 500,
    seedOnFirstStart: (env.SEED_ON_FIRST_START ?? (nodeEnv === 'development' ? 'true' : 'false')) === 'true',
    adminPanel: (env.ADMIN_PANEL ?? 'true') === 'true',
    bcryptRounds: env.BCRYPT_ROUNDS ?? 10,
    metricsToken: env.METRICS_TOKEN,
    exportMaxConcurrent: env.EXPORT_MAX_CONCURRENT ?? 4,
    exportStatementTimeoutMs: env.EXPORT_STATEMENT_TIMEOUT_MS ?? 120_000,
    exportStallTimeoutMs: env.EXPORT_STALL_TIMEOUT_MS ?? 30_000,
    trustProxy: trustProxySetting(env.TRUST_PROXY),
    merchantWritesPerSecond: env.MERCHANT_WRITES_PER_SECOND ?? 20,
    merchantWriteBurst: env.MERCHANT_WRITE_BURST ?? 100,
    registrationsPerHour: env.REGISTRATIONS_PER_HOUR ?? 20,
    redisKeyPrefix: env.REDIS_KEY_PREFIX ?? 'graminstore',
    jobQueue: (env.JOB_QUEUE ?? 'true') === 'true',
    jobQueuePollSeconds: env.JOB_QUEUE_POLL_SECONDS ?? 2,
    reminderWebhookUrl: env.REMINDER_WEBHOOK_URL,
    reminderWebhookSecret: env.REMINDER_WEBHOOK_SECRET,
    reminderWebhookAttempts: env.REMINDER_WEBHOOK_ATTEMPTS ?? 5,
    reminderWebhookTimeoutMs: env.REMINDER_WEBHOOK_TIMEOUT_MS ?? 10_000,
    reminderWebhookBackoffMs: env.REMINDER_WEBHOOK_BACKOFF_MS ?? 1000,
  });
}

import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ConflictError, UnprocessableError } from '../../common/errors/domain-error.js';
import { IdempotencyRepository } from './transactions.repository.js';
import { every, HOUR_MS } from '../../common/jobs/every.js';
import { TransactionErrorCode } from '../../common/errors/error-codes.js';

export interface Replayable<T> {
  body: T;
  /** True when this is the stored response of an earlier request with the same key. */
  replayed: boolean;
}

/** Canonical JSON (sorted keys) so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,255}$/;

/**
 * `Idempotency-Key` semantics for POSTs that move money: the same key and body return the stored
 * response and write nothing; the same key with another body is a 422; a request still in flight with
 * that key is a 409. The key is claimed and the response stored in the same database transaction as
 * the write, so a crash can never leave a write without its key or a key without its write.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyService.name);
  private stopPurge?: () => void;

  constructor(private readonly keys: IdempotencyRepository) {}

  onModuleInit(): void {
    this.stopPurge = every(HOUR_MS, () => this.purge());
  }

  onModuleDestroy(): void {
    this.stopPurge?.();
  }

  /** Deletes keys older than 72 hours. */
  async purge(): Promise<number> {
    try {
      const removed = await this.keys.purgeExpired();
      if (removed) this.logger.log({ msg: 'purged expired idempotency keys', removed });
      return removed;
    } catch (err) {
      this.logger.warn({ msg: 'idempotency key purge failed', err: String(err) });
      return 0;
    }
  }

  /**
   * Runs `write` under the key, or replays the stored response. Must be called inside a database
   * transaction (TransactionalConnection.transaction): the key and the write commit together.
   */
  async run<T>(
    scope: string,
    key: string,
    request: unknown,
    write: () => Promise<Replayable<T>>,
    status = 201,
  ): Promise<Replayable<T>> {
    if (!IDEMPOTENCY_KEY.test(key))
      throw new UnprocessableError(
        TransactionErrorCode.InvalidIdempotencyKey,
        'Idempotency-Key must be 1 to 255 letters, digits or . _ : -',
        'Idempotency-Key',
      );
    const hash = createHash('sha256').update(canonical(request)).digest('hex');
    if (!(await this.keys.tryClaim(scope, key)))
      throw new ConflictError(
        TransactionErrorCode.IdempotencyInFlight,
        'A request with this Idempotency-Key is still being processed.',
      );
    const stored = await this.keys.find(scope, key);
    if (stored) {
      if (stored.request_hash !== hash)
        throw new UnprocessableError(
          TransactionErrorCode.IdempotencyKeyReused,
          'This Idempotency-Key was already used with a different request body.',
          'Idempotency-Key',
        );
      return { body: stored.response_body as T, replayed: true };
    }
    const written = await write();
    await this.keys.store(scope, key, hash, status, written.body);
    return written;
  }
}

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { DomainError, TooManyRequestsError } from './domain-error.js';
import { CommonErrorCode, ERROR_STATUS } from './error-codes.js';
import { ValidationFailedException } from './validation.js';
import { isV1Path } from '../v1/v1.js';
import { toV1Problem } from './v1-problem.js';
import { pgErrorFields } from './pg-error.js';
import { redactPath } from '../http/redact-path.js';

export const PROBLEM_BASE = 'https://graminstore.in/problems/';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code?: string;
  errors?: { field: string; message: string }[];
  [key: string]: unknown;
}

const PG_CONNECTION_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const NODE_CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * TypeORM's errors for a query runner whose connection is gone: when PostgreSQL drops a connection
 * between two statements of a transaction (a shutdown or restart), the driver releases the runner and
 * the next statement fails with one of these rather than with a connection error.
 */
const RELEASED_RUNNER_ERRORS = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

interface PgLikeError {
  name?: string;
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
  driverError?: PgLikeError;
  type?: string;
  status?: number;
}

/** True for errors that mean the database cannot be reached (as opposed to a bad query). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as PgLikeError | undefined;
  if (!e) return false;
  const { code } = pgErrorFields(e);
  const message = `${e.message ?? ''} ${e.driverError?.message ?? ''}`;
  return (
    (code !== undefined && (PG_CONNECTION_CODES.has(code) || NODE_CONNECTION_CODES.has(code))) ||
    RELEASED_RUNNER_ERRORS.has(e.name ?? '') ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|the database system is (starting up|shutting down)/i.test(
      message,
    )
  );
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, '');
}

/** Builds the problem+json body for any thrown value; 5xx bodies never carry internals. */
export function toProblem(err: unknown, instance: string): Problem {
  const make = (
    status: number,
    detail: string,
    code?: string,
    extra: Record<string, unknown> = {},
  ): Problem => {
    const title = STATUS_CODES[status] ?? 'Error';
    const c = code ?? slug(title);
    return { type: `${PROBLEM_BASE}${c}`, title, status, detail, instance, code: c, ...extra };
  };
  const coded = (code: CommonErrorCode, detail: string, extra?: Record<string, unknown>): Problem =>
    make(ERROR_STATUS[code], detail, code, extra);

  if (err instanceof DomainError) {
    return { ...make(err.status, err.detail, err.code, err.extra), title: err.title };
  }
  if (err instanceof ValidationFailedException) {
    const first = err.errors[0];
    const detail = first
      ? `Invalid request: ${first.field} ${first.message}.`
      : 'The request has invalid fields.';
    return coded(CommonErrorCode.ValidationError, detail, { errors: err.errors });
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse();
    let detail: string =
      typeof body === 'string'
        ? body
        : (((body as { message?: string | string[] }).message as string) ?? err.message);
    if (Array.isArray(detail)) detail = detail.join('; ');
    if (status === HttpStatus.NOT_FOUND && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(detail))
      detail = 'No route matches this method and path.';
    if (status === 429) detail = 'Too many requests. Please wait before trying again.';
    return make(status, status >= 500 ? 'The server could not complete the request.' : detail);
  }
  const e = err as PgLikeError;
  // body-parser: malformed JSON, oversized or unsupported bodies.
  if (e?.type === 'entity.parse.failed')
    return coded(CommonErrorCode.MalformedJson, 'The request body is not valid JSON.');
  if (e?.type === 'entity.too.large')
    return coded(CommonErrorCode.PayloadTooLarge, 'The request body is too large.');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.type)
    return make(e.status, 'The request body could not be read.');
  // A validator percent-encoding text that holds a lone UTF-16 surrogate ("\ud800" is valid JSON).
  if (err instanceof URIError)
    return coded(CommonErrorCode.InvalidCharacters, 'The request contains characters that cannot be stored.');
  // A body nested thousands of levels deep exhausts the validator's recursion before any write.
  if (err instanceof RangeError && /call stack/i.test(err.message))
    return coded(CommonErrorCode.TooDeeplyNested, 'The request body is nested too deeply.');
  if (isDatabaseUnavailable(err))
    return coded(CommonErrorCode.DatabaseUnavailable, 'The database is unavailable. Please retry shortly.');
  const { code } = pgErrorFields(err);
  if (code === '23505')
    return coded(CommonErrorCode.Duplicate, 'A record with these details already exists.');
  if (code === '23503')
    return coded(CommonErrorCode.ReferenceConflict, 'A related record does not exist or is still in use.');
  if (code === '22003') return coded(CommonErrorCode.OutOfRange, 'A number in the request is out of range.');
  // Values bound from the request that PostgreSQL cannot take: text with NUL (0x00) or characters the
  // database encoding lacks, and numbers or ids it cannot read (e.g. 1e+40 for a bigint).
  if (code === '22021' || code === '22P05')
    return coded(CommonErrorCode.InvalidCharacters, 'The request contains characters that cannot be stored.');
  if (code === '22P02')
    return coded(CommonErrorCode.InvalidValue, 'A value in the request is not valid for its field.');
  if (code === '40001' || code === '40P01' || code === '55P03')
    return coded(CommonErrorCode.Retry, 'The request conflicted with another; please retry.');
  if (code === '57014')
    return coded(CommonErrorCode.DatabaseTimeout, 'The database took too long to answer. Please retry.');
  return coded(CommonErrorCode.InternalError, 'An unexpected error occurred.');
}

/** The one exception filter: every error leaves as `application/problem+json` (RFC 9457). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const path = redactPath(req.originalUrl?.split('?')[0] ?? req.url);
    const problem = isV1Path(path) ? toV1Problem(exception, path) : toProblem(exception, path);
    if (problem.status >= 500 && problem.status !== 503)
      this.logger.error({ msg: 'unhandled error', err: exception });
    else if (problem.status === 503) this.logger.warn({ msg: 'service unavailable', err: String(exception) });
    if (res.headersSent) {
      res.end();
      return;
    }
    if (problem.status === 503) res.setHeader('Retry-After', '5');
    if (exception instanceof TooManyRequestsError)
      res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}

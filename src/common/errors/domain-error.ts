import {
  CommonErrorCode,
  ERROR_STATUS,
  ERROR_TITLE,
  type CodeWithStatus,
  type ErrorCode,
  type ErrorStatus,
} from './error-codes.js';

/**
 * The base of every error a service throws on purpose. Its `code` decides its HTTP status (through
 * the one map, `ERROR_STATUS`); the global filter turns it into the problem+json response, and
 * `detail` is the human sentence a client may show.
 */
export class DomainError extends Error {
  readonly status: ErrorStatus;
  readonly title: string;
  /** The original API's status and wording for this error, when /api/v1 answers differently. */
  v1?: { status?: number; detail: string };

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = new.target.name;
    this.status = ERROR_STATUS[code];
    this.title = ERROR_TITLE[this.status];
  }

  /** Gives /api/v1 the original's wording (and status, when it differs); /api/v2 is unchanged. */
  inV1(detail: string, status?: number): this {
    this.v1 = { detail, status };
    return this;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, detail = `${what} not found.`) {
    super(CommonErrorCode.NotFound, detail);
  }
}

/** A request that collides with the current state (409): taken, already used, already paid. */
export class ConflictError extends DomainError {
  constructor(code: CodeWithStatus<409>, detail: string, extra?: Record<string, unknown>) {
    super(code, detail, extra);
  }
}

/** A well-formed request that breaks a business rule (422), optionally pointing at one field. */
export class UnprocessableError extends DomainError {
  constructor(code: CodeWithStatus<422>, detail: string, field?: string) {
    super(code, detail, field ? { errors: [{ field, message: detail }] } : {});
  }
}

export class UnauthorizedError extends DomainError {
  constructor(detail = 'Could not validate credentials.') {
    super(CommonErrorCode.Unauthorized, detail);
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail = 'You do not have access to this resource.') {
    super(CommonErrorCode.Forbidden, detail);
  }
}

/**
 * The one 429: a caller over a rate limit. The problem filter sends `Retry-After` (whole seconds, at
 * least 1) with it.
 */
export class TooManyRequestsError extends DomainError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterMs: number, detail = 'Too many requests. Please wait before trying again.') {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(CommonErrorCode.TooManyRequests, detail, { retry_after: retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

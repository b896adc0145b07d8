/**
 * The base of every error a service throws on purpose. The global filter maps `status` and `code`
 * into the problem+json response; `detail` is the human sentence a client may show.
 */
export class DomainError extends Error {
  /** The original API's status and wording for this error, when /api/v1 answers differently. */
  v1?: { status?: number; detail: string };

  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }

  /** Gives /api/v1 the original's wording (and status, when it differs); /api/v2 is unchanged. */
  inV1(detail: string, status?: number): this {
    this.v1 = { detail, status };
    return this;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, detail = `${what} not found.`) {
    super(404, 'not-found', 'Not Found', detail);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, detail: string, extra?: Record<string, unknown>) {
    super(409, code, 'Conflict', detail, extra);
  }
}

/** A well-formed request that breaks a business rule (422), optionally pointing at one field. */
export class UnprocessableError extends DomainError {
  constructor(code: string, detail: string, field?: string) {
    super(422, code, 'Unprocessable Content', detail, field ? { errors: [{ field, message: detail }] } : {});
  }
}

export class UnauthorizedError extends DomainError {
  constructor(detail = 'Could not validate credentials.') {
    super(401, 'unauthorized', 'Unauthorized', detail);
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail = 'You do not have access to this resource.') {
    super(403, 'forbidden', 'Forbidden', detail);
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
    super(429, 'too-many-requests', 'Too Many Requests', detail, { retry_after: retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

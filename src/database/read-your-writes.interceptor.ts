import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { catchError, concatMap, from, Observable, throwError } from 'rxjs';
import type { Principal } from '../common/auth/role.js';
import { requestContext } from '../common/logging/request-context.js';
import { ReadReplicas } from './read-replicas.js';

const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Installed globally by `configureApp` when there are read replicas: names the caller in the request context (reads are routed by it) and, after any
 * request that may have written, records the primary's WAL position for the caller (or the account a
 * registration created) before the answer leaves, so that its next read, on any instance, sees the write.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(private readonly reads: ReadReplicas) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reads.enabled || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const account = request.user ? `${request.user.role}:${request.user.id}` : undefined;
    const store = requestContext.getStore();
    if (store) store.account = account;
    if (READ_ONLY_METHODS.has(request.method)) return next.handle();
    const marked = (who: string | undefined) => from(who ? this.reads.markWrite(who) : Promise.resolve());
    return next.handle().pipe(
      // A registration is public: the account it created is named by its answer.
      concatMap((body) => marked(account ?? signedIn(body)).pipe(concatMap(() => [body]))),
      // A failed request may still have committed part of its work (a claimed idempotency key).
      catchError((err: unknown) => marked(account).pipe(concatMap(() => throwError(() => err)))),
    );
  }
}

/** The account of a sign-in answer (`{user_type, user_id, access_token, …}`), if the body is one. */
function signedIn(body: unknown): string | undefined {
  const { user_type: role, user_id: id } = (body ?? {}) as { user_type?: unknown; user_id?: unknown };
  return typeof role === 'string' && Number.isSafeInteger(id) ? `${role}:${String(id)}` : undefined;
}

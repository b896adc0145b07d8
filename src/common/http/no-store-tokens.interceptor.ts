import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { tap, type Observable } from 'rxjs';

/**
 * On the controllers that hand out tokens (the auth routes of every API version): any response that
 * carries a token (`access_token` or `refresh_token`) is marked `Cache-Control: no-store`, so no
 * browser or proxy cache keeps it. Not global: an interceptor on every route puts an Observable
 * chain on every request, the sales included, for the few routes that issue tokens.
 */
@Injectable()
export class NoStoreTokensInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap((body) => {
        if (context.getType() !== 'http' || !body || typeof body !== 'object') return;
        if (!('access_token' in body) && !('refresh_token' in body)) return;
        const res = context.switchToHttp().getResponse<Response>();
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Pragma', 'no-cache');
      }),
    );
  }
}

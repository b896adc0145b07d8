import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error.js';

interface Window {
  hits: number;
  resetAt: number;
}

export interface LoginLimit {
  name: 'address' | 'account';
  limit: number;
  windowMs: number;
}

/** Per address: a shop's shared connection still gets room; per account: guessing one password is slow. */
export const LOGIN_LIMITS: LoginLimit[] = [
  { name: 'address', limit: 30, windowMs: 60_000 },
  { name: 'account', limit: 10, windowMs: 60_000 },
];

export class TooManyRequestsError extends DomainError {
  constructor(detail = 'Too many login attempts. Please wait before trying again.') {
    super(429, 'too-many-requests', 'Too Many Requests', detail);
  }
}

/** Fixed-window hit counters kept in memory per instance, by key. */
export class FixedWindows {
  private readonly windows = new Map<string, Window>();
  private lastSweep = Date.now();

  /** Counts a hit on `key`; returns 0 while within `limit`, else the ms until the window resets. */
  hit(key: string, limit: number, windowMs: number, now = Date.now()): number {
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { hits: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.hits += 1;
    return window.hits > limit ? window.resetAt - now : 0;
  }

  /** Drops expired windows now and then, so the map cannot grow without bound. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}

/** Sets `Retry-After` (whole seconds, at least 1) and throws the 429 when `retryAfterMs` is positive. */
export function refuseIfLimited(res: Response, retryAfterMs: number, error: () => DomainError): void {
  if (retryAfterMs <= 0) return;
  res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  throw error();
}

/**
 * Rate-limits login routes per client address and per account (route + email), in fixed windows kept
 * in memory per instance. Over the limit: 429 with `Retry-After` in seconds.
 */
@Injectable()
export class LoginThrottlerGuard implements CanActivate {
  private readonly windows = new FixedWindows();

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const now = Date.now();
    const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
    let retryAfterMs = 0;
    for (const { name, limit, windowMs } of LOGIN_LIMITS) {
      const key = name === 'address' ? `a:${req.ip}` : `u:${req.path}:${email}`;
      retryAfterMs = Math.max(retryAfterMs, this.windows.hit(key, limit, windowMs, now));
    }
    refuseIfLimited(res, retryAfterMs, () => new TooManyRequestsError());
    return true;
  }
}

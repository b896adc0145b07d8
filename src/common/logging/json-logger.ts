import { LoggerService } from '@nestjs/common';
import type { LogLevel } from '../../config/app-config.js';
import { requestContext } from './request-context.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, fatal: 50, silent: 100 };
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|aadhar/i;

/** Replaces secret-looking fields (passwords, tokens, cookies, Aadhaar numbers) before a line is written. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/** Structured JSON lines on stdout, one object per event, with the request id when there is one. */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(level: LogLevel = 'info') {
    this.threshold = RANK[level];
  }

  isEnabled(level: LogLevel): boolean {
    return RANK[level] >= this.threshold;
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (RANK[level] < this.threshold) return;
    // Nest passes the context (a class name) as the last string argument.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level };
    if (context) line.context = context;
    const requestId = requestContext.getStore()?.requestId;
    if (requestId) line.request_id = requestId;
    if (message !== null && typeof message === 'object' && !(message instanceof Error))
      Object.assign(line, redact(message));
    else line.msg = message instanceof Error ? message.message : String(message);
    for (const extra of rest) {
      if (extra === undefined) continue;
      if (typeof extra === 'string') line.stack = extra;
      else if (extra instanceof Error) line.err = redact(extra);
      else if (typeof extra === 'object') Object.assign(line, redact(extra));
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
}

/**
 * The scale benchmark's HTTP side: timed requests to the running API, tokens as the API issues them,
 * and a signed-in admin panel session (the admin list and deletions go through the panel's own API).
 */
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { AccessTokenService } from '../../src/common/auth/access-token.js';
import { accessTokenKey } from '../../src/common/auth/access-token-key.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';
import type { Role } from '../../src/common/auth/role.js';
import { summarize, type LatencySummary } from '../support.js';

export const JWT_SECRET = 'graminstore-scale-benchmark-secret-0123456789';
export const ADMIN_EMAIL = 'admin@graminstore.com';
export const ADMIN_PASSWORD = 'scale-benchmark-admin-password';
/**
 * In production the panel's session cookie is `Secure`: the panel is reached as through a TLS-terminating
 * proxy on loopback (the API runs with TRUST_PROXY=127.0.0.1).
 */
const BEHIND_TLS = { 'x-forwarded-proto': 'https' };
/** No request may hang the run: a request slower than this counts as an error. */
const REQUEST_TIMEOUT_MS = 120_000;

export interface Timed {
  ms: number;
  status: number;
  body: unknown;
}

/** Latencies and failures of one measurement. */
export class Samples {
  readonly ms: number[] = [];
  errors = 0;
  firstError: string | undefined;

  add(result: Timed, ok = result.status >= 200 && result.status < 300): void {
    this.ms.push(result.ms);
    if (!ok) {
      this.errors += 1;
      this.firstError ??= `${result.status} ${JSON.stringify(result.body).slice(0, 200)}`;
    }
  }

  summary(): LatencySummary & { errors: number; firstError?: string } {
    return { ...summarize(this.ms), errors: this.errors, firstError: this.firstError };
  }
}

export class Api {
  private readonly tokens = new AccessTokenService(
    new JwtService({ secret: accessTokenKey(JWT_SECRET) }),
    loadConfig({ JWT_SECRET, ACCESS_TOKEN_EXPIRE_MINUTES: '600' }) as AppConfig,
  );

  constructor(readonly base: string) {}

  /** A bearer token with the claims, key and algorithm of the API's login. */
  token(role: Role, id: number): string {
    return this.tokens.sign({ id, role }).token;
  }

  async request(
    method: string,
    path: string,
    options: { token?: string; json?: unknown; headers?: Record<string, string>; form?: FormData } = {},
  ): Promise<Timed> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | FormData | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) body = options.form;
    const started = performance.now();
    try {
      const res = await fetch(this.base + path, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { ms: performance.now() - started, status: res.status, body: parsed };
    } catch (err) {
      return { ms: performance.now() - started, status: 0, body: String(err) };
    }
  }

  /** A new merchant through `POST /api/v2/auth/register/merchant` (which provisions its table). */
  registerMerchant(): Promise<Timed> {
    return this.register('merchant', (tag) => ({
      business_name: `Scale Kirana ${tag}`,
      business_type: 'kirana',
      city: 'Pune',
      state: 'Maharashtra',
      zip_code: '411001',
    }));
  }

  registerUser(): Promise<Timed> {
    return this.register('user', () => ({}));
  }

  private register(
    role: 'merchant' | 'user',
    extra: (tag: string) => Record<string, string>,
  ): Promise<Timed> {
    const tag = randomBytes(6).toString('hex');
    return this.request('POST', `/api/v2/auth/register/${role}`, {
      json: {
        name: `Scale ${role} ${tag}`,
        email: `scale.${role}.${tag}@example.com`,
        phone: randomPhone(),
        password: 'till-roll-khata-4821',
        ...extra(tag),
      },
    });
  }

  /** A sale of `merchantId`: on account for `userId` when given, else a paid walk-in sale. */
  createSale(merchantId: number, userId?: number): Promise<Timed> {
    const amount = (100 + Math.floor(Math.random() * 50_000)) / 100;
    const json = userId
      ? { user_id: userId, amount, type: 'pay_later' }
      : { amount, type: 'paid', payment_method: 'cash', is_guest_transaction: true };
    return this.request('POST', '/api/v2/transactions/create', {
      token: this.token('merchant', merchantId),
      json,
    });
  }

  /** Signs in to the admin panel; its session cookie, or an error saying why not. */
  async adminSession(): Promise<AdminSession> {
    const form = new URLSearchParams({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const res = await fetch(`${this.base}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...BEHIND_TLS },
      body: form.toString(),
      redirect: 'manual',
    });
    await res.arrayBuffer();
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    if (res.status !== 302 || !cookie) throw new Error(`admin sign-in answered ${res.status}`);
    return new AdminSession(this, cookie);
  }
}

export class AdminSession {
  constructor(
    private readonly api: Api,
    private readonly cookie: string,
  ) {}

  get(path: string): Promise<Timed> {
    return this.api.request('GET', `/admin/api${path}`, { headers: { cookie: this.cookie, ...BEHIND_TLS } });
  }

  /** A panel action as the browser submits it (multipart); a notice of type error is a failure. */
  async submit(path: string): Promise<Timed & { ok: boolean }> {
    const res = await this.api.request('POST', `/admin/api${path}`, {
      headers: { cookie: this.cookie, ...BEHIND_TLS },
      form: new FormData(),
    });
    const notice = (res.body as { notice?: { type?: string } } | null)?.notice;
    return { ...res, ok: res.status === 200 && notice?.type === 'success' };
  }
}

/** A valid Indian mobile number (+91, ten digits starting 6-9), random enough not to collide. */
function randomPhone(): string {
  return `+919${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
}

import type { Principal } from './role.js';

/** How many distinct access tokens are remembered; the oldest is forgotten first. */
const VERIFIED_TOKENS_CAPACITY = 10_000;

interface Entry {
  principal: Readonly<Principal>;
  /** The token's own `exp`, in ms since the epoch. */
  expiresAt: number;
}

/**
 * Access tokens this instance has already verified, so that a dashboard or a till sending the same
 * bearer token with every request pays for the signature check and claim validation once, not on
 * every call. The key is the whole token text (signature included), so only byte-identical tokens
 * match; an entry is never served after the token's own expiry. It remembers only the signature
 * check: whether the account and its session are still live is asked of {@link SessionState} on
 * every request, so a revoked session ends however long its token is remembered here.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = VERIFIED_TOKENS_CAPACITY) {}

  /** The caller proven by `token` earlier, or undefined (never seen, forgotten, or expired). */
  get(token: string, now = Date.now()): Readonly<Principal> | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.principal;
    this.entries.delete(token);
    return undefined;
  }

  /** Records a token that has just passed verification. */
  remember(token: string, principal: Principal, expiresAt: number): void {
    if (this.entries.has(token)) return;
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, {
      principal: Object.freeze(
        principal.sid
          ? {
              id: principal.id,
              role: principal.role,
              sid: principal.sid,
              ...(principal.staff && { staff: Object.freeze({ ...principal.staff }) }),
            }
          : { id: principal.id, role: principal.role },
      ),
      expiresAt,
    });
  }

  get size(): number {
    return this.entries.size;
  }
}

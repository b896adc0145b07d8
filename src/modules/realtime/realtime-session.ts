import type { AccessTokenService } from '../../common/auth/access-token.js';
import type { Principal } from '../../common/auth/role.js';
import { endsSession, type SessionsEnded } from '../../common/auth/session-revocations.js';
import type { SessionState } from '../../common/auth/session-state.js';
import { ForbiddenError, UnauthorizedError } from '../../common/errors/domain-error.js';

/** Who is on the other end of a real-time connection, and until when their token is good. */
export interface RealtimeSession {
  principal: Principal;
  /** Token expiry, ms since the epoch: the connection is closed then. */
  expiresAt: number;
}

/**
 * Verifies the access token of a real-time connection (same secret and algorithm rules as the HTTP
 * guard) and checks that its account and sign-in session are still live (not switched off). Only
 * merchants and customers have a live feed; anything else throws a DomainError.
 */
export async function verifyLiveToken(
  tokens: AccessTokenService,
  sessions: SessionState,
  token: unknown,
): Promise<RealtimeSession> {
  const { expiresAt, ...principal } = tokens.verify(typeof token === 'string' && token ? token : undefined);
  if (principal.role !== 'merchant' && principal.role !== 'user')
    throw new ForbiddenError('Live updates are for merchants and customers.');
  if (!(await sessions.isLive(principal)))
    throw new UnauthorizedError('This session has ended. Please sign in again.');
  return { principal, expiresAt };
}

/** Whether the data Socket.IO kept with a recovery session (`socket.data`) holds an unexpired token. */
export function tokenStillValid(data: unknown): boolean {
  const expiresAt = (data as { session?: RealtimeSession } | undefined)?.session?.expiresAt;
  return expiresAt !== undefined && expiresAt > Date.now();
}

/** Whether a connection's session is among those that just ended. */
export const endedBy = (event: SessionsEnded, principal: Principal | undefined): boolean =>
  principal !== undefined && endsSession(event, principal);

/** `setTimeout` holds at most ~24.8 days; longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `onExpired` when the session's token expires; returns the canceller. */
export function onSessionExpiry(session: RealtimeSession, onExpired: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = session.expiresAt - Date.now();
    if (left <= 0) return onExpired();
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

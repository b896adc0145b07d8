import { AsyncLocalStorage } from 'node:async_hooks';

/** The signed-in admin, as kept in the panel's session. */
export interface AdminIdentity {
  id: number;
  email: string;
  name: string;
}

/** Who is calling from where, for the audit trail of a request to the admin panel. */
export interface AdminRequestContext {
  ip: string | undefined;
  /** The panel session of the request, once the session middleware has read it. */
  sessionId?: () => string | undefined;
}

/** Carries the caller's address from the admin router into AdminJS's action hooks. */
export const adminRequestContext = new AsyncLocalStorage<AdminRequestContext>();

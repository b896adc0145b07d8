import { AsyncLocalStorage } from 'node:async_hooks';

interface RequestContext {
  requestId: string;
  /** The client's address, as Express derives it under the configured `TRUST_PROXY`. */
  ip?: string;
  /** `<role>:<id>` of the authenticated caller, once the guards have run (reads are routed by it). */
  account?: string;
}

/** Carries the request id through async work so every log line of a request can name it. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

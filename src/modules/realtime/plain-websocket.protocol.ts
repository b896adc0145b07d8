import type { TransactionEnvelope } from './dto/realtime-event.dto.js';
import type { RealtimeSession } from './realtime-session.js';

/** WebSocket close codes (RFC 6455). */
export const CloseCode = {
  goingAway: 1001,
  unsupportedData: 1003,
  policyViolation: 1008,
  internalError: 1011,
} as const;

/** One connection on a plain-WebSocket path, as a protocol sees it. */
export interface PlainSocketConnection {
  readonly session: RealtimeSession;
  /** Sends one JSON text frame, if the socket is still open. */
  send(message: object): void;
  /** Closes the socket with a close frame. */
  close(code: number, reason: string): void;
}

/**
 * What one plain-WebSocket path speaks. {@link LegacyWebSocketBridge} does everything the paths
 * share — the upgrade, the token check, rooms, heartbeats, token expiry, flow control, rate limits,
 * delivery of committed changes on every instance — and asks the protocol only for its own words.
 */
export interface PlainSocketProtocol {
  /** The path; the access token is the one segment after it. */
  readonly path: string;
  /**
   * How a bad token is refused: `http` answers the upgrade with 403 (the client never connects);
   * `close` accepts it and closes at once with 1008 and the reason.
   */
  readonly refuse: 'http' | 'close';
  /** One text message, already checked against the rate limit. */
  onMessage(connection: PlainSocketConnection, text: string): void | Promise<void>;
  /** A binary message. */
  onBinary(connection: PlainSocketConnection): void;
  /** A message beyond the connection's rate limit; the next one is allowed in `waitMs`. */
  onFlood(connection: PlainSocketConnection, waitMs: number): void;
  /**
   * The frame for one committed change, computed once per change for every connection of this path
   * in `rooms` (undefined: nothing to send).
   */
  frameFor(envelope: TransactionEnvelope, rooms: string[]): Promise<object | undefined> | object | undefined;
}

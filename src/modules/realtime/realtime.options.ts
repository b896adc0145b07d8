/**
 * Tunables of the real-time transports. A provider (not config) so a test or a benchmark can
 * override one value, e.g. a Redis prefix of its own so parallel runs on one Redis never meet.
 */
export class RealtimeOptions {
  /** How long a dropped Socket.IO client can come back and be sent what it missed. */
  readonly recoveryWindowMs: number = 2 * 60_000;
  /**
   * At most this many of the newest events are kept for recovery (in memory, or in the Redis stream).
   * A client that missed more connects afresh and resyncs over REST by `seq`; memory stays bounded
   * however many sales per second the instance records.
   */
  readonly recoveryBufferEvents: number = 10_000;
  /** Largest accepted incoming message (Socket.IO packet, WebSocket frame), in bytes. */
  readonly maxMessageBytes: number = 16 * 1024;
  /** Per-connection token bucket for incoming messages: burst size and sustained rate. */
  readonly messageBurst: number = 20;
  readonly messagesPerSecond: number = 10;
  /** Prefix of the Redis stream, channels and session keys used between instances. */
  readonly redisPrefix: string = 'graminstore';
  /** How long Redis stream reads block; also bounds how long shutdown waits for the reader. */
  readonly redisBlockMs: number = 1_000;
  /** Interval of the WebSocket-level ping that finds dead legacy connections. */
  readonly legacyHeartbeatMs: number = 30_000;

  static with(overrides: Partial<RealtimeOptions> = {}): RealtimeOptions {
    return Object.freeze(Object.assign(new RealtimeOptions(), overrides));
  }
}

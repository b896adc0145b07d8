import { SessionAwareAdapter } from 'socket.io-adapter';
import type { Namespace, ServerOptions } from 'socket.io';
import type { RedisClient } from './realtime-redis.js';

/**
 * The one place that relies on what the real-time libraries do inside, where they offer no public
 * hook. Everything else in the realtime module uses their public APIs only. The spec beside this file
 * pins the versions below and checks each assumption, so an upgrade fails a test instead of
 * production: re-check this file, then move the pins.
 */
export const PINNED_VERSIONS = {
  'socket.io-adapter': '2.5.8',
  '@socket.io/redis-streams-adapter': '0.3.1',
  redis: '6.3.1',
} as const;

/**
 * Socket.IO's in-memory session-aware adapter keeps every broadcast for the whole recovery window,
 * so at hundreds of sales a second it would hold hundreds of thousands of events. This subclass keeps
 * the newest `max` (as the Redis stream's MAXLEN does with Redis); a client whose offset has been
 * dropped is not restored and resyncs over REST by `seq`. Trimmed in steps of a tenth, so the cost per
 * event stays constant.
 *
 * Internal: the buffer is the adapter's private `packets` array, oldest first.
 */
export function boundedSessionAwareAdapter(max: number): typeof SessionAwareAdapter {
  return class BoundedSessionAwareAdapter extends SessionAwareAdapter {
    override broadcast(...args: Parameters<SessionAwareAdapter['broadcast']>): void {
      super.broadcast(...args);
      const packets = (this as unknown as { packets: unknown[] }).packets;
      if (packets.length > max + Math.ceil(max / 10)) packets.splice(0, packets.length - max);
    }
  };
}

/** Commands the Socket.IO streams adapter sends without awaiting them. */
const FIRE_AND_FORGET = ['set', 'publish', 'sPublish'] as const;
const SUBSCRIBE = ['subscribe', 'sSubscribe'] as const;

/**
 * The streams adapter sends a few commands without awaiting them (SUBSCRIBE at start, SET of a
 * recovery session, PUBLISH between instances). If Redis drops while one of them is in flight, its
 * rejection would be unhandled, which ends a Node process. This marks those promises as handled (the
 * outage is already logged through the 'error' event, and clients resync by `seq`), on this client
 * and on every duplicate of it. A SUBSCRIBE that failed is sent again once the client is back: the
 * Redis client only re-subscribes by itself to subscriptions that had succeeded.
 *
 * Internal: which commands the adapter leaves unawaited, and that it reaches them as methods of the
 * client it was given (or of `duplicate()`s of it).
 */
export function handleDroppedCommands(client: RedisClient): RedisClient {
  const methods = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  const guard = (name: string, onFailure: (args: unknown[]) => void) => {
    const original = methods[name]!;
    methods[name] = (...args: unknown[]) => {
      const result = original.apply(client, args);
      if (result instanceof Promise) result.catch(() => onFailure(args));
      return result;
    };
  };
  for (const name of FIRE_AND_FORGET) guard(name, () => undefined);
  for (const name of SUBSCRIBE) guard(name, (args) => client.once('ready', () => methods[name]!(...args)));
  const duplicate = methods.duplicate!;
  methods.duplicate = (...args: unknown[]) =>
    handleDroppedCommands(duplicate.apply(client, args) as RedisClient);
  return client;
}

/** Socket.IO's `adapter` option: what it constructs (with `new`) for each namespace. */
export type AdapterFactory = NonNullable<ServerOptions['adapter']>;
type SessionAdapter = InstanceType<typeof SessionAwareAdapter>;

/**
 * Socket.IO writes a restored session's missed packets to the wire while it builds the socket, before
 * any middleware has checked the returning client's token. So a restored session is handed over with
 * no missed packets: `hold` keeps them (by private session id) for the gateway, which replays them once
 * its middleware has authenticated the socket as the session's own principal, or drops them when it
 * refuses it. A session `live` rejects (its token has expired) is not restored at all: the client
 * connects afresh and resyncs over REST by `seq`.
 *
 * Internal: `restoreSession` is the adapter's public method, but the Redis streams adapter's class is
 * not exported, so the method is wrapped on each adapter the factory builds rather than overridden in
 * a subclass.
 */
export function holdingMissedPackets(
  base: AdapterFactory,
  live: (data: unknown) => boolean,
  hold: (pid: string, packets: unknown[][]) => void,
): AdapterFactory {
  return function (nsp: Namespace) {
    const adapter = new (base as unknown as new (nsp: Namespace) => SessionAdapter)(nsp);
    const restore = adapter.restoreSession.bind(adapter);
    adapter.restoreSession = async (pid, offset) => {
      const session = await restore(pid, offset);
      if (!session || !live(session.data)) return null as never;
      hold(pid, session.missedPackets as unknown[][]);
      return { ...session, missedPackets: [] };
    };
    return adapter;
  } as unknown as AdapterFactory;
}

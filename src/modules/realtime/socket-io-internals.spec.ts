import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Namespace } from 'socket.io';
import type { RedisClient } from './realtime-redis.js';
import {
  boundedSessionAwareAdapter,
  handleDroppedCommands,
  holdingMissedPackets,
  PINNED_VERSIONS,
  type AdapterFactory,
} from './socket-io-internals.js';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const installed = (name: string) =>
  (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;

/** Enough of a namespace for an adapter to broadcast to nobody. */
const fakeNamespace = () =>
  ({
    name: '/realtime',
    sockets: new Map(),
    server: {
      encoder: { encode: () => [] },
      opts: { connectionStateRecovery: { maxDisconnectionDuration: 60_000 } },
    },
  }) as unknown as Namespace;
const event = (name: string) => ({ type: 2, data: [name], nsp: '/realtime' });
const everyone = () => ({ rooms: new Set<string>(), except: new Set<string>(), flags: {} });
const build = (factory: AdapterFactory, nsp: Namespace) =>
  new (
    factory as unknown as new (nsp: Namespace) => {
      broadcast(packet: unknown, opts: unknown): void;
      persistSession(session: unknown): void;
      restoreSession(pid: string, offset: string): Promise<{ missedPackets: unknown[] } | null>;
    }
  )(nsp);

describe('the libraries whose internals the realtime module relies on', () => {
  it.each(Object.entries(PINNED_VERSIONS))('%s is the pinned version %s', (name, version) => {
    expect(installed(name)).toBe(version);
  });

  it('keeps only the newest events of the in-memory recovery buffer (its private `packets`)', () => {
    const adapter = build(boundedSessionAwareAdapter(10), fakeNamespace());
    for (let i = 0; i < 100; i++) adapter.broadcast(event(`e${i}`), everyone());
    const packets = (adapter as unknown as { packets: { data: unknown[] }[] }).packets;
    expect(packets.length).toBeGreaterThanOrEqual(10);
    expect(packets.length).toBeLessThanOrEqual(11);
    expect(packets.at(-1)!.data[0]).toBe('e99');
  });

  it('restores a session without its missed events, which are held for the gateway', async () => {
    const held = new Map<string, unknown[][]>();
    const factory = holdingMissedPackets(
      boundedSessionAwareAdapter(100),
      (data) => (data as { live: boolean }).live,
      (pid, packets) => held.set(pid, packets),
    );
    const adapter = build(factory, fakeNamespace());
    adapter.broadcast(event('before'), everyone());
    const offset = (adapter as unknown as { packets: { id: string }[] }).packets[0]!.id;
    for (const [pid, live] of [
      ['p1', true],
      ['p2', false],
    ] as const)
      adapter.persistSession({ sid: pid, pid, rooms: [], data: { live } });
    adapter.broadcast(event('missed'), everyone());

    const restored = await adapter.restoreSession('p1', offset);
    expect(restored?.missedPackets).toEqual([]);
    expect(held.get('p1')).toEqual([['missed', expect.any(String)]]);
    expect(await adapter.restoreSession('p2', offset)).toBeNull();
    expect(held.has('p2')).toBe(false);
  });

  it('the Redis streams adapter sends these commands without awaiting them, on duplicates too', () => {
    const dist = join(packageDir('@socket.io/redis-streams-adapter'), 'dist');
    const util = readFileSync(join(dist, 'util.js'), 'utf8');
    for (const call of [
      'redisClient.set(',
      'redisClient.publish(',
      'redisClient.sPublish(',
      'subClient.subscribe(',
    ])
      expect(util).toContain(call);
    expect(util).toContain('redisClient.duplicate()');
    const adapter = readFileSync(join(dist, 'adapter.js'), 'utf8');
    expect(adapter).toMatch(/\n\s+\(0, util_1\.SET\)\(/);
    expect(adapter).toMatch(/\n\s+\(this\.#opts\.useShardedPubSub \? util_1\.SPUBLISH : util_1\.PUBLISH\)\(/);
  });

  it('marks those commands handled and subscribes again once the client is back', async () => {
    const listeners: Record<string, () => void> = {};
    let subscribes = 0;
    const fake = {
      set: () => Promise.reject(new Error('down')),
      publish: () => Promise.reject(new Error('down')),
      sPublish: () => Promise.reject(new Error('down')),
      subscribe: () => (++subscribes === 1 ? Promise.reject(new Error('down')) : Promise.resolve()),
      sSubscribe: () => Promise.resolve(),
      once: (name: string, f: () => void) => (listeners[name] = f),
      duplicate: () => ({ ...fake }),
    };
    const client = handleDroppedCommands(fake as unknown as RedisClient);
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      for (const name of ['set', 'publish', 'sPublish', 'subscribe'] as const)
        void (client as unknown as Record<string, () => Promise<unknown>>)[name]!();
      await new Promise((r) => setImmediate(r));
      listeners.ready!();
      expect(subscribes).toBe(2);
      const copy = (
        client as unknown as { duplicate: () => Record<string, () => Promise<unknown>> }
      ).duplicate();
      void copy.publish!();
      await new Promise((r) => setImmediate(r));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

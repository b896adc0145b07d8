import { Logger, type OnApplicationShutdown } from '@nestjs/common';
// The client library is imported only when REDIS_URL is set: a single instance starts without it.
import type { createClient as CreateClient } from 'redis';
import { AppConfig } from '../../config/app-config.js';
import { handleDroppedCommands } from './socket-io-internals.js';

/** Attempts at boot before giving up (about 10 s); once connected, the client retries for ever. */
const BOOT_ATTEMPTS = 8;

const newClient = (createClient: typeof CreateClient, url: string, booted: () => boolean) =>
  createClient({
    url,
    socket: {
      reconnectStrategy: (retries: number) =>
        !booted() && retries >= BOOT_ATTEMPTS
          ? new Error('Redis (REDIS_URL) cannot be reached.')
          : Math.min(100 * 2 ** retries, 2000),
    },
  });
export type RedisClient = ReturnType<typeof newClient>;

/**
 * The Redis connection that carries events between instances, or none: without `REDIS_URL` one
 * instance works alone and nothing touches Redis. Connected before the Socket.IO server is built
 * (an async provider), closed after it has shut down.
 */
export class RealtimeRedis implements OnApplicationShutdown {
  private static readonly logger = new Logger('Realtime');

  private constructor(readonly client: RedisClient | null) {}

  get clustered(): boolean {
    return this.client !== null;
  }

  /** Configured but not connected right now (an outage; the client is reconnecting). */
  get unavailable(): boolean {
    return this.client !== null && !this.client.isReady;
  }

  static async connect(config: AppConfig): Promise<RealtimeRedis> {
    if (!config.redisUrl) return new RealtimeRedis(null);
    let booted = false;
    const { createClient } = await import('redis');
    const client = newClient(createClient, config.redisUrl, () => booted);
    // Without a listener an 'error' event would crash the process; the client reconnects by itself.
    client.on('error', (err: Error) => RealtimeRedis.logger.warn({ msg: 'Redis error', err: err.message }));
    // Fail the boot rather than run an instance that silently misses the other instances' events.
    await client.connect();
    booted = true;
    return new RealtimeRedis(handleDroppedCommands(client));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client?.isOpen) await this.client.close();
  }
}

export const realtimeRedisProvider = {
  provide: RealtimeRedis,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => RealtimeRedis.connect(config),
};

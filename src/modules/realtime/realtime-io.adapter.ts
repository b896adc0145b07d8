import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server, type ServerOptions } from 'socket.io';
import { AppConfig } from '../../config/app-config.js';
import { MissedPackets } from './missed-packets.js';
import { RealtimeOptions } from './realtime.options.js';
import { RealtimeRedis } from './realtime-redis.js';
import { tokenStillValid } from './realtime-session.js';
import { boundedSessionAwareAdapter, holdingMissedPackets } from './socket-io-internals.js';

type NestIoServer = ReturnType<IoAdapter['createIOServer']>;
type NestIoOptions = Parameters<IoAdapter['createIOServer']>[1];

/**
 * Builds the one Socket.IO server from configuration: CORS as for HTTP, a message size limit,
 * connection-state recovery, and, with `REDIS_URL`, the Redis streams adapter so broadcasts and
 * recovery sessions are shared by every instance. Without Redis, Socket.IO's in-memory
 * session-aware adapter (keeping the newest events only) gives the same recovery within one instance.
 * Either way a restored session's missed events wait for the gateway to authenticate the socket.
 */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: NestIoOptions): NestIoServer {
    const config = this.app.get(AppConfig);
    const realtime = this.app.get(RealtimeOptions);
    const redis = this.app.get(RealtimeRedis);
    const missed = this.app.get(MissedPackets);
    const prefix = realtime.redisPrefix;
    const serverOptions: Partial<ServerOptions> = {
      ...(options as Partial<ServerOptions> | undefined),
      cors: { origin: config.corsOrigins, credentials: config.corsOrigins !== true },
      maxHttpBufferSize: realtime.maxMessageBytes,
      connectionStateRecovery: {
        maxDisconnectionDuration: realtime.recoveryWindowMs,
        // A returning client proves its token again; the gateway checks it is the same principal.
        skipMiddlewares: false,
      },
    };
    const adapter = redis.client
      ? createAdapter(redis.client, {
          streamName: `${prefix}:socket.io`,
          channelPrefix: `${prefix}:socket.io`,
          sessionKeyPrefix: `${prefix}:socket.io:session:`,
          blockTimeInMs: realtime.redisBlockMs,
          maxLen: realtime.recoveryBufferEvents,
          onlyPlaintext: true,
        })
      : boundedSessionAwareAdapter(realtime.recoveryBufferEvents);
    serverOptions.adapter = holdingMissedPackets(adapter, tokenStillValid, (pid, packets) =>
      missed.hold(pid, packets),
    );
    const server =
      this.httpServer && port === 0
        ? new Server(this.httpServer, serverOptions)
        : new Server(port, serverOptions);
    // Nest types its adapter against its own pinned copy of socket.io; this server is the app's
    // declared socket.io (same major), which the gateway's types refer to.
    return server as unknown as NestIoServer;
  }
}

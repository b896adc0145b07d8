import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { AccessTokenService } from '../../common/auth/access-token.js';
import { SessionRevocations, type SessionsEnded } from '../../common/auth/session-revocations.js';
import { SessionState } from '../../common/auth/session-state.js';
import { TokenBucket } from '../../common/rate-limit/token-bucket.js';
import { toProblem } from '../../common/errors/problem-details.filter.js';
import { roomOf, type TransactionEnvelope } from './dto/realtime-event.dto.js';
import { OrdersSocketProtocol } from './orders-socket.protocol.js';
import {
  CloseCode,
  type PlainSocketConnection,
  type PlainSocketProtocol,
} from './plain-websocket.protocol.js';
import { RealtimeOptions } from './realtime.options.js';
import { endedBy, onSessionExpiry, verifyLiveToken, type RealtimeSession } from './realtime-session.js';
import { TransactionHistoryProtocol } from './transaction-history.protocol.js';

/** A client this far behind is not reading: drop it rather than buffer without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

interface PlainClient {
  ws: WebSocket;
  protocol: PlainSocketProtocol;
  connection: PlainSocketConnection;
  room: string;
  bucket: TokenBucket;
  alive: boolean;
  cancelExpiry: () => void;
}

/** The token in `<path>/{token}`, '' when empty or undecodable, undefined for other paths. */
function tokenAfter(path: string, url: string | undefined): string | undefined {
  const requested = (url ?? '').split('?')[0]!;
  if (!requested.startsWith(`${path}/`)) return undefined;
  const segment = requested.slice(path.length + 1);
  if (segment.includes('/')) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/**
 * The plain-WebSocket paths of the original API, served on the same HTTP server as REST and
 * Socket.IO: `/api/v1/ws/transaction-history/{token}` (the seed README's) and `/api/v1/ws/orders/{token}`
 * (the original PWA's). The token is the path's last segment (those clients cannot send headers).
 * Everything the paths share lives here — the token check, the merchant's and customer's rooms (the
 * same as Socket.IO's), heartbeats, closing at token expiry, flow control, a rate limit per
 * connection, and delivery of each committed change on every instance — and each path's own words
 * in its {@link PlainSocketProtocol}.
 */
@Injectable()
export class LegacyWebSocketBridge implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  private readonly wss: WebSocketServer;
  private readonly rooms = new Map<string, Set<PlainClient>>();
  private readonly protocols: PlainSocketProtocol[];
  private httpServer?: Server;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly tokens: AccessTokenService,
    private readonly options: RealtimeOptions,
    private readonly sessions: SessionState,
    revocations: SessionRevocations,
    history: TransactionHistoryProtocol,
    orders: OrdersSocketProtocol,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
    this.protocols = [history, orders];
    revocations.onRevoked((event) => this.endSessions(event));
  }

  /** Closes this instance's connections of sessions that have ended (account switched off, logout). */
  private endSessions(event: SessionsEnded): void {
    if (event.role !== 'merchant' && event.role !== 'user') return;
    for (const client of this.rooms.get(roomOf(event)) ?? [])
      if (endedBy(event, client.connection.session.principal))
        client.ws.close(CloseCode.policyViolation, 'Session ended.');
  }

  onModuleInit(): void {
    this.httpServer = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    this.httpServer?.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => this.checkAlive(), this.options.legacyHeartbeatMs);
    this.heartbeat.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.httpServer?.off('upgrade', this.onUpgrade);
    clearInterval(this.heartbeat);
    const clients = [...this.rooms.values()].flatMap((set) => [...set]);
    await Promise.all(
      clients.map(
        ({ ws }) =>
          new Promise<void>((done) => {
            const force = setTimeout(() => ws.terminate(), 1000);
            ws.once('close', () => {
              clearTimeout(force);
              done();
            });
            ws.close(CloseCode.goingAway, 'Server shutting down.');
          }),
      ),
    );
    this.wss.close();
  }

  /**
   * Sends a change to this instance's plain-WebSocket clients in these rooms, each in its path's
   * words. A path's frame is computed once per change, and only when one of its clients is there.
   */
  deliver(rooms: string[], envelope: TransactionEnvelope): void {
    const byProtocol = new Map<PlainSocketProtocol, PlainClient[]>();
    for (const room of rooms)
      for (const client of this.rooms.get(room) ?? []) {
        const list = byProtocol.get(client.protocol);
        if (list) list.push(client);
        else byProtocol.set(client.protocol, [client]);
      }
    for (const [protocol, clients] of byProtocol) {
      const send = (frame: object | undefined) => {
        if (frame) this.sendAll(clients, JSON.stringify(frame));
      };
      try {
        const frame = protocol.frameFor(envelope, rooms);
        if (frame instanceof Promise)
          frame.then(send, (err: unknown) => this.logger.error({ msg: 'socket frame failed', err }));
        else send(frame);
      } catch (err) {
        this.logger.error({ msg: 'socket frame failed', err });
      }
    }
  }

  private sendAll(clients: PlainClient[], frame: string): void {
    for (const client of clients) {
      if (client.ws.readyState !== WebSocket.OPEN) continue;
      if (client.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        client.ws.terminate();
        continue;
      }
      client.ws.send(frame);
    }
  }

  /** Upgrades on other paths are left to Socket.IO's engine, which refuses unknown ones. */
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    for (const protocol of this.protocols) {
      const token = tokenAfter(protocol.path, req.url);
      if (token !== undefined) return void this.upgrade(protocol, token, req, socket, head);
    }
  };

  /** Checks the token (and that its session is still live) before the protocol's handshake. */
  private async upgrade(
    protocol: PlainSocketProtocol,
    token: string,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    let session: RealtimeSession;
    try {
      session = await verifyLiveToken(this.tokens, this.sessions, token);
    } catch (err) {
      const { detail } = toProblem(err, protocol.path);
      if (protocol.refuse === 'http') return refuseUpgrade(socket, detail);
      return this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => undefined);
        ws.close(CloseCode.policyViolation, detail);
      });
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, protocol, session));
  }

  private accept(ws: WebSocket, protocol: PlainSocketProtocol, session: RealtimeSession): void {
    // Without a listener, a protocol error (e.g. an oversized frame, closed with 1009) would throw.
    ws.on('error', (err) => this.logger.debug?.({ msg: 'plain socket error', err: err.message }));
    const connection: PlainSocketConnection = {
      session,
      send: (message) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
      },
      close: (code, reason) => ws.close(code, reason),
    };
    const client: PlainClient = {
      ws,
      protocol,
      connection,
      room: roomOf(session.principal),
      bucket: new TokenBucket(this.options.messageBurst, this.options.messagesPerSecond),
      alive: true,
      cancelExpiry: onSessionExpiry(session, () => ws.close(CloseCode.policyViolation, 'Token expired.')),
    };
    let members = this.rooms.get(client.room);
    if (!members) this.rooms.set(client.room, (members = new Set()));
    members.add(client);
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data, isBinary) => void this.onMessage(client, data, isBinary));
    ws.on('close', () => this.remove(client));
  }

  private remove(client: PlainClient): void {
    client.cancelExpiry();
    const members = this.rooms.get(client.room);
    members?.delete(client);
    if (members?.size === 0) this.rooms.delete(client.room);
  }

  private async onMessage(client: PlainClient, data: RawData, isBinary: boolean): Promise<void> {
    const { protocol, connection } = client;
    try {
      const waitMs = client.bucket.tryTake();
      if (waitMs > 0) return protocol.onFlood(connection, waitMs);
      if (isBinary) return protocol.onBinary(connection);
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      await protocol.onMessage(connection, text);
    } catch (err) {
      // A protocol answers its own failures; this is the last line, so a socket can never crash the process.
      this.logger.error({ msg: 'socket message failed', path: protocol.path, err });
      client.ws.close(CloseCode.internalError, 'Internal error.');
    }
  }

  /** Terminates connections that stopped answering pings (half-open TCP, sleeping phones). */
  private checkAlive(): void {
    for (const members of this.rooms.values())
      for (const client of members) {
        if (!client.alive) {
          client.ws.terminate();
          continue;
        }
        client.alive = false;
        client.ws.ping();
      }
  }
}

/** Answers an upgrade with a plain HTTP 403: the handshake fails before any WebSocket exists. */
function refuseUpgrade(socket: Duplex, detail: string): void {
  const body = JSON.stringify({ detail });
  socket.end(
    'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

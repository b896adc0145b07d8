import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { AccessTokenService } from '../../common/auth/access-token.js';
import { SessionRevocations, type SessionsEnded } from '../../common/auth/session-revocations.js';
import { SessionState } from '../../common/auth/session-state.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { toProblem } from '../../common/errors/problem-details.filter.js';
import { roomOf, type TransactionEnvelope } from './dto/realtime-event.dto.js';
import { errorReply, RealtimeHistoryService, tooManyMessages } from './realtime-history.service.js';
import { RealtimeOptions } from './realtime.options.js';
import { endedBy, onSessionExpiry, openLiveSession, type RealtimeSession } from './realtime-session.js';
import { TokenBucket } from '../../common/rate-limit/token-bucket.js';

/** The seed's path; the token is its last segment (the seed's clients cannot send headers). */
export const LEGACY_PATH = '/api/v1/ws/transaction-history';
/** WebSocket close codes (RFC 6455). */
const POLICY_VIOLATION = 1008;
const GOING_AWAY = 1001;
/** A client this far behind is not reading: drop it rather than buffer without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

interface LegacyClient {
  ws: WebSocket;
  session: RealtimeSession;
  room: string;
  bucket: TokenBucket;
  alive: boolean;
  cancelExpiry: () => void;
}

class MalformedMessageError extends DomainError {
  constructor(detail: string) {
    super(400, 'malformed-message', 'Bad Request', detail);
  }
}

/** The token in `/api/v1/ws/transaction-history/{token}`, '' when empty, undefined for other paths. */
export function legacyToken(url: string | undefined): string | undefined {
  const path = (url ?? '').split('?')[0]!;
  if (!path.startsWith(`${LEGACY_PATH}/`)) return undefined;
  const segment = path.slice(LEGACY_PATH.length + 1);
  if (segment.includes('/')) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/**
 * The seed's plain WebSocket path, served on the same HTTP server as REST and Socket.IO:
 * `{type: "get_transactions", limit, offset}` in → `{type: "transaction_history", data: [...]}` out;
 * `new_transaction` / `transaction_updated` pushed as `{type, data, id, seq, occurred_at}`;
 * `{type: "ping"}` → `{type: "pong"}`. Same rooms, authorisation and events as Socket.IO; a bad or
 * expired token closes the connection with 1008 (policy violation).
 */
@Injectable()
export class LegacyWebSocketBridge implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  private readonly wss: WebSocketServer;
  private readonly rooms = new Map<string, Set<LegacyClient>>();
  private httpServer?: Server;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly tokens: AccessTokenService,
    private readonly history: RealtimeHistoryService,
    private readonly options: RealtimeOptions,
    private readonly sessions: SessionState,
    revocations: SessionRevocations,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
    revocations.onRevoked((event) => this.endSessions(event));
  }

  /** Closes this instance's connections of sessions that have ended (account switched off, logout). */
  private endSessions(event: SessionsEnded): void {
    if (event.role !== 'merchant' && event.role !== 'user') return;
    for (const client of this.rooms.get(roomOf(event)) ?? [])
      if (endedBy(event, client.session.principal)) client.ws.close(POLICY_VIOLATION, 'Session ended.');
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
            ws.close(GOING_AWAY, 'Server shutting down.');
          }),
      ),
    );
    this.wss.close();
  }

  /** Sends a change to this instance's legacy clients in these rooms. */
  deliver(rooms: string[], envelope: TransactionEnvelope): void {
    let frame: string | undefined;
    for (const room of rooms)
      for (const client of this.rooms.get(room) ?? []) {
        if (client.ws.readyState !== WebSocket.OPEN) continue;
        if (client.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          client.ws.terminate();
          continue;
        }
        client.ws.send((frame ??= JSON.stringify(envelope)));
      }
  }

  /** Upgrades on other paths are left to Socket.IO's engine, which refuses unknown ones. */
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const token = legacyToken(req.url);
    if (token === undefined) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.accept(ws, token));
  };

  private async accept(ws: WebSocket, token: string): Promise<void> {
    // Without a listener, a protocol error (e.g. an oversized frame, closed with 1009) would throw.
    ws.on('error', (err) => this.logger.debug?.({ msg: 'legacy socket error', err: err.message }));
    let session: RealtimeSession;
    try {
      session = await openLiveSession(this.tokens, this.sessions, token);
    } catch (err) {
      ws.close(POLICY_VIOLATION, toProblem(err, LEGACY_PATH).detail);
      return;
    }
    const client: LegacyClient = {
      ws,
      session,
      room: roomOf(session.principal),
      bucket: new TokenBucket(this.options.messageBurst, this.options.messagesPerSecond),
      alive: true,
      cancelExpiry: onSessionExpiry(session, () => ws.close(POLICY_VIOLATION, 'Token expired.')),
    };
    let members = this.rooms.get(client.room);
    if (!members) this.rooms.set(client.room, (members = new Set()));
    members.add(client);
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data, isBinary) => void this.onMessage(client, data, isBinary));
    ws.on('close', () => this.remove(client));
  }

  private remove(client: LegacyClient): void {
    client.cancelExpiry();
    const members = this.rooms.get(client.room);
    members?.delete(client);
    if (members?.size === 0) this.rooms.delete(client.room);
  }

  private async onMessage(client: LegacyClient, data: RawData, isBinary: boolean): Promise<void> {
    const send = (message: object) => {
      if (client.ws.readyState === WebSocket.OPEN) client.ws.send(JSON.stringify(message));
    };
    const fail = (err: unknown) => send({ type: 'error', ...errorReply(err, LEGACY_PATH, this.logger) });
    const waitMs = client.bucket.tryTake();
    if (waitMs > 0) return fail(tooManyMessages(waitMs));
    if (isBinary) return fail(new MalformedMessageError('Messages must be JSON text.'));
    const text = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    if (text.trim() === 'ping') return send({ type: 'pong' });
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return fail(new MalformedMessageError('The message is not valid JSON.'));
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message))
      return fail(new MalformedMessageError('The message must be a JSON object with a "type".'));
    const { type, ...fields } = message as { type?: unknown };
    switch (type) {
      case 'ping':
        return send({ type: 'pong' });
      case 'get_transactions': {
        const reply = await this.history.page(
          client.session.principal,
          fields,
          `${LEGACY_PATH}#get_transactions`,
        );
        return send(
          'error' in reply ? { type: 'error', ...reply } : { type: 'transaction_history', ...reply },
        );
      }
      default:
        return fail(new MalformedMessageError('Unknown message type: use "get_transactions" or "ping".'));
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

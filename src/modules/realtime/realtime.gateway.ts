import { Logger } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { BroadcastOperator, DefaultEventsMap, ExtendedError, Namespace, Socket } from 'socket.io';
import { AccessTokenService } from '../../common/auth/access-token.js';
import { SessionRevocations, type SessionsEnded } from '../../common/auth/session-revocations.js';
import { SessionState } from '../../common/auth/session-state.js';
import { DomainError, UnauthorizedError } from '../../common/errors/domain-error.js';
import { toProblem } from '../../common/errors/problem-details.filter.js';
import {
  type ErrorReply,
  roomOf,
  type TransactionEnvelope,
  type TransactionsPageReply,
} from './dto/realtime-event.dto.js';
import { LegacyWebSocketBridge } from './legacy-websocket.bridge.js';
import { MissedPackets } from './missed-packets.js';
import { errorReply, RealtimeHistoryService, tooManyMessages } from './realtime-history.service.js';
import { RealtimeOptions } from './realtime.options.js';
import { RealtimeRedis } from './realtime-redis.js';
import { endedBy, onSessionExpiry, verifyLiveToken, type RealtimeSession } from './realtime-session.js';
import { TokenBucket } from '../../common/rate-limit/token-bucket.js';
import { RealtimeErrorCode } from '../../common/errors/error-codes.js';

const REALTIME_NAMESPACE = '/realtime';
/** Client → server messages this gateway answers; anything else gets an error reply. */
const INBOUND = new Set(['get_transactions']);
/** Instance → instance: a change for the legacy WebSocket clients connected elsewhere. */
const LEGACY_RELAY = 'legacy_relay';

/** What a connection carries; kept with the recovery session, so it survives a short drop. */
interface SocketData {
  session?: RealtimeSession;
}
type RealtimeSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>;
type Reply = TransactionsPageReply | ErrorReply;

class UnknownMessageError extends DomainError {
  constructor(event: string) {
    super(RealtimeErrorCode.UnknownMessage, `Unknown message "${event.slice(0, 40)}".`);
  }
}

/**
 * Socket.IO namespace `/realtime` for live dashboards. The access token travels in the handshake's
 * `auth.token` (never the URL) and is verified before the connection is accepted; the connection is
 * closed when the token expires. Merchants join `merchant:<id>`, customers `user:<id>`. Domain code
 * never reaches this server: {@link RealtimeService} hands it committed changes to broadcast.
 *
 * Server → client: `ready`, `new_transaction`, `transaction_updated`, `session_expired`, `exception`.
 * Client → server: `get_transactions` `{limit, offset | cursor, ...REST filters}`, answered by
 * acknowledgement with the REST history rows.
 */
@WebSocketGateway({ namespace: REALTIME_NAMESPACE })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('Realtime');
  private nsp?: Namespace;
  private readonly expiries = new WeakMap<RealtimeSocket, () => void>();

  constructor(
    private readonly tokens: AccessTokenService,
    private readonly history: RealtimeHistoryService,
    private readonly legacy: LegacyWebSocketBridge,
    private readonly redis: RealtimeRedis,
    private readonly options: RealtimeOptions,
    private readonly sessions: SessionState,
    private readonly revocations: SessionRevocations,
    private readonly missed: MissedPackets,
  ) {}

  afterInit(nsp: Namespace): void {
    this.nsp = nsp;
    nsp.use((socket: RealtimeSocket, next) => void this.authenticate(socket).then(next));
    this.revocations.onRevoked((event) => this.endSessions(event));
    if (this.redis.clustered)
      nsp.on(LEGACY_RELAY, (rooms: string[], envelope: TransactionEnvelope) =>
        this.legacy.deliver(rooms, envelope),
      );
  }

  handleConnection(socket: RealtimeSocket): void {
    // Only now, with the token checked by the middleware, may a restored session have what it missed.
    for (const [event, ...args] of this.missed.take(recoveryId(socket))) socket.emit(String(event), ...args);
    const session = socket.data.session!;
    void socket.join(roomOf(session.principal));
    this.limitInbound(socket);
    this.expiries.set(
      socket,
      onSessionExpiry(session, () => {
        // A server-side disconnect: the client does not retry with the dead token by itself.
        socket.emit('session_expired', { detail: 'The access token has expired. Reconnect with a new one.' });
        socket.disconnect();
      }),
    );
    // Sent as a broadcast to the socket's own room, not a direct emit, so it carries a recovery
    // offset: a client that drops before its first sale can still recover what it missed.
    this.out
      ?.to(socket.id)
      .emit('ready', { role: session.principal.role, id: session.principal.id, recovered: socket.recovered });
  }

  handleDisconnect(socket: RealtimeSocket): void {
    this.expiries.get(socket)?.();
  }

  /** The caller's history page, by acknowledgement (or a `transaction_history` event without one). */
  @SubscribeMessage('get_transactions')
  async getTransactions(
    @ConnectedSocket() socket: RealtimeSocket,
    @MessageBody() body: unknown,
    @Ack() ack?: (reply: Reply) => void,
  ): Promise<void> {
    const reply = await this.history.page(
      socket.data.session!.principal,
      body,
      `${REALTIME_NAMESPACE}#get_transactions`,
    );
    if (typeof ack === 'function') ack(reply);
    else socket.emit('transaction_history', reply);
  }

  /** To the Socket.IO clients in these rooms, on every instance (the adapter carries it). */
  broadcast(rooms: string[], envelope: TransactionEnvelope): void {
    this.out?.to(rooms).emit(envelope.type, envelope);
  }

  /** To the legacy WebSocket clients of the other instances (none without Redis). */
  relay(rooms: string[], envelope: TransactionEnvelope): void {
    if (this.redis.clustered && !this.redis.unavailable)
      void this.nsp?.serverSideEmit(LEGACY_RELAY, rooms, envelope);
  }

  /**
   * Broadcasts go through Redis (to every instance, with a recovery offset). While Redis is down they
   * would queue until it is back, so they stay on this instance: its own clients keep their live
   * feed, and the other instances' clients resync over REST by `seq`.
   */
  private get out(): Namespace | BroadcastOperator<DefaultEventsMap, SocketData> | undefined {
    return this.redis.unavailable ? this.nsp?.local : this.nsp;
  }

  /** Namespace middleware: runs before the connection is accepted, and again on recovery. */
  private async authenticate(socket: RealtimeSocket): Promise<ExtendedError | undefined> {
    try {
      const session = await verifyLiveToken(
        this.tokens,
        this.sessions,
        (socket.handshake.auth as { token?: unknown }).token,
      );
      const previous = socket.data.session?.principal;
      if (
        socket.recovered &&
        (previous?.id !== session.principal.id ||
          previous.role !== session.principal.role ||
          previous.staff?.id !== session.principal.staff?.id)
      )
        throw new UnauthorizedError('This session belongs to another account.');
      socket.data.session = session;
      return undefined;
    } catch (err) {
      this.missed.take(recoveryId(socket));
      const { status, code, title, detail } = toProblem(err, REALTIME_NAMESPACE);
      return Object.assign(new Error(detail), { data: { status, code, title, detail } });
    }
  }

  /**
   * Disconnects this instance's sockets of sessions that have ended (every instance hears of it, so
   * each closes its own). A server-side disconnect: the client does not retry by itself.
   */
  private endSessions(event: SessionsEnded): void {
    if (!this.nsp || (event.role !== 'merchant' && event.role !== 'user')) return;
    // This instance's own sockets in the account's room (a direct emit, not a broadcast through the
    // adapter, so the notice is written before the socket closes).
    const ids = [...(this.nsp.adapter.rooms.get(roomOf(event)) ?? [])];
    for (const socket of ids.map((id) => this.nsp!.sockets.get(id)))
      if (socket && endedBy(event, socket.data.session?.principal)) {
        socket.emit('session_ended', { detail: 'This session has ended. Please sign in again.' });
        socket.disconnect();
      }
  }

  /** Per-socket policy for incoming messages: a token bucket, and known events only. */
  private limitInbound(socket: RealtimeSocket): void {
    const bucket = new TokenBucket(this.options.messageBurst, this.options.messagesPerSecond);
    socket.use((packet, next) => {
      const last: unknown = packet[packet.length - 1];
      const reply = (err: DomainError) => {
        const body = errorReply(err, `${REALTIME_NAMESPACE}#${String(packet[0])}`, this.logger);
        if (typeof last === 'function') (last as (r: ErrorReply) => void)(body);
        else socket.emit('exception', body);
      };
      const waitMs = bucket.tryTake();
      if (waitMs > 0) return reply(tooManyMessages(waitMs));
      if (!INBOUND.has(String(packet[0]))) return reply(new UnknownMessageError(String(packet[0])));
      next();
    });
  }
}

/** The private session id a returning client asks to restore (see {@link MissedPackets}). */
function recoveryId(socket: RealtimeSocket): string {
  return String((socket.handshake.auth as { pid?: unknown }).pid);
}

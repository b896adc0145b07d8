import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import type { TransactionEnvelope } from './dto/realtime-event.dto.js';
import type { PlainSocketConnection, PlainSocketProtocol } from './plain-websocket.protocol.js';
import { errorReply, RealtimeHistoryService, tooManyMessages } from './realtime-history.service.js';
import { RealtimeErrorCode } from '../../common/errors/error-codes.js';

/** The seed README's path. */
const LEGACY_PATH = '/api/v1/ws/transaction-history';

class MalformedMessageError extends DomainError {
  constructor(detail: string) {
    super(RealtimeErrorCode.MalformedMessage, detail);
  }
}

/**
 * The seed README's WebSocket: `{type: "get_transactions", limit, offset}` in →
 * `{type: "transaction_history", data: [...]}` out; `new_transaction` / `transaction_updated` pushed
 * as `{type, data, id, seq, occurred_at}` (the Socket.IO envelope); `{type: "ping"}` (or the text
 * `ping`) → `{type: "pong"}`. A bad or expired token is accepted and closed at once with 1008; a bad
 * message gets `{type: "error", error: <problem+json>}` and the connection stays open.
 */
@Injectable()
export class TransactionHistoryProtocol implements PlainSocketProtocol {
  readonly path = LEGACY_PATH;
  readonly refuse = 'close' as const;
  private readonly logger = new Logger('Realtime');

  constructor(private readonly history: RealtimeHistoryService) {}

  async onMessage(connection: PlainSocketConnection, text: string): Promise<void> {
    if (text.trim() === 'ping') return connection.send({ type: 'pong' });
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.fail(connection, new MalformedMessageError('The message is not valid JSON.'));
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message))
      return this.fail(
        connection,
        new MalformedMessageError('The message must be a JSON object with a "type".'),
      );
    const { type, ...fields } = message as { type?: unknown };
    switch (type) {
      case 'ping':
        return connection.send({ type: 'pong' });
      case 'get_transactions': {
        const reply = await this.history.page(
          connection.session.principal,
          fields,
          `${LEGACY_PATH}#get_transactions`,
        );
        return connection.send(
          'error' in reply ? { type: 'error', ...reply } : { type: 'transaction_history', ...reply },
        );
      }
      default:
        return this.fail(
          connection,
          new MalformedMessageError('Unknown message type: use "get_transactions" or "ping".'),
        );
    }
  }

  onBinary(connection: PlainSocketConnection): void {
    this.fail(connection, new MalformedMessageError('Messages must be JSON text.'));
  }

  onFlood(connection: PlainSocketConnection, waitMs: number): void {
    this.fail(connection, tooManyMessages(waitMs));
  }

  frameFor(envelope: TransactionEnvelope): TransactionEnvelope {
    return envelope;
  }

  private fail(connection: PlainSocketConnection, err: unknown): void {
    connection.send({ type: 'error', ...errorReply(err, LEGACY_PATH, this.logger) });
  }
}

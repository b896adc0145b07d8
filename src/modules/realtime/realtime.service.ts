import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { TransactionResponseDto } from '../transactions/dto/transaction-response.dto.js';
import { TransactionEvents, type TransactionEvent } from '../transactions/transaction.events.js';
import {
  RealtimeEventTypes,
  roomsFor,
  toEnvelope,
  type RealtimeEventType,
} from './dto/realtime-event.dto.js';
import { LegacyWebSocketBridge } from './legacy-websocket.bridge.js';
import { RealtimeGateway } from './realtime.gateway.js';

/**
 * The facade between domain events and the real-time transports. Services publish committed
 * changes on the in-process bus and never see a socket; this delivers each one to exactly the
 * merchant's and the customer's rooms, over Socket.IO and the legacy WebSocket path, on every
 * instance.
 */
@Injectable()
export class RealtimeService {
  constructor(
    private readonly gateway: RealtimeGateway,
    private readonly legacy: LegacyWebSocketBridge,
  ) {}

  // `async`: delivered on the next turn of the event loop, so the fan-out never delays the
  // HTTP response of the write that caused it.
  @OnEvent(TransactionEvents.created, { async: true })
  onCreated({ transaction }: TransactionEvent): void {
    this.publish(RealtimeEventTypes.created, transaction);
  }

  @OnEvent(TransactionEvents.updated, { async: true })
  onUpdated({ transaction }: TransactionEvent): void {
    this.publish(RealtimeEventTypes.updated, transaction);
  }

  /** Delivers one committed change to its merchant and its customer, on both transports. */
  publish(type: RealtimeEventType, transaction: TransactionResponseDto): void {
    // The create response adds the seed's `message`; the event carries the transaction DTO only.
    const { message: _message, ...dto } = transaction as TransactionResponseDto & { message?: string };
    const envelope = toEnvelope(type, dto);
    const rooms = roomsFor(dto);
    this.gateway.broadcast(rooms, envelope);
    this.legacy.deliver(rooms, envelope);
    this.gateway.relay(rooms, envelope);
  }
}

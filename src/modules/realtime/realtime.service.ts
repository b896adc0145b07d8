import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { TransactionResponseDto } from '../transactions/dto/transaction-response.dto.js';
import { TransactionEvents, type TransactionEvent } from '../transactions/transaction.events.js';
import {
  RealtimeEventTypes,
  roomsFor,
  toEnvelope,
  type RealtimeEventType,
  type TransactionEnvelope,
} from './dto/realtime-event.dto.js';
import type { ShopRelation } from '../users/customer-shops.repository.js';
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
  onCreated(event: TransactionEvent): void {
    this.deliver(RealtimeEventTypes.created, event.transaction, event.customerRelation);
  }

  @OnEvent(TransactionEvents.updated, { async: true })
  onUpdated(event: TransactionEvent): void {
    this.deliver(RealtimeEventTypes.updated, event.transaction, event.customerRelation);
  }

  /**
   * Delivers one committed change to its merchant and its customer, on both transports. The
   * customer's copy is flagged `unconfirmed: true` while the shop is pending, and withheld from a
   * customer who has blocked the shop.
   */
  private deliver(
    type: RealtimeEventType,
    transaction: TransactionResponseDto,
    customerRelation?: ShopRelation | null,
  ): void {
    // The create response adds the seed's `message` and the double-tap hint; the event carries the
    // transaction DTO only (what REST history returns for it).
    const {
      message: _message,
      possible_duplicate_of: _duplicateOf,
      ...dto
    } = transaction as TransactionResponseDto & { message?: string; possible_duplicate_of?: number | null };
    const rooms = roomsFor(dto);
    const [merchant, customer] = rooms;
    // One broadcast for both rooms when the customer's copy needs no flag (a guest, or an accepted shop).
    if (customer === undefined || customerRelation === 'accepted' || customerRelation === undefined)
      return this.send(rooms, toEnvelope(type, dto));
    this.send([merchant], toEnvelope(type, dto));
    if (customerRelation === 'blocked') return;
    this.send([customer], toEnvelope(type, { ...dto, unconfirmed: customerRelation === 'pending' }));
  }

  private send(rooms: string[], envelope: TransactionEnvelope): void {
    this.gateway.broadcast(rooms, envelope);
    this.legacy.deliver(rooms, envelope);
    this.gateway.relay(rooms, envelope);
  }
}

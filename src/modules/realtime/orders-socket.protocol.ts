import { Injectable } from '@nestjs/common';
import type { TransactionResponseDto } from '../transactions/dto/transaction-response.dto.js';
import { v1UpperType } from '../transactions/dto/v1-transaction-response.dto.js';
import { TransactionsService } from '../transactions/transactions.service.js';
import { lastDigits } from '../../common/http/phone.js';
import { RealtimeEventTypes, type TransactionEnvelope } from './dto/realtime-event.dto.js';
import {
  CloseCode,
  type PlainSocketConnection,
  type PlainSocketProtocol,
} from './plain-websocket.protocol.js';

/** The original PWA's path. */
const ORDERS_PATH = '/api/v1/ws/orders';

const DAY_MS = 86_400_000;
/** `get_orders` bounds: the history's page size and look-back. */
const MAX_LIMIT = 200;
const MAX_OFFSET = 1_000_000;
const MAX_DAYS = 365;
const BAD_GET_ORDERS = `get_orders takes an integer limit (0-${MAX_LIMIT}), an integer offset (0 or more) and days (more than 0, at most ${MAX_DAYS}).`;

/** One sale in an `orders_update`, in the original's words. */
interface OrderItemV1 {
  transaction_id: number;
  user_id: number | null;
  guest_user_id: number | null;
  timestamp: string;
  amount: number;
  type: 'PAYED' | 'PAY_LATER';
  description: string | null;
  payment_method: string | null;
  is_guest_order: boolean;
}

/** The original's live push for a new sale, which makes the PWA's analytics page reload. */
interface NewOrderV1 {
  type: 'new_order';
  data: {
    order_id: string;
    transaction_id: number;
    user_id: number | null;
    merchant_id: number;
    amount: number;
    items: never[];
    customer_name: string;
    customer_phone: string | null;
    payment_method: string;
    is_guest_order: boolean;
    timestamp: string;
  };
  merchant_id: number;
  timestamp: string;
}

/**
 * The original PWA's WebSocket, `/api/v1/ws/orders/{token}`: a bad or expired token is refused with
 * HTTP 403 before the handshake. `{"type": "ping"}` → `{"type": "pong"}`; `get_orders` (merchants;
 * customers get no reply) → `{"type": "orders_update", "data": [...], "merchant_id"}` with the
 * history's rows of the last `days`; other types are ignored. A message that is not a JSON object,
 * or a `get_orders` out of range, closes the connection with 1003 and the reason. Each sale recorded
 * is pushed as `new_order` to its merchant and its registered customer.
 */
@Injectable()
export class OrdersSocketProtocol implements PlainSocketProtocol {
  readonly path = ORDERS_PATH;
  readonly refuse = 'http' as const;

  constructor(private readonly transactions: TransactionsService) {}

  async onMessage(connection: PlainSocketConnection, text: string): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return connection.close(CloseCode.unsupportedData, 'Messages must be JSON objects.');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message))
      return connection.close(CloseCode.unsupportedData, 'Messages must be JSON objects.');
    const { type } = message as { type?: unknown };
    if (type === 'ping') return connection.send({ type: 'pong' });
    if (type !== 'get_orders') return; // the original ignores what it does not know
    const { principal } = connection.session;
    if (principal.role !== 'merchant') return; // customers get no reply, as in the original
    const query = ordersQuery(message as Record<string, unknown>);
    if (!query) return connection.close(CloseCode.unsupportedData, BAD_GET_ORDERS);
    const items = query.limit
      ? (
          await this.transactions.history(principal, {
            limit: query.limit,
            offset: query.offset,
            from: new Date(Date.now() - query.days * DAY_MS).toISOString(),
          })
        ).items
      : [];
    connection.send({ type: 'orders_update', data: items.map(toOrderItem), merchant_id: principal.id });
  }

  onBinary(connection: PlainSocketConnection): void {
    connection.close(CloseCode.unsupportedData, 'Messages must be JSON objects.');
  }

  onFlood(connection: PlainSocketConnection): void {
    connection.close(CloseCode.policyViolation, 'Too many messages.');
  }

  /** A new sale as `new_order`; changes to a sale (settlements) are not orders and send nothing. */
  async frameFor(envelope: TransactionEnvelope): Promise<NewOrderV1 | undefined> {
    if (envelope.type !== RealtimeEventTypes.created) return undefined;
    const t = envelope.data;
    const buyer =
      t.user_id === null ? undefined : (await this.transactions.buyersOf([t.user_id])).get(t.user_id);
    return {
      type: 'new_order',
      data: {
        order_id: String(t.id),
        transaction_id: t.id,
        user_id: t.user_id,
        merchant_id: t.merchant_id,
        amount: t.amount,
        items: [],
        customer_name: buyer?.name ?? 'Guest',
        customer_phone: buyer ? `******${lastDigits(buyer.phone)}` : null,
        payment_method: t.payment_method ?? 'UNKNOWN',
        is_guest_order: t.is_guest_transaction,
        timestamp: t.occurred_at,
      },
      merchant_id: t.merchant_id,
      timestamp: t.occurred_at,
    };
  }
}

/** `limit` (default 50), `offset` (default 0) and `days` (default 30), or undefined when out of range. */
function ordersQuery(
  message: Record<string, unknown>,
): { limit: number; offset: number; days: number } | undefined {
  const { limit = 50, offset = 0, days = 30 } = message;
  const isInt = (v: unknown, max: number): v is number =>
    Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
  if (!isInt(limit, MAX_LIMIT) || !isInt(offset, MAX_OFFSET)) return undefined;
  if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0 || days > MAX_DAYS) return undefined;
  return { limit, offset, days };
}

function toOrderItem(t: TransactionResponseDto): OrderItemV1 {
  return {
    transaction_id: t.id,
    user_id: t.user_id,
    guest_user_id: t.guest_user_id,
    timestamp: t.occurred_at,
    amount: t.amount,
    type: v1UpperType(t.status),
    description: t.description,
    payment_method: t.payment_method,
    is_guest_order: t.is_guest_transaction,
  };
}

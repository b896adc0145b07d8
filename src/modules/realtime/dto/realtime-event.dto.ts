import type { Principal } from '../../../common/auth/role.js';
import type { Problem } from '../../../common/errors/problem-details.filter.js';
import type { TransactionResponseDto } from '../../transactions/dto/transaction-response.dto.js';

/** Server → client event names, the same on Socket.IO and on the legacy WebSocket path. */
export const RealtimeEventTypes = {
  created: 'new_transaction',
  updated: 'transaction_updated',
} as const;
export type RealtimeEventType = (typeof RealtimeEventTypes)[keyof typeof RealtimeEventTypes];

/**
 * What a dashboard receives for each committed change: the transaction's id and change `seq` (to
 * de-duplicate and to resync over REST with `since_seq`), the event type, when the sale happened,
 * and the same DTO the REST API returns.
 */
export interface TransactionEnvelope {
  id: number;
  seq: number;
  type: RealtimeEventType;
  occurred_at: string;
  data: TransactionResponseDto;
}

/** The answer to `get_transactions`: the REST history rows and the cursor of the next page. */
export interface TransactionsPageReply {
  data: TransactionResponseDto[];
  next_cursor: string | null;
}

/** The answer to a message that could not be served: the problem+json body of the REST API. */
export interface ErrorReply {
  error: Problem;
}

const merchantRoom = (id: number): string => `merchant:${id}`;
const userRoom = (id: number): string => `user:${id}`;

/** The one room a connection joins: its merchant's or its customer's. */
export function roomOf(principal: Pick<Principal, 'id' | 'role'>): string {
  return principal.role === 'merchant' ? merchantRoom(principal.id) : userRoom(principal.id);
}

/** Exactly who may see a change: the merchant who recorded it and, for a registered buyer, the buyer. */
export function roomsFor(transaction: TransactionResponseDto): string[] {
  const rooms = [merchantRoom(transaction.merchant_id)];
  if (transaction.user_id !== null) rooms.push(userRoom(transaction.user_id));
  return rooms;
}

export function toEnvelope(
  type: RealtimeEventType,
  transaction: TransactionResponseDto,
): TransactionEnvelope {
  return {
    id: transaction.id,
    seq: transaction.seq,
    type,
    occurred_at: transaction.occurred_at,
    data: transaction,
  };
}

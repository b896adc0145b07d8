import type { ShopRelation } from '../users/customer-shops.repository.js';
import type { TransactionResponseDto } from './dto/transaction-response.dto.js';

/**
 * Domain events, published in-process through `@nestjs/event-emitter` only after the database
 * transaction has committed (never for a rolled-back write). The realtime module delivers them.
 */
export const TransactionEvents = {
  created: 'transaction.created',
  updated: 'transaction.updated',
} as const;

export interface TransactionEvent {
  /** The same DTO the REST response carried. */
  transaction: TransactionResponseDto;
  /** The buyer's relation to the shop after the write (none for a guest): what their feed may show. */
  customerRelation?: ShopRelation | null;
}

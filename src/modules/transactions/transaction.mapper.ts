import { paiseToRupees } from '../../common/money/money.js';
import type { TransactionResponseDto } from './dto/transaction-response.dto.js';
import type { TransactionRow } from './transactions.repository.js';

/** The one mapping from a stored row to what clients see (REST, Socket.IO, legacy WebSocket). */
export function toTransactionDto(row: TransactionRow): TransactionResponseDto {
  const amount = Number(row.amount_paise);
  const paid = Number(row.paid_paise);
  const id = Number(row.id);
  const occurredAt = row.occurred_at.toISOString();
  return {
    id,
    transaction_id: id,
    merchant_id: row.merchant_id,
    merchant_name: row.merchant_name,
    user_id: row.user_id,
    guest_user_id: row.guest_user_id,
    is_guest_transaction: row.guest_user_id !== null,
    amount: paiseToRupees(amount),
    amount_paise: amount,
    paid_amount: paiseToRupees(paid),
    paid_paise: paid,
    due_amount: paiseToRupees(amount - paid),
    due_paise: amount - paid,
    type: row.type,
    status: row.status,
    description: row.description,
    payment_method: row.payment_method,
    reference_number: row.reference_number,
    client_id: row.client_id,
    seq: Number(row.seq),
    occurred_at: occurredAt,
    timestamp: occurredAt,
    created_at: row.created_at.toISOString(),
    settled_at: row.settled_at ? row.settled_at.toISOString() : null,
    items: row.items ?? null,
    calculation: row.calculation ?? null,
    recorded_by: row.recorded_by ?? null,
    voided: row.voided_at
      ? { at: row.voided_at.toISOString(), by: row.voided_by, reason: row.void_reason ?? '' }
      : null,
    replaces: row.replaces == null ? null : Number(row.replaces),
    // Only in a customer's own reads: a bill from a shop the customer has not confirmed yet.
    ...(row.shop_relation ? { unconfirmed: row.shop_relation === 'pending' } : {}),
  };
}

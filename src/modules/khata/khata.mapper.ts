import { paiseToRupees } from '../../common/money/money.js';
import type { AuditRow } from './accounts.repository.js';
import type { Account, Allocation, Ledger, LedgerEntry, RecordedPayment } from './accounts.service.js';
import type {
  AccountDto,
  AllocationDto,
  AuditEntryDto,
  LedgerDto,
  LedgerEntryDto,
  PaymentDto,
} from './dto/khata.dto.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toAccountDto(a: Account): AccountDto {
  return {
    id: a.id,
    merchant_id: a.merchant_id,
    user_id: a.user_id,
    guest_user_id: a.guest_user_id,
    name: a.name,
    phone: a.phone,
    due: paiseToRupees(a.due_paise),
    due_paise: a.due_paise,
    advance: paiseToRupees(a.advance_paise),
    advance_paise: a.advance_paise,
    balance: paiseToRupees(a.due_paise - a.advance_paise),
    balance_paise: a.due_paise - a.advance_paise,
    last_sale_at: iso(a.last_sale_at),
    last_payment_at: iso(a.last_payment_at),
    ...(a.merchant_name !== undefined ? { merchant_name: a.merchant_name } : {}),
  };
}

function toEntryDto(e: LedgerEntry): LedgerEntryDto {
  return {
    entry_no: e.entry_no,
    kind: e.kind,
    occurred_at: e.occurred_at.toISOString(),
    recorded_at: e.recorded_at.toISOString(),
    transaction_id: e.transaction_id,
    payment_id: e.payment_id,
    amount: paiseToRupees(e.amount_paise),
    amount_paise: e.amount_paise,
    balance: paiseToRupees(e.balance_paise),
    balance_paise: e.balance_paise,
    description: e.description,
    items: e.items,
    recorded_by: e.recorded_by,
  };
}

export function toLedgerDto(account: Account, ledger: Ledger): LedgerDto {
  return {
    account: toAccountDto(account),
    opening_balance: paiseToRupees(ledger.opening_balance_paise),
    opening_balance_paise: ledger.opening_balance_paise,
    closing_balance: paiseToRupees(ledger.closing_balance_paise),
    closing_balance_paise: ledger.closing_balance_paise,
    entries: ledger.entries.map(toEntryDto),
    next_cursor: ledger.next_cursor,
  };
}

export function toAllocationDto(a: Allocation): AllocationDto {
  return {
    payment_id: a.payment_id,
    transaction_id: a.transaction_id,
    amount: paiseToRupees(a.amount_paise),
    amount_paise: a.amount_paise,
    at: a.at.toISOString(),
  };
}

export function toPaymentDto(p: RecordedPayment): PaymentDto {
  return {
    id: p.id,
    account_id: p.account_id,
    merchant_id: p.merchant_id,
    amount: paiseToRupees(p.amount_paise),
    amount_paise: p.amount_paise,
    payment_method: p.payment_method,
    reference_number: p.reference_number,
    note: p.note,
    recorded_by: p.recorded_by,
    created_at: p.created_at.toISOString(),
    allocations: p.allocations.map(toAllocationDto),
    advance: paiseToRupees(p.advance_paise),
    advance_paise: p.advance_paise,
    account: toAccountDto(p.account),
  };
}

export function toAuditDto(r: AuditRow): AuditEntryDto {
  return {
    id: Number(r.id),
    transaction_id: Number(r.transaction_id),
    action: r.action,
    reason: r.reason,
    recorded_by: r.recorded_by,
    at: r.at.toISOString(),
    details: r.details,
  };
}

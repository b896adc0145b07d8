import type { TransactionResponseDto } from './dto/transaction-response.dto.js';

/**
 * The original API's words for a sale. It knew only "paid at once" and "still owed"; a bill that has
 * since been settled in full is paid, so the words follow what is owed now, not how the sale began.
 */
export const isPaidOff = (t: Pick<TransactionResponseDto, 'status'>): boolean => t.status === 'paid';

/** `payed` / `pending`, as the original's REST responses spell them. */
export const v1PaymentWord = (t: Pick<TransactionResponseDto, 'status'>): 'payed' | 'pending' =>
  isPaidOff(t) ? 'payed' : 'pending';

/** `PAYED` / `PAY_LATER`, as the original's guest list and orders socket spell them. */
export const v1PaymentType = (t: Pick<TransactionResponseDto, 'status'>): 'PAYED' | 'PAY_LATER' =>
  isPaidOff(t) ? 'PAYED' : 'PAY_LATER';

import type { Account } from '../khata/accounts.service.js';

/** A customer account as the khata gives it (the fields reminders read), money in paise. */
export type ReminderAccount = Pick<
  Account,
  'id' | 'merchant_id' | 'user_id' | 'guest_user_id' | 'name' | 'phone' | 'due_paise' | 'advance_paise'
>;

/**
 * The customer accounts reminders read: the khata's `AccountsService` (the module binds it), or a
 * fake in unit tests. Both methods answer 404 (NotFoundError) for an account that is not the caller's.
 */
export abstract class ReminderAccounts {
  abstract forMerchant(merchantId: number, accountId: number): Promise<ReminderAccount>;
  abstract forCustomer(userId: number, merchantId: number): Promise<ReminderAccount>;
}

/**
 * The UPI link a reminder carries for a customer's balance (RemindersModule binds the UPI module's
 * link for the account's due; null when the shop has no UPI address or nothing is due).
 */
export abstract class ReminderUpiLinks {
  abstract forAccount(merchantId: number, accountId: number): Promise<string | null>;
}

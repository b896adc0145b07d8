/** A clock a test sets (override `Clock` with it); unset, it is the real time. */
export interface TestClock {
  at: Date | null;
  now(): Date;
}

export function createTestClock(): TestClock {
  return {
    at: null,
    now(): Date {
      return this.at ?? new Date();
    },
  };
}

/** A sale as the dashboard tests record it through `/api/v2/transactions/create`. */
export interface DatedSale {
  amount: number;
  type?: 'paid' | 'pay_later';
  user_id?: number;
  is_guest_transaction?: boolean;
  payment_method?: string;
  description?: string;
  occurred_at?: string;
}

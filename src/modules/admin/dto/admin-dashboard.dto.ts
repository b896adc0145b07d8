/** The system totals on the admin panel's dashboard page. Money in rupees and in paise. */
export class AdminDashboardDto {
  /** The zone whose local day "today" is. */
  timezone: string;
  generated_at: string;
  merchants: { total: number; active: number };
  users: number;
  guest_users: number;
  today: { from: string; to: string; transactions: number; sales: number; sales_paise: number };
  /** Everything still owed on pay-later bills, across all merchants. */
  outstanding: { bills: number; amount: number; amount_paise: number };
}

export const ROLES = ['merchant', 'user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as proven by the access token. */
export interface Principal {
  id: number;
  role: Role;
  /** The sign-in session (refresh-token family) the access token belongs to; absent on older tokens. */
  sid?: string;
  /**
   * Set when a shop's staff member (not its owner) is calling: `id` is then the shop's merchant id, so
   * every merchant route is scoped to that shop, and this is who is acting and in which role.
   */
  staff?: { id: number; role: StaffRole };
}

export const STAFF_ROLES = ['cashier', 'manager'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Who recorded a write, as stored in `recorded_by` columns: the staff member's id, or null for the owner. */
export function recordedBy(principal: Principal): number | null {
  return principal.staff?.id ?? null;
}

/**
 * Whose sign-in session a refresh-token family is: an account of a role, or a shop's staff member
 * (whose access tokens carry the role `merchant` and the shop's id, see {@link Principal.staff}).
 */
export type SessionSubject = Role | 'staff';

/** The table of each role's accounts. */
export const ACCOUNT_TABLES: Readonly<Record<Role, string>> = {
  merchant: 'merchants',
  user: 'users',
  admin: 'admins',
};

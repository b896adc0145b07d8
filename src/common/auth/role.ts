export const ROLES = ['merchant', 'user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as proven by the access token. */
export interface Principal {
  id: number;
  role: Role;
  /** The sign-in session (refresh-token family) the access token belongs to; absent on older tokens. */
  sid?: string;
}

/** The table of each role's accounts. */
export const ACCOUNT_TABLES: Readonly<Record<Role, string>> = {
  merchant: 'merchants',
  user: 'users',
  admin: 'admins',
};

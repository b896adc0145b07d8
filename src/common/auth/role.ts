export const ROLES = ['merchant', 'user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as proven by the access token. */
export interface Principal {
  id: number;
  role: Role;
}

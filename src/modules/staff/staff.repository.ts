import { Injectable } from '@nestjs/common';
import type { StaffRole } from '../../common/auth/role.js';
import { TransactionalConnection } from '../../database/transactional-connection.js';

/** A `staff` row as the service sees it (the password hash only where a sign-in needs it). */
export interface StaffRow {
  id: number;
  merchant_id: number;
  name: string;
  phone: string | null;
  email: string | null;
  role: StaffRole;
  is_active: boolean;
  disabled_at: Date | null;
  invite_expires_at: Date | null;
  invited_at: Date;
  accepted_at: Date | null;
  created_by: number | null;
  created_at: Date;
}

/** A membership a person may sign in to: the row, its password hash and the shop's name. */
export interface StaffSignIn extends StaffRow {
  password_hash: string;
  business_name: string;
}

const COLUMNS = `s.id, s.merchant_id, s.name, s.phone, s.email, s.role, s.is_active, s.disabled_at,
  s.invite_expires_at, s.invited_at, s.accepted_at, s.created_by, s.created_at`;

/** Refuses an unscoped query: a missing shop id must never read every shop's staff. */
function scope(merchantId: number): number {
  if (!Number.isSafeInteger(merchantId) || merchantId <= 0) throw new Error('staff query without a shop');
  return merchantId;
}

/** The only SQL on `staff`. Every query of the owner's routes is scoped by the shop's id. */
@Injectable()
export class StaffRepository {
  constructor(private readonly db: TransactionalConnection) {}

  /** Which of phone and email already belong to a staff member of this shop. */
  async taken(merchantId: number, phone: string | null, email: string | null) {
    const [row]: { phone: boolean; email: boolean }[] = await this.db.query(
      `SELECT EXISTS (SELECT 1 FROM staff WHERE merchant_id = $1 AND phone = $2) AS phone,
              EXISTS (SELECT 1 FROM staff WHERE merchant_id = $1 AND lower(email) = lower($3)) AS email`,
      [scope(merchantId), phone, email],
    );
    return row;
  }

  async insert(member: {
    merchantId: number;
    name: string;
    phone: string | null;
    email: string | null;
    role: StaffRole;
    inviteCodeHash: string;
    inviteExpiresAt: Date;
    createdBy: number | null;
  }): Promise<StaffRow> {
    const [row]: StaffRow[] = await this.db.query(
      `INSERT INTO staff AS s (merchant_id, name, phone, email, role, invite_code_hash, invite_expires_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [
        scope(member.merchantId),
        member.name,
        member.phone,
        member.email,
        member.role,
        member.inviteCodeHash,
        member.inviteExpiresAt,
        member.createdBy,
      ],
    );
    return row;
  }

  listForMerchant(merchantId: number): Promise<StaffRow[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM staff s WHERE s.merchant_id = $1 ORDER BY s.id`, [
      scope(merchantId),
    ]);
  }

  /** One member of this shop, locked for the rest of the transaction; undefined for another shop's. */
  async lockForMerchant(merchantId: number, id: number): Promise<StaffRow | undefined> {
    const rows: StaffRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM staff s WHERE s.merchant_id = $1 AND s.id = $2 FOR UPDATE`,
      [scope(merchantId), id],
    );
    return rows[0];
  }

  async update(
    merchantId: number,
    id: number,
    patch: { role?: StaffRole; active?: boolean },
  ): Promise<StaffRow> {
    const [rows]: [StaffRow[]] = await this.db.query(
      `UPDATE staff s SET
              role = coalesce($3, s.role),
              is_active = coalesce($4, s.is_active),
              disabled_at = CASE WHEN $4 IS NULL THEN s.disabled_at
                                 WHEN $4 THEN NULL ELSE coalesce(s.disabled_at, now()) END,
              updated_at = now()
        WHERE s.merchant_id = $1 AND s.id = $2 RETURNING ${COLUMNS}`,
      [scope(merchantId), id, patch.role ?? null, patch.active ?? null],
    );
    return rows[0];
  }

  /** A new invitation for a member (the earlier code stops working). */
  async setInvitation(merchantId: number, id: number, codeHash: string, expiresAt: Date): Promise<StaffRow> {
    const [rows]: [StaffRow[]] = await this.db.query(
      `UPDATE staff s SET invite_code_hash = $3, invite_expires_at = $4, invited_at = now(), updated_at = now()
        WHERE s.merchant_id = $1 AND s.id = $2 RETURNING ${COLUMNS}`,
      [scope(merchantId), id, codeHash, expiresAt],
    );
    return rows[0];
  }

  /** The member an invitation code belongs to, locked, with their shop's state; undefined if none. */
  async lockByInvitation(codeHash: string): Promise<(StaffRow & { merchant_active: boolean }) | undefined> {
    const rows: (StaffRow & { merchant_active: boolean })[] = await this.db.query(
      `SELECT ${COLUMNS}, m.is_active AS merchant_active
         FROM staff s JOIN merchants m ON m.id = s.merchant_id
        WHERE s.invite_code_hash = $1 FOR UPDATE OF s`,
      [codeHash],
    );
    return rows[0];
  }

  /** Spends the invitation: the member's password is set and the code can never be used again. */
  async accept(id: number, passwordHash: string): Promise<StaffRow> {
    const [rows]: [StaffRow[]] = await this.db.query(
      `UPDATE staff s SET password_hash = $2, accepted_at = now(), invite_code_hash = NULL,
              invite_expires_at = NULL, updated_at = now()
        WHERE s.id = $1 RETURNING ${COLUMNS}`,
      [id, passwordHash],
    );
    return rows[0];
  }

  /**
   * The memberships a person may sign in to by phone or email: accepted, active, of an active shop
   * (`merchantId` narrows to one shop). At most `limit`, so a sign-in's password checks stay bounded.
   */
  findForSignIn(
    by: { phone?: string; email?: string },
    merchantId: number | undefined,
    limit: number,
  ): Promise<StaffSignIn[]> {
    return this.db.query(
      `SELECT ${COLUMNS}, s.password_hash, m.business_name
         FROM staff s JOIN merchants m ON m.id = s.merchant_id
        WHERE ${by.phone !== undefined ? 's.phone = $1' : 'lower(s.email) = lower($1)'}
          AND s.is_active AND m.is_active AND s.password_hash IS NOT NULL
          AND ($2::int IS NULL OR s.merchant_id = $2)
        ORDER BY s.merchant_id LIMIT $3`,
      [by.phone ?? by.email, merchantId ?? null, limit],
    );
  }

  /** A member with their shop's name, for their own profile. */
  async findWithShop(
    merchantId: number,
    id: number,
  ): Promise<(StaffRow & { business_name: string }) | undefined> {
    const rows: (StaffRow & { business_name: string })[] = await this.db.query(
      `SELECT ${COLUMNS}, m.business_name FROM staff s JOIN merchants m ON m.id = s.merchant_id
        WHERE s.merchant_id = $1 AND s.id = $2`,
      [scope(merchantId), id],
    );
    return rows[0];
  }

  /** Ends every sign-in session of a member (disabled, another role, a new password). */
  async revokeSessions(id: number): Promise<void> {
    await this.db.query(
      `UPDATE refresh_tokens SET revoked_at = now()
        WHERE subject_role = 'staff' AND subject_id = $1 AND revoked_at IS NULL`,
      [id],
    );
  }
}

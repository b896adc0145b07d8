import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ACCOUNT_TABLES, type Principal } from './role.js';
import { endsSession, SessionRevocations } from './session-revocations.js';

/** How long a "live" answer is reused: the bound on how late another instance may learn without Redis. */
const SESSION_CHECK_TTL_MS = 5_000;
const CAPACITY = 10_000;

/** The account's state and its session's, as read from the database. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Whether the account exists and is active and, for a token of a sign-in session, whether that
   * session (its refresh-token family) still has a token that is neither revoked nor expired.
   */
  async isLive(principal: Principal): Promise<boolean> {
    if (principal.staff) return this.isStaffLive(principal, principal.staff);
    const rows: { live: boolean }[] = await this.dataSource.query(
      `SELECT a.is_active AND ($2::uuid IS NULL OR EXISTS (
                SELECT 1 FROM refresh_tokens r
                 WHERE r.family_id = $2 AND r.subject_role = $3 AND r.subject_id = a.id
                   AND r.revoked_at IS NULL AND r.expires_at > now())) AS live
         FROM ${ACCOUNT_TABLES[principal.role]} a WHERE a.id = $1`,
      [principal.id, principal.sid ?? null, principal.role],
    );
    return rows[0]?.live === true;
  }

  /**
   * A staff member's session: the member is active, still of this shop and in the token's role, the
   * shop is active, and the session still has a live refresh token. A changed role ends the session.
   */
  private async isStaffLive(principal: Principal, staff: NonNullable<Principal['staff']>): Promise<boolean> {
    if (!principal.sid) return false;
    const rows: { live: boolean }[] = await this.dataSource.query(
      `SELECT s.is_active AND m.is_active AND s.role = $3 AND EXISTS (
                SELECT 1 FROM refresh_tokens r
                 WHERE r.family_id = $4 AND r.subject_role = 'staff' AND r.subject_id = s.id
                   AND r.revoked_at IS NULL AND r.expires_at > now()) AS live
         FROM staff s JOIN merchants m ON m.id = s.merchant_id
        WHERE s.id = $1 AND s.merchant_id = $2`,
      [staff.id, principal.id, staff.role, principal.sid],
    );
    return rows[0]?.live === true;
  }
}

/**
 * Whether the caller's account and sign-in session are still live: a signature proves who signed
 * the token, not that the account has not been switched off or the session ended since. Answers
 * are kept {@link SESSION_CHECK_TTL_MS} and forgotten at once when {@link SessionRevocations} says
 * the session ended, so a request costs a map lookup, and a database read every few seconds per
 * session.
 */
@Injectable()
export class SessionState {
  private readonly answers = new Map<string, { live: boolean; until: number; principal: Principal }>();
  /** Bumped by every revocation: an answer read while one arrived is not kept (it may predate it). */
  private generation = 0;

  constructor(
    private readonly repo: SessionsRepository,
    revocations: SessionRevocations,
  ) {
    revocations.onRevoked((event) => {
      this.generation += 1;
      for (const [key, { principal }] of this.answers)
        if (endsSession(event, principal)) this.answers.delete(key);
    });
  }

  async isLive(principal: Principal, now = Date.now()): Promise<boolean> {
    const key = `${principal.role}:${principal.id}:${principal.sid ?? ''}:${principal.staff?.id ?? ''}:${principal.staff?.role ?? ''}`;
    const cached = this.answers.get(key);
    if (cached && cached.until > now) return cached.live;
    const generation = this.generation;
    const live = await this.repo.isLive(principal);
    this.answers.delete(key);
    if (generation !== this.generation) return live;
    if (this.answers.size >= CAPACITY) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(key, { live, until: now + SESSION_CHECK_TTL_MS, principal });
    return live;
  }
}

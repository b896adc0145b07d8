import { Injectable } from '@nestjs/common';
import { createHash, randomInt } from 'node:crypto';
import { PasswordService } from '../../common/auth/password.service.js';
import { recordedBy, type Principal } from '../../common/auth/role.js';
import { SessionRevocations } from '../../common/auth/session-revocations.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnprocessableError,
} from '../../common/errors/domain-error.js';
import { StaffErrorCode } from '../../common/errors/error-codes.js';
import { requestContext } from '../../common/logging/request-context.js';
import { toIso } from '../../common/time/time-zone.js';
import { TransactionalConnection } from '../../database/transactional-connection.js';
import { AuthService } from '../auth/auth.service.js';
import type { TokenResponseDto } from '../auth/dto/token-response.dto.js';
import { LoginLimiter } from '../auth/login-limiter.js';
import type {
  AcceptInvitationDto,
  InviteStaffDto,
  StaffDto,
  StaffInvitationDto,
  StaffLoginDto,
  StaffProfileDto,
  UpdateStaffDto,
} from './dto/staff.dto.js';
import { StaffRepository, type StaffRow } from './staff.repository.js';

/** How long an invitation code works. */
export const INVITATION_TTL_MS = 7 * 86_400_000;
/** Unambiguous characters (no 0/O, 1/I): 32 of them, so each is 5 bits; 16 make 80 bits. */
const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const CODE_LENGTH = 16;
/** The most shops one sign-in compares a password against (each is a bcrypt check). */
const MAX_MEMBERSHIPS = 10;
const WRONG_CREDENTIALS = 'Incorrect phone, email or password.';
const INVALID_INVITATION =
  'This invitation code is not valid or has expired; ask the shop owner for a new one.';

/** The form a code is compared in: upper case, letters and digits only. */
export function normalizeInvitationCode(code: string): string {
  return code.toUpperCase().replace(/[^0-9A-Z]/g, '');
}

const hashCode = (code: string) => createHash('sha256').update(normalizeInvitationCode(code)).digest('hex');

function newInvitationCode(): string {
  const chars = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]);
  return chars.join('').replace(/(.{4})(?!$)/g, '$1-');
}

function toStaffDto(row: StaffRow): StaffDto {
  return {
    id: row.id,
    merchant_id: row.merchant_id,
    name: row.name,
    phone: row.phone,
    email: row.email,
    role: row.role,
    active: row.is_active,
    status: !row.is_active ? 'disabled' : row.accepted_at ? 'active' : 'invited',
    invited_at: toIso(row.invited_at)!,
    invitation_expires_at: toIso(row.invite_expires_at),
    accepted_at: toIso(row.accepted_at),
    disabled_at: toIso(row.disabled_at),
    created_by: row.created_by,
  };
}

/**
 * A shop's staff: the owner invites (a one-time code, stored hashed, good for 7 days), the member
 * accepts with a password of their own and signs in to a session that acts for the shop in their
 * role. Disabling a member or changing their role ends their sessions at once, on every instance.
 */
@Injectable()
export class StaffService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly staff: StaffRepository,
    private readonly auth: AuthService,
    private readonly passwords: PasswordService,
    private readonly loginLimiter: LoginLimiter,
    private readonly revocations: SessionRevocations,
  ) {}

  /** Invites a member by phone and/or email; the code is returned once and only its hash is kept. */
  async invite(principal: Principal, dto: InviteStaffDto): Promise<StaffInvitationDto> {
    const phone = dto.phone ?? null;
    const email = dto.email ?? null;
    if (!phone && !email)
      throw new UnprocessableError(
        StaffErrorCode.ContactRequired,
        'A staff member needs a phone number or an email address to sign in with.',
        'phone',
      );
    const code = newInvitationCode();
    const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
    const row = await this.db.transaction(async () => {
      const taken = await this.staff.taken(principal.id, phone, email);
      if ((phone && taken.phone) || (email && taken.email))
        throw new ConflictError(
          StaffErrorCode.StaffExists,
          `This ${phone && taken.phone ? 'phone number' : 'email address'} already belongs to a staff member of this shop.`,
        );
      return this.staff.insert({
        merchantId: principal.id,
        name: dto.name,
        phone,
        email,
        role: dto.role,
        inviteCodeHash: hashCode(code),
        inviteExpiresAt: expiresAt,
        createdBy: recordedBy(principal),
      });
    });
    return { staff: toStaffDto(row), invitation_code: code, invitation_expires_at: expiresAt.toISOString() };
  }

  /**
   * A new invitation for a member (the earlier code stops working): for one whose invitation expired,
   * or who forgot their password (accepting sets a new one and ends their sessions).
   */
  async reinvite(merchantId: number, id: number): Promise<StaffInvitationDto> {
    const code = newInvitationCode();
    const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
    const row = await this.db.transaction(async () => {
      if (!(await this.staff.lockForMerchant(merchantId, id))) throw new NotFoundError('Staff member');
      return this.staff.setInvitation(merchantId, id, hashCode(code), expiresAt);
    });
    return { staff: toStaffDto(row), invitation_code: code, invitation_expires_at: expiresAt.toISOString() };
  }

  async list(merchantId: number): Promise<StaffDto[]> {
    return (await this.staff.listForMerchant(merchantId)).map(toStaffDto);
  }

  /**
   * Changes a member's role or state. Disabling, or a new role, ends every session of theirs at once
   * (refresh tokens in the same transaction; access tokens and sockets when it has committed).
   */
  async update(merchantId: number, id: number, dto: UpdateStaffDto): Promise<StaffDto> {
    if (dto.role === undefined && dto.active === undefined)
      throw new UnprocessableError(StaffErrorCode.NoChange, 'Give a new role, or active.', 'role');
    const { row, endSessions } = await this.db.transaction(async () => {
      const before = await this.staff.lockForMerchant(merchantId, id);
      if (!before) throw new NotFoundError('Staff member');
      const updated = await this.staff.update(merchantId, id, dto);
      const ends =
        (dto.role !== undefined && dto.role !== before.role) || (before.is_active && !updated.is_active);
      if (ends) await this.staff.revokeSessions(id);
      return { row: updated, endSessions: ends };
    });
    if (endSessions) this.revocations.publish({ role: 'merchant', id: merchantId, staff: id });
    return toStaffDto(row);
  }

  /**
   * Accepts an invitation: sets the member's password, spends the code, ends any earlier sessions
   * of theirs (a re-invitation resets the password), and signs them in.
   */
  async accept(dto: AcceptInvitationDto): Promise<TokenResponseDto> {
    await this.loginLimiter.checkInvitation(requestContext.getStore()?.ip);
    const passwordHash = await this.passwords.hash(dto.password);
    const member = await this.db.transaction(async () => {
      const row = await this.staff.lockByInvitation(hashCode(dto.code));
      const usable =
        row?.is_active &&
        row.merchant_active &&
        row.invite_expires_at &&
        row.invite_expires_at.getTime() > Date.now();
      if (!row || !usable)
        throw new UnprocessableError(StaffErrorCode.InvitationInvalid, INVALID_INVITATION, 'code');
      await this.staff.revokeSessions(row.id);
      return this.staff.accept(row.id, passwordHash);
    });
    this.revocations.publish({ role: 'merchant', id: member.merchant_id, staff: member.id });
    return this.auth.issueStaff(member.merchant_id, { id: member.id, role: member.role });
  }

  /**
   * Signs a staff member in by phone or email. A person who is staff of several shops with this
   * password is asked which (409 with the shops' ids and names); the shops are named only after the
   * password has matched. Unknown people and wrong passwords get one answer after the same work.
   */
  async login(dto: StaffLoginDto): Promise<TokenResponseDto> {
    const by =
      dto.phone !== undefined
        ? { phone: dto.phone }
        : dto.email !== undefined
          ? { email: dto.email }
          : undefined;
    if (!by)
      throw new UnprocessableError(
        StaffErrorCode.ContactRequired,
        'Sign in with a phone number or an email address.',
        'phone',
      );
    await this.loginLimiter.check('staff', by.phone ?? by.email, requestContext.getStore()?.ip);
    const memberships = await this.staff.findForSignIn(by, dto.merchant_id, MAX_MEMBERSHIPS);
    const matching = [];
    for (const member of memberships)
      if (await this.passwords.compareOrBurn(dto.password, member.password_hash)) matching.push(member);
    if (!memberships.length) await this.passwords.compareOrBurn(dto.password, undefined);
    if (!matching.length) throw new UnauthorizedError(WRONG_CREDENTIALS);
    if (matching.length > 1)
      throw new ConflictError(
        StaffErrorCode.ShopChoiceRequired,
        'You are staff of several shops; sign in again with the merchant_id of one.',
        { shops: matching.map((m) => ({ merchant_id: m.merchant_id, business_name: m.business_name })) },
      );
    const [member] = matching;
    return this.auth.issueStaff(member.merchant_id, { id: member.id, role: member.role });
  }

  /** The calling staff member: who they are, in which shop and role. */
  async profile(principal: Principal): Promise<StaffProfileDto> {
    if (!principal.staff)
      throw new ForbiddenError('This is for staff; the owner’s profile is /auth/profile/merchant.');
    const row = await this.staff.findWithShop(principal.id, principal.staff.id);
    if (!row) throw new NotFoundError('Staff member');
    return { ...toStaffDto(row), business_name: row.business_name };
  }
}

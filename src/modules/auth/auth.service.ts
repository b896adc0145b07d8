import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessTokenService } from '../../common/auth/access-token.js';
import { PasswordService } from '../../common/auth/password.service.js';
import type { Principal, Role, SessionSubject, StaffRole } from '../../common/auth/role.js';
import { ADMIN_PASSWORD_MIN_CHARS } from '../../common/auth/credential-rules.js';
import { SessionRevocations, type SessionsEnded } from '../../common/auth/session-revocations.js';
import { ForbiddenError, UnauthorizedError, UnprocessableError } from '../../common/errors/domain-error.js';
import { every, HOUR_MS } from '../../common/jobs/every.js';
import { AppConfig } from '../../config/app-config.js';
import { MerchantsRepository } from '../merchants/merchants.repository.js';
import { MerchantsService, type NewMerchantRegistration } from '../merchants/merchants.service.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { requestContext } from '../../common/logging/request-context.js';
import { WriteLimits } from '../../common/rate-limit/write-limits.js';
import { AccountsRepository } from './accounts.repository.js';
import { AdminAccountsRepository } from './admin-accounts.repository.js';
import type { ChangePasswordDto, LoginDto, RegisterUserDto } from './dto/register.dto.js';
import { TokenResponseDto } from './dto/token-response.dto.js';
import { LoginLimiter } from './login-limiter.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { AuthErrorCode } from '../../common/errors/error-codes.js';

const WRONG_CREDENTIALS = 'Incorrect email or password.';
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class AuthService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuthService.name);
  private stopPurge?: () => void;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly accessTokens: AccessTokenService,
    private readonly passwords: PasswordService,
    private readonly merchants: MerchantsService,
    private readonly merchantsRepo: MerchantsRepository,
    private readonly users: UsersService,
    private readonly usersRepo: UsersRepository,
    private readonly admins: AdminAccountsRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly loginLimiter: LoginLimiter,
    private readonly writeLimits: WriteLimits,
    private readonly accounts: AccountsRepository,
    private readonly revocations: SessionRevocations,
  ) {}

  /** Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD; an existing admin is left untouched. */
  async onApplicationBootstrap(): Promise<void> {
    this.stopPurge = every(HOUR_MS, () => this.purgeExpiredRefreshTokens());
    if (await this.admins.findByEmailWithSecrets(this.config.adminEmail)) return;
    const created = await this.admins.insertIfMissing(
      this.config.adminEmail,
      await this.passwords.hash(this.config.adminPassword),
    );
    if (created) this.logger.log({ msg: 'created the first admin', email: this.config.adminEmail });
  }

  onModuleDestroy(): void {
    this.stopPurge?.();
  }

  /** Deletes refresh tokens expired for over a day (run hourly), so the table does not grow forever. */
  async purgeExpiredRefreshTokens(): Promise<number> {
    try {
      const removed = await this.refreshTokens.purgeExpired();
      if (removed) this.logger.log({ msg: 'purged expired refresh tokens', removed });
      return removed;
    } catch (err) {
      this.logger.warn({ msg: 'refresh token purge failed', err: String(err) });
      return 0;
    }
  }

  async registerMerchant(dto: NewMerchantRegistration): Promise<TokenResponseDto> {
    await this.writeLimits.registration(requestContext.getStore()?.ip);
    const merchant = await this.merchants.register(dto);
    return this.issue({ id: merchant.id, role: 'merchant' });
  }

  async registerUser(dto: RegisterUserDto): Promise<TokenResponseDto> {
    await this.writeLimits.registration(requestContext.getStore()?.ip);
    const user = await this.users.register(dto);
    return this.issue({ id: user.id, role: 'user' });
  }

  /**
   * Checks credentials for one role. An unknown email and a wrong password get the same answer after
   * the same amount of work, so neither the message nor the timing reveals which accounts exist.
   * Attempts are counted first, per account and per client address (see LoginLimiter).
   */
  async login(role: Role, dto: LoginDto): Promise<TokenResponseDto> {
    await this.loginLimiter.check(role, dto.email, requestContext.getStore()?.ip);
    const account =
      role === 'merchant'
        ? await this.merchantsRepo.findByEmailWithSecrets(dto.email)
        : role === 'user'
          ? await this.usersRepo.findByEmailWithSecrets(dto.email)
          : await this.admins.findByEmailWithSecrets(dto.email);
    const ok = await this.passwords.compareOrBurn(dto.password, account?.passwordHash);
    if (!ok || !account || !account.isActive) throw new UnauthorizedError(WRONG_CREDENTIALS);
    if (role === 'admin') await this.admins.touchLogin(account.id);
    return this.issue({ id: account.id, role });
  }

  /**
   * Rotates a refresh token: the presented token is spent and a new one issued in the same family.
   * Presenting a spent token again means it leaked, so the whole family is revoked.
   */
  async refresh(token: string): Promise<TokenResponseDto> {
    const tokenHash = hashToken(token);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const row = await this.refreshTokens.findByHashForUpdate(manager, tokenHash);
      if (!row) return { error: 'The refresh token is not valid.' } as const;
      const ended = await this.sessionOf(row.subjectRole, row.subjectId, row.familyId, manager);
      if (row.revokedAt) {
        await this.refreshTokens.revokeFamily(manager, row.familyId);
        return { error: 'The refresh token has already been used; please sign in again.', ended } as const;
      }
      if (row.expiresAt.getTime() <= Date.now()) return { error: 'The refresh token has expired.' } as const;
      // A deactivated or deleted account gets no new tokens, whatever refresh token it still holds;
      // nor does a disabled staff member, or the staff of a deactivated shop.
      const subject = await this.lockSubject(manager, row.subjectRole, row.subjectId, row.familyId);
      if (!subject) {
        await this.refreshTokens.revokeFamily(manager, row.familyId);
        return { error: 'This account is not active.', ended } as const;
      }
      const next = this.newRefreshToken();
      await this.refreshTokens.insert(manager, {
        id: next.id,
        familyId: row.familyId,
        subjectRole: row.subjectRole,
        subjectId: row.subjectId,
        tokenHash: hashToken(next.token),
        expiresAt: next.expiresAt,
      });
      await this.refreshTokens.markReplaced(manager, row.id, next.id);
      return { principal: subject, refreshToken: next.token } as const;
    });
    if ('error' in outcome) {
      // The access tokens of that session end with it (on every instance).
      if ('ended' in outcome && outcome.ended) this.revocations.publish(outcome.ended);
      throw new UnauthorizedError(outcome.error);
    }
    return this.tokenResponse(outcome.principal, outcome.refreshToken);
  }

  /** The caller a refresh token signs in, with the row locked; null when the account is not active. */
  private async lockSubject(
    manager: EntityManager,
    subject: SessionSubject,
    id: number,
    sid: string,
  ): Promise<Principal | null> {
    if (subject === 'staff') {
      const member = await this.accounts.staffForSignIn(manager, id);
      return member?.isActive
        ? { id: member.merchantId, role: 'merchant', sid, staff: { id, role: member.role } }
        : null;
    }
    const account = await this.accounts.lockForSignIn(manager, subject, id);
    return account?.isActive ? { id, role: subject, sid } : null;
  }

  /**
   * How the end of one session is announced: by its account, or for a staff member by their shop
   * and their id (their access tokens carry the shop's id). Undefined for a staff member who is gone.
   */
  private async sessionOf(
    subject: SessionSubject,
    id: number,
    sid: string,
    manager?: EntityManager,
  ): Promise<SessionsEnded | undefined> {
    if (subject !== 'staff') return { role: subject, id, sid };
    const member = await this.accounts.staffForSignIn(manager, id, false);
    return member ? { role: 'merchant', id: member.merchantId, sid, staff: id } : undefined;
  }

  /**
   * Revokes the token's whole family and ends the access tokens of that session; unknown tokens are
   * ignored so logout is always safe to repeat.
   */
  async logout(token: string): Promise<void> {
    const row = await this.refreshTokens.findByHash(hashToken(token));
    if (!row) return;
    await this.refreshTokens.revokeFamily(undefined, row.familyId);
    const ended = await this.sessionOf(row.subjectRole, row.subjectId, row.familyId);
    if (ended) this.revocations.publish(ended);
  }

  /**
   * Changes the caller's password after checking the current one, and ends every other session of
   * the account (their refresh tokens in the same transaction, their access tokens and sockets at
   * once). The session that made the change stays signed in.
   */
  async changePassword(principal: Principal, dto: ChangePasswordDto): Promise<void> {
    // The route is closed to staff (StaffGuard); this would change the owner's password.
    if (principal.staff) throw new ForbiddenError("Staff cannot change the shop's password.");
    if (principal.role === 'admin' && [...dto.new_password].length < ADMIN_PASSWORD_MIN_CHARS)
      throw new UnprocessableError(
        AuthErrorCode.WeakPassword,
        `must be at least ${ADMIN_PASSWORD_MIN_CHARS} characters`,
        'new_password',
      );
    await this.loginLimiter.checkCurrentPassword(principal.role, principal.id);
    const hash = await this.passwords.hash(dto.new_password);
    const changed = await this.dataSource.transaction(async (manager) => {
      const account = await this.accounts.lockForSignIn(manager, principal.role, principal.id);
      const ok = await this.passwords.compareOrBurn(dto.current_password, account?.passwordHash);
      if (!ok || !account?.isActive) return false;
      await this.accounts.setPassword(manager, principal.role, principal.id, hash);
      await this.refreshTokens.revokeSubject(manager, principal.role, principal.id, principal.sid);
      return true;
    });
    if (!changed)
      throw new UnprocessableError(
        AuthErrorCode.WrongPassword,
        'The current password is not correct.',
        'current_password',
      );
    this.revocations.publish({ role: principal.role, id: principal.id, exceptSid: principal.sid });
  }

  /**
   * Signs a shop's staff member in: a new session (refresh-token family) of theirs, whose access
   * tokens act for the shop (`id` the shop's merchant id, role `merchant`) in their staff role.
   */
  issueStaff(merchantId: number, staff: { id: number; role: StaffRole }): Promise<TokenResponseDto> {
    return this.issue({ id: merchantId, role: 'merchant', staff });
  }

  private async issue(principal: Principal): Promise<TokenResponseDto> {
    const next = this.newRefreshToken();
    const familyId = randomUUID();
    await this.refreshTokens.insert(undefined, {
      id: next.id,
      familyId,
      subjectRole: principal.staff ? 'staff' : principal.role,
      subjectId: principal.staff?.id ?? principal.id,
      tokenHash: hashToken(next.token),
      expiresAt: next.expiresAt,
    });
    return this.tokenResponse({ ...principal, sid: familyId }, next.token);
  }

  private tokenResponse(principal: Principal, refreshToken: string): TokenResponseDto {
    const { token, expiresIn } = this.accessTokens.sign(principal);
    return {
      access_token: token,
      token_type: 'bearer',
      user_type: principal.role,
      user_id: principal.id,
      expires_in: expiresIn,
      refresh_token: refreshToken,
      ...(principal.staff && { staff_id: principal.staff.id, staff_role: principal.staff.role }),
    };
  }

  private newRefreshToken() {
    return {
      id: randomUUID(),
      token: randomBytes(32).toString('base64url'),
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtlDays * 86_400_000),
    };
  }
}

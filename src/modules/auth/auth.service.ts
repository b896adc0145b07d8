import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccessTokenService } from '../../common/auth/access-token.js';
import { PasswordService } from '../../common/auth/password.service.js';
import type { Principal, Role } from '../../common/auth/role.js';
import { UnauthorizedError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { MerchantsRepository } from '../merchants/merchants.repository.js';
import { MerchantsService, type NewMerchantRegistration } from '../merchants/merchants.service.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { AdminsRepository } from './admins.repository.js';
import type { LoginDto, RegisterUserDto } from './dto/register.dto.js';
import { TokenResponseDto } from './dto/token-response.dto.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

const WRONG_CREDENTIALS = 'Incorrect email or password.';
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly accessTokens: AccessTokenService,
    private readonly passwords: PasswordService,
    private readonly merchants: MerchantsService,
    private readonly merchantsRepo: MerchantsRepository,
    private readonly users: UsersService,
    private readonly usersRepo: UsersRepository,
    private readonly admins: AdminsRepository,
    private readonly refreshTokens: RefreshTokensRepository,
  ) {}

  /** Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD; an existing admin is left untouched. */
  async onApplicationBootstrap(): Promise<void> {
    if (await this.admins.findByEmailWithSecrets(this.config.adminEmail)) return;
    const created = await this.admins.insertIfMissing(
      this.config.adminEmail,
      await this.passwords.hash(this.config.adminPassword),
    );
    if (created) this.logger.log({ msg: 'created the first admin', email: this.config.adminEmail });
  }

  async registerMerchant(dto: NewMerchantRegistration): Promise<TokenResponseDto> {
    const merchant = await this.merchants.register(dto);
    return this.issue({ id: merchant.id, role: 'merchant' });
  }

  async registerUser(dto: RegisterUserDto): Promise<TokenResponseDto> {
    const user = await this.users.register(dto);
    return this.issue({ id: user.id, role: 'user' });
  }

  /**
   * Checks credentials for one role. An unknown email and a wrong password get the same answer after
   * the same amount of work, so neither the message nor the timing reveals which accounts exist.
   */
  async login(role: Role, dto: LoginDto): Promise<TokenResponseDto> {
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
      if (row.revokedAt) {
        await this.refreshTokens.revokeFamily(manager, row.familyId);
        return { error: 'The refresh token has already been used; please sign in again.' } as const;
      }
      if (row.expiresAt.getTime() <= Date.now()) return { error: 'The refresh token has expired.' } as const;
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
      return { principal: { id: row.subjectId, role: row.subjectRole }, refreshToken: next.token } as const;
    });
    if ('error' in outcome) throw new UnauthorizedError(outcome.error);
    return this.tokenResponse(outcome.principal, outcome.refreshToken);
  }

  /** Revokes the token's whole family; unknown tokens are ignored so logout is always safe to repeat. */
  async logout(token: string): Promise<void> {
    const row = await this.refreshTokens.findByHash(hashToken(token));
    if (row) await this.refreshTokens.revokeFamily(undefined, row.familyId);
  }

  private async issue(principal: Principal): Promise<TokenResponseDto> {
    const next = this.newRefreshToken();
    await this.refreshTokens.insert(undefined, {
      id: next.id,
      familyId: randomUUID(),
      subjectRole: principal.role,
      subjectId: principal.id,
      tokenHash: hashToken(next.token),
      expiresAt: next.expiresAt,
    });
    return this.tokenResponse(principal, next.token);
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

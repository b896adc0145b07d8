import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainError, ForbiddenError, UnauthorizedError } from '../errors/domain-error.js';
import { StaffErrorCode } from '../errors/error-codes.js';
import { AccessTokenService } from './access-token.js';
import { IS_PUBLIC, OPTIONAL_AUTH, ROLES_KEY, STAFF_KEY } from './decorators.js';
import { extractAccessToken } from './jwt.strategy.js';
import type { Principal, Role, StaffRole } from './role.js';
import { SessionState } from './session-state.js';
import { VerifiedTokens } from './verified-tokens.js';

/**
 * Global: every route needs a valid access token unless marked @Public(). A token this instance has
 * already verified is taken from {@link VerifiedTokens}; any other goes through Passport.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly verified: VerifiedTokens,
    private readonly accessTokens: AccessTokenService,
    private readonly sessions: SessionState,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      if (this.reflector.getAllAndOverride<boolean>(OPTIONAL_AUTH, targets)) await this.identify(request);
      return true;
    }
    const token = extractAccessToken(request);
    const remembered = token ? this.verified.get(token) : undefined;
    if (remembered) request.user = remembered;
    else await (super.canActivate(context) as Promise<boolean>);
    // A valid signature is not enough: the account may have been switched off, deleted, or the
    // session ended (logout, a password change) since the token was issued.
    if (!(await this.sessions.isLive(request.user!)))
      throw new UnauthorizedError('This session has ended. Please sign in again.');
    return true;
  }

  /** On an optional-auth route: the caller when the token is valid, else no one (never an error). */
  private async identify(request: Request & { user?: Principal }): Promise<void> {
    const token = extractAccessToken(request);
    if (!token) return;
    try {
      const { id, role, sid, staff } = this.verified.get(token) ?? this.accessTokens.verify(token);
      const principal: Principal =
        sid === undefined ? { id, role } : { id, role, sid, ...(staff && { staff }) };
      request.user = (await this.sessions.isLive(principal)) ? principal : undefined;
    } catch {
      request.user = undefined;
    }
  }

  /** `info` is passport-jwt's reason: "No auth token" when none was sent, else why the token failed. */
  override handleRequest<T = Principal>(err: unknown, user: T | false, info?: { message?: string }): T {
    if (err instanceof UnauthorizedError) throw err;
    const tokenSent = !!info && info.message !== 'No auth token';
    if (err || !user)
      throw new UnauthorizedError(
        err || tokenSent ? 'Could not validate credentials.' : 'Not authenticated.',
      );
    return user;
  }
}

/** The original API's 403 sentences for its two roles. */
const V1_ROLE_REQUIRED: Record<string, string> = {
  merchant: 'Access forbidden: Merchant access required',
  user: 'Access forbidden: Consumer access required',
};

/** Global: a route marked @Roles(...) refuses other roles with 403. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles?.length) return true;
    const user = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (!user) throw new UnauthorizedError('Not authenticated.');
    if (!roles.includes(user.role))
      throw new ForbiddenError(`This endpoint is for ${roles.map((r) => `${r}s`).join(' and ')} only.`).inV1(
        V1_ROLE_REQUIRED[roles.join()] ?? 'Access forbidden',
      );
    return true;
  }
}

const STAFF_ROLE_NAMES: Record<StaffRole, string> = { cashier: 'cashiers', manager: 'managers' };

/**
 * Global, after {@link RolesGuard}: a shop's staff member (a merchant token with `staff`) may call only
 * the routes that say so with `@StaffMay(...)`, in one of the roles they list; every other route
 * answers 403. Deny by default, so a route added without a thought for staff stays the owner's.
 */
@Injectable()
export class StaffGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const staff = context.switchToHttp().getRequest<{ user?: Principal }>().user?.staff;
    if (!staff) return true;
    const allowed = this.reflector.getAllAndOverride<StaffRole[] | undefined>(STAFF_KEY, targets) ?? [];
    if (allowed.includes(staff.role)) return true;
    throw new DomainError(
      StaffErrorCode.NotForStaff,
      allowed.length
        ? `This is for the shop's owner and ${allowed.map((r) => STAFF_ROLE_NAMES[r]).join(' and ')} only.`
        : "This is for the shop's owner only.",
    );
  }
}

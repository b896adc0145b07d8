import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config.js';
import { UnauthorizedError } from '../errors/domain-error.js';
import { accessTokenKey } from './access-token-key.js';
import { ROLES, STAFF_ROLES, type Principal, type Role, type StaffRole } from './role.js';
import { VerifiedTokens } from './verified-tokens.js';

interface AccessClaims {
  sub: string;
  role: Role;
  typ: string;
  exp?: number;
  sid?: unknown;
  /** A staff member's id and role (see {@link Principal.staff}). */
  stf?: unknown;
  srl?: unknown;
}

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where the access token travels: `Authorization: Bearer <jwt>`. */
export const extractAccessToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/** Converts verified access-token claims to the caller, refusing anything but an access token. */
export function principalFromClaims(claims: AccessClaims): Principal {
  const id = Number(claims.sub);
  if (claims.typ !== 'access' || !ROLES.includes(claims.role) || !Number.isSafeInteger(id) || id <= 0)
    throw new UnauthorizedError('Could not validate credentials.');
  const staff = staffFromClaims(claims);
  if (claims.sid === undefined) {
    // A staff token always belongs to a sign-in session: that is how disabling ends it.
    if (staff) throw new UnauthorizedError('Could not validate credentials.');
    return { id, role: claims.role };
  }
  if (typeof claims.sid !== 'string' || !SESSION_ID.test(claims.sid))
    throw new UnauthorizedError('Could not validate credentials.');
  return staff
    ? { id, role: claims.role, sid: claims.sid, staff }
    : { id, role: claims.role, sid: claims.sid };
}

/** The staff member a token speaks for: only on a merchant token, with a positive id and a known role. */
function staffFromClaims(claims: AccessClaims): Principal['staff'] {
  if (claims.stf === undefined && claims.srl === undefined) return undefined;
  const ok =
    claims.role === 'merchant' &&
    typeof claims.stf === 'number' &&
    Number.isSafeInteger(claims.stf) &&
    claims.stf > 0 &&
    STAFF_ROLES.includes(claims.srl as StaffRole);
  if (!ok) throw new UnauthorizedError('Could not validate credentials.');
  return { id: claims.stf as number, role: claims.srl as StaffRole };
}

/**
 * `Authorization: Bearer <jwt>`; HS256 only, so `alg: none` and foreign algorithms are refused. A token
 * that passes is remembered (see {@link VerifiedTokens}) until its expiry.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly verified: VerifiedTokens,
  ) {
    super({
      jwtFromRequest: extractAccessToken,
      // jsonwebtoken takes a KeyObject (see accessTokenKey); the passport-jwt types only lag behind.
      secretOrKey: accessTokenKey(config.jwtSecret) as unknown as Buffer,
      algorithms: ['HS256'],
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  validate(req: Request, claims: AccessClaims): Principal {
    const principal = principalFromClaims(claims);
    const token = extractAccessToken(req);
    // jsonwebtoken has already refused a token past its `exp`; one without `exp` is not remembered.
    if (token && typeof claims.exp === 'number') this.verified.remember(token, principal, claims.exp * 1000);
    return principal;
  }
}

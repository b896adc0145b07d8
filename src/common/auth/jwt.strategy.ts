import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config.js';
import { UnauthorizedError } from '../errors/domain-error.js';
import { accessTokenKey } from './access-token-key.js';
import { ROLES, type Principal, type Role } from './role.js';

interface AccessClaims {
  sub: string;
  role: Role;
  typ: string;
}

/** Converts verified access-token claims to the caller, refusing anything but an access token. */
export function principalFromClaims(claims: AccessClaims): Principal {
  const id = Number(claims.sub);
  if (claims.typ !== 'access' || !ROLES.includes(claims.role) || !Number.isSafeInteger(id) || id <= 0)
    throw new UnauthorizedError('Could not validate credentials.');
  return { id, role: claims.role };
}

/** `Authorization: Bearer <jwt>`; HS256 only, so `alg: none` and foreign algorithms are refused. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // jsonwebtoken takes a KeyObject (see accessTokenKey); the passport-jwt types only lag behind.
      secretOrKey: accessTokenKey(config.jwtSecret) as unknown as Buffer,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  validate(claims: AccessClaims): Principal {
    return principalFromClaims(claims);
  }
}

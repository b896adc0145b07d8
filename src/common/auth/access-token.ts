import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config.js';
import { UnauthorizedError } from '../errors/domain-error.js';
import { principalFromClaims } from './jwt.strategy.js';
import type { Principal, Role } from './role.js';

/**
 * Signs access tokens, and verifies them for transports outside Passport (the WebSocket handshakes),
 * with the same secret and algorithm rules as the HTTP guard.
 */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  sign(principal: Principal): { token: string; expiresIn: number } {
    const expiresIn = this.config.accessTokenTtlSeconds;
    const token = this.jwt.sign(
      {
        sub: String(principal.id),
        role: principal.role,
        typ: 'access',
        ...(principal.sid && { sid: principal.sid }),
        ...(principal.staff && { stf: principal.staff.id, srl: principal.staff.role }),
      },
      // The key is the module's (SecurityModule), a KeyObject: see accessTokenKey.
      { algorithm: 'HS256', expiresIn },
    );
    return { token, expiresIn };
  }

  /** Returns the caller and the token's expiry (ms since epoch), or throws UnauthorizedError. */
  verify(token: string | undefined): Principal & { expiresAt: number } {
    if (!token) throw new UnauthorizedError('Not authenticated.');
    let claims: {
      sub: string;
      role: Role;
      typ: string;
      exp: number;
      sid?: unknown;
      stf?: unknown;
      srl?: unknown;
    };
    try {
      claims = this.jwt.verify(token, { algorithms: ['HS256'] });
    } catch {
      throw new UnauthorizedError('Could not validate credentials.');
    }
    return { ...principalFromClaims(claims), expiresAt: claims.exp * 1000 };
  }
}

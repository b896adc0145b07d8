import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '../../config/app-config.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { WriteLimits } from '../rate-limit/write-limits.js';
import { AccessTokenService } from './access-token.js';
import { accessTokenKey } from './access-token-key.js';
import { JwtAuthGuard, RolesGuard, StaffGuard } from './guards.js';
import { JwtStrategy } from './jwt.strategy.js';
import { PasswordService } from './password.service.js';
import { SessionRevocations } from './session-revocations.js';
import { SessionState, SessionsRepository } from './session-state.js';
import { VerifiedTokens } from './verified-tokens.js';

/** Token verification, password hashing, the rate limiter and the global guards (authentication, then role, then staff role). */
@Global()
@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ secret: accessTokenKey(config.jwtSecret) }),
    }),
  ],
  providers: [
    AccessTokenService,
    PasswordService,
    RateLimiter,
    WriteLimits,
    SessionRevocations,
    SessionsRepository,
    SessionState,
    JwtStrategy,
    { provide: VerifiedTokens, useValue: new VerifiedTokens() },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: StaffGuard },
  ],
  exports: [AccessTokenService, PasswordService, RateLimiter, WriteLimits, SessionRevocations, SessionState],
})
export class SecurityModule {}

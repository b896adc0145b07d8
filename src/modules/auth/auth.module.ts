import { Module } from '@nestjs/common';
import { MerchantsModule } from '../merchants/merchants.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountsRepository } from './accounts.repository.js';
import { AdminAccountsRepository } from './admin-accounts.repository.js';
import { PhoneLookupThrottlerGuard } from '../users/phone-lookup-throttler.guard.js';
import { AuthController } from './auth.controller.js';
import { AuthV1Controller } from './auth-v1.controller.js';
import { AuthService } from './auth.service.js';
import { LoginLimiter } from './login-limiter.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

@Module({
  imports: [MerchantsModule, UsersModule],
  controllers: [AuthController, AuthV1Controller],
  providers: [
    AuthService,
    AdminAccountsRepository,
    RefreshTokensRepository,
    LoginLimiter,
    AccountsRepository,
    PhoneLookupThrottlerGuard,
  ],
  exports: [AuthService, AccountsRepository, AdminAccountsRepository, LoginLimiter, RefreshTokensRepository],
})
export class AuthModule {}

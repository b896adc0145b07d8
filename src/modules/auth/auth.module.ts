import { Module } from '@nestjs/common';
import { MerchantsModule } from '../merchants/merchants.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminsRepository } from './admins.repository.js';
import { PhoneLookupThrottlerGuard } from '../users/phone-lookup-throttler.guard.js';
import { AuthController } from './auth.controller.js';
import { AuthV1Controller } from './auth-v1.controller.js';
import { AuthService } from './auth.service.js';
import { LoginThrottlerGuard } from './login-throttler.guard.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

@Module({
  imports: [MerchantsModule, UsersModule],
  controllers: [AuthController, AuthV1Controller],
  providers: [
    AuthService,
    AdminsRepository,
    RefreshTokensRepository,
    LoginThrottlerGuard,
    PhoneLookupThrottlerGuard,
  ],
  exports: [AdminsRepository],
})
export class AuthModule {}

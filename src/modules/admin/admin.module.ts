import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { MerchantsModule } from '../merchants/merchants.module.js';
import { AdminPanelService } from './admin-panel.service.js';
import { AdminRepository } from './admin.repository.js';
import { AdminService } from './admin.service.js';

/**
 * The AdminJS panel at /admin (DESIGN §5). This module itself is light: AdminJS is imported lazily
 * by AdminPanelService once the API is listening.
 */
@Module({
  imports: [AuthModule, MerchantsModule],
  providers: [AdminRepository, AdminService, AdminPanelService],
})
export class AdminModule {}

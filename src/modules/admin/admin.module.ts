import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { MerchantsModule } from '../merchants/merchants.module.js';
import { TransactionsModule } from '../transactions/transactions.module.js';
import { ADMIN_PANEL_LOADER, AdminPanelService, loadAdminPanelModule } from './admin-panel.service.js';
import { AdminRepository } from './admin.repository.js';
import { AdminService } from './admin.service.js';

/**
 * The AdminJS panel at /admin (DESIGN §5). This module itself is light: AdminJS is imported lazily
 * by AdminPanelService once the API is listening.
 */
@Module({
  imports: [AuthModule, MerchantsModule, TransactionsModule],
  providers: [
    AdminRepository,
    AdminService,
    AdminPanelService,
    { provide: ADMIN_PANEL_LOADER, useValue: loadAdminPanelModule },
  ],
})
export class AdminModule {}

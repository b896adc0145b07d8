import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { MerchantsModule } from '../merchants/merchants.module.js';
import { TransactionsModule } from '../transactions/transactions.module.js';
import { ADMIN_PANEL_LOADER, AdminPanelService, loadAdminPanelModule } from './admin-panel.service.js';
import { AdminAuditService } from './admin-audit.service.js';
import { AdminResourcesService } from './admin-resources.service.js';
import { AdminSignInService } from './admin-sign-in.service.js';
import { AdminRepository } from './admin.repository.js';

/**
 * The AdminJS panel at /admin (docs/architecture.md#admin-panel). This module itself is light: AdminJS is imported lazily
 * by AdminPanelService once the API is listening.
 */
@Module({
  imports: [AuthModule, MerchantsModule, TransactionsModule],
  providers: [
    AdminRepository,
    AdminAuditService,
    AdminSignInService,
    AdminResourcesService,
    AdminPanelService,
    { provide: ADMIN_PANEL_LOADER, useValue: loadAdminPanelModule },
  ],
})
export class AdminModule {}

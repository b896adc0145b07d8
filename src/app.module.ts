import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { SecurityModule } from './common/auth/security.module.js';
import { MetricsModule } from './common/metrics/metrics.module.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { AdminModule } from './modules/admin/admin.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { MerchantsModule } from './modules/merchants/merchants.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { GuestsModule } from './modules/guests/guests.module.js';
import { TransactionsModule } from './modules/transactions/transactions.module.js';
import { KhataModule } from './modules/khata/khata.module.js';
import { RemindersModule } from './modules/reminders/reminders.module.js';
import { RealtimeModule } from './modules/realtime/realtime.module.js';
import { DashboardModule } from './modules/dashboard/dashboard.module.js';
import { StaffModule } from './modules/staff/staff.module.js';
import { UpiModule } from './modules/upi/upi.module.js';
import { DocumentsModule } from './modules/documents/documents.module.js';

/** The application, built for one validated configuration (the process's, or a test's). */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        EventEmitterModule.forRoot(),
        SecurityModule,
        MetricsModule,
        HealthModule,
        AuthModule,
        StaffModule,
        MerchantsModule,
        UsersModule,
        // Guests before transactions: /transactions/guest-users must match before /transactions/:id.
        GuestsModule,
        TransactionsModule,
        KhataModule,
        RemindersModule,
        RealtimeModule,
        DashboardModule,
        UpiModule,
        DocumentsModule,
        AdminModule,
      ],
    };
  }
}

import { Module } from '@nestjs/common';
import { Clock } from '../../common/time/clock.js';
import { AppConfig } from '../../config/app-config.js';
import { JobQueue } from '../../database/job-queue.js';
import { KhataModule } from '../khata/khata.module.js';
import { UpiModule } from '../upi/upi.module.js';
import { UpiService } from '../upi/upi.service.js';
import { AccountsService } from '../khata/accounts.service.js';
import { ReminderAccounts, ReminderUpiLinks } from './reminder-ports.js';
import { ReminderScheduler } from './reminder-scheduler.js';
import { RecordingSender, ReminderSender, WebhookSender } from './reminder-sender.js';
import { CustomerRemindersController, RemindersController } from './reminders.controller.js';
import { RemindersRepository } from './reminders.repository.js';
import { RemindersService } from './reminders.service.js';

/**
 * Payment reminders (docs/reminders.md). The sender is the webhook when `REMINDER_WEBHOOK_URL` is set,
 * else the recording one; the UPI link is the UPI module's link for the account's due.
 */
@Module({
  imports: [KhataModule, UpiModule],
  controllers: [RemindersController, CustomerRemindersController],
  providers: [
    RemindersRepository,
    RemindersService,
    ReminderScheduler,
    JobQueue,
    Clock,
    // The shop's UPI link for the account's due (none without a UPI address).
    {
      provide: ReminderUpiLinks,
      inject: [UpiService],
      useFactory: (upi: UpiService): ReminderUpiLinks => ({
        forAccount: (merchantId: number, accountId: number) => upi.linkForAccount(merchantId, accountId),
      }),
    },
    // The khata's accounts, read through the narrow port reminders need.
    { provide: ReminderAccounts, useExisting: AccountsService },
    {
      provide: ReminderSender,
      inject: [AppConfig],
      useFactory: (config: AppConfig): ReminderSender =>
        config.reminderWebhookUrl
          ? new WebhookSender({
              url: config.reminderWebhookUrl,
              secret: config.reminderWebhookSecret,
              attempts: config.reminderWebhookAttempts,
              timeoutMs: config.reminderWebhookTimeoutMs,
              backoffMs: config.reminderWebhookBackoffMs,
            })
          : new RecordingSender(),
    },
  ],
  exports: [RemindersService, ReminderUpiLinks],
})
export class RemindersModule {}

import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/domain-error.js';
import { Clock } from '../../common/time/clock.js';
import { JobQueue } from '../../database/job-queue.js';
import { TransactionalConnection } from '../../database/transactional-connection.js';
import { inQuietHours, localDate, nextAllowedSend } from './quiet-hours.js';
import { ReminderAccounts } from './reminder-ports.js';
import { ReminderDeliveryError, ReminderSender } from './reminder-sender.js';
import { RemindersRepository, type ScheduleRow } from './reminders.repository.js';
import { composedColumns, RemindersService } from './reminders.service.js';

/** The queue that plans due reminders (one job a minute across all instances, by pg-boss's cron). */
export const TICK_QUEUE = 'reminders-tick';
/** The queue of single deliveries: `{ reminder_id }`. */
export const DELIVER_QUEUE = 'reminders-deliver';
const BATCH = 200;

/**
 * Scheduled reminders on the job queue. Each minute one tick (whichever instance takes it) plans the
 * due schedules — a `scheduled` reminder per customer, at the end of quiet hours when it falls in
 * them — and puts the reminders whose time has come on the delivery queue, in the same transaction.
 * A delivery checks again (opted out, nothing due, quiet hours, already reminded today), composes the
 * text and hands it to the {@link ReminderSender}. Every step reads the time from {@link Clock}, so
 * tests move the clock instead of waiting; planning claims schedules and reminders with SKIP LOCKED,
 * and the one-a-day index makes a second reminder for a customer's day impossible, whichever instance
 * or source tries.
 */
@Injectable()
export class ReminderScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReminderScheduler.name);

  constructor(
    private readonly reminders: RemindersRepository,
    private readonly service: RemindersService,
    private readonly accounts: ReminderAccounts,
    private readonly sender: ReminderSender,
    private readonly queue: JobQueue,
    private readonly db: TransactionalConnection,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.start(
      [
        { name: TICK_QUEUE, retryLimit: 0, handler: () => this.tick() },
        {
          name: DELIVER_QUEUE,
          retryLimit: 3,
          retryDelay: 30,
          handler: (job: { data: { reminder_id: number } }) => this.deliver(Number(job.data.reminder_id)),
        },
      ] as never,
      [{ name: TICK_QUEUE, cron: '* * * * *' }],
    );
  }

  /** Plans the due schedules, then queues the reminders whose time has come. */
  async tick(): Promise<{ planned: number; queued: number }> {
    // Without the queue nothing could deliver what is planned: leave it to an instance that has one.
    if (!this.queue.enabled) return { planned: 0, queued: 0 };
    const planned = await this.planDue();
    const queued = await this.queueDue();
    return { planned, queued };
  }

  /** Claims the due schedules and writes one reminder per customer each, in one transaction per batch. */
  async planDue(): Promise<number> {
    let planned = 0;
    for (;;) {
      const count = await this.db.transaction(async () => {
        const now = this.clock.now();
        const due = await this.reminders.claimDueSchedules(now, 20);
        let n = 0;
        for (const schedule of due) n += await this.planSchedule(schedule, now);
        return due.length ? n : -1;
      });
      if (count < 0) return planned;
      planned += count;
    }
  }

  private async planSchedule(schedule: ScheduleRow, now: Date): Promise<number> {
    const targets =
      schedule.account_id !== null
        ? [Number(schedule.account_id)]
        : (await this.reminders.accountsWithDues(schedule.merchant_id, 10_000)).map(Number);
    for (const accountId of targets) await this.planOne(schedule, accountId, now);
    return targets.length;
  }

  /** A `scheduled` reminder for the account's day, or a `skipped` one saying why not. */
  private async planOne(schedule: ScheduleRow, accountId: number, now: Date): Promise<void> {
    let account;
    try {
      account = await this.accounts.forMerchant(schedule.merchant_id, accountId);
    } catch (err) {
      if (err instanceof NotFoundError) return;
      throw err;
    }
    const audience = await this.reminders.audience(schedule.merchant_id, accountId, account.user_id);
    const zone = audience.user_time_zone ?? audience.shop_time_zone;
    const at = nextAllowedSend(now, zone);
    const base = {
      merchant_id: schedule.merchant_id,
      account_id: accountId,
      schedule_id: Number(schedule.id),
      source: 'schedule' as const,
      recorded_by: schedule.recorded_by,
      amount_paise: account.due_paise,
    };
    const row = await this.reminders.insert({
      ...base,
      state: 'scheduled',
      reason: at > now ? 'quiet_hours' : null,
      local_date: localDate(at, zone),
      scheduled_for: at,
    });
    if (!row)
      await this.reminders.insert({
        ...base,
        state: 'skipped',
        reason: 'already_today',
        local_date: localDate(at, zone),
        scheduled_for: at,
      });
  }

  /** Puts the reminders whose time has come on the delivery queue (the job commits with the claim). */
  async queueDue(): Promise<number> {
    let queued = 0;
    for (;;) {
      const ids = await this.db.transaction(async () => {
        const claimed = await this.reminders.claimToQueue(this.clock.now(), BATCH);
        for (const id of claimed)
          await this.queue.send(
            DELIVER_QUEUE,
            { reminder_id: Number(id) },
            { singletonKey: `reminder-${id}` },
          );
        return claimed;
      });
      queued += ids.length;
      if (ids.length < BATCH) return queued;
    }
  }

  /**
   * Delivers one scheduled reminder, checking first that it should still go out now. The sender runs
   * outside any transaction (a gateway's retries hold no locks); its outcome is then stored.
   */
  async deliver(reminderId: number): Promise<void> {
    const ready = await this.db.transaction(async () => {
      const row = await this.reminders.lockForDelivery(reminderId);
      if (!row || row.state !== 'scheduled') return null;
      let account;
      try {
        account = await this.accounts.forMerchant(row.merchant_id, Number(row.account_id));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        await this.reminders.update(reminderId, {
          state: 'skipped',
          reason: 'zero_balance',
          detail: 'account gone',
        });
        return null;
      }
      const audience = await this.reminders.audience(row.merchant_id, account.id, account.user_id);
      const scheduleId = row.schedule_id === null ? null : Number(row.schedule_id);
      if (audience.opted_out) {
        await this.reminders.update(reminderId, { state: 'skipped', reason: 'opted_out' });
        if (scheduleId !== null) await this.reminders.stopSchedule(scheduleId, 'opted_out');
        return null;
      }
      if (account.due_paise <= 0) {
        await this.reminders.update(reminderId, {
          state: 'skipped',
          reason: 'zero_balance',
          amount_paise: 0,
        });
        if (scheduleId !== null) await this.reminders.stopSchedule(scheduleId, 'zero_balance');
        return null;
      }
      const now = this.clock.now();
      const zone = audience.user_time_zone ?? audience.shop_time_zone;
      if (inQuietHours(now, zone)) {
        const at = nextAllowedSend(now, zone);
        const day = localDate(at, zone);
        const holder = await this.reminders.holdingDay(row.merchant_id, account.id, day);
        if (holder && holder.id !== row.id)
          await this.reminders.update(reminderId, { state: 'skipped', reason: 'already_today' });
        else
          await this.reminders.update(reminderId, {
            reason: 'quiet_hours',
            scheduled_for: at,
            local_date: day,
            queued_at: null,
          });
        return null;
      }
      const composed = await this.service.composeFor(account, audience);
      await this.reminders.update(reminderId, composedColumns(composed));
      return { row, account, composed };
    });
    if (!ready) return;
    const { row, account, composed } = ready;
    try {
      const result = await this.sender.send({
        id: reminderId,
        merchant_id: row.merchant_id,
        customer_id: account.id,
        phone: account.phone,
        language: composed.language,
        text: composed.text,
        whatsapp_url: composed.whatsapp_url,
        sms_url: composed.sms_url,
        upi_link: composed.upi_link,
        amount_paise: composed.amount_paise,
      });
      await this.reminders.update(reminderId, {
        state: 'sent',
        reason: null,
        channel: result.channel,
        attempts: result.attempts,
        sent_at: this.clock.now(),
      });
    } catch (err) {
      if (!(err instanceof ReminderDeliveryError)) throw err;
      this.logger.warn(`reminder ${reminderId} not delivered: ${err.reason}`);
      await this.reminders.update(reminderId, {
        state: 'failed',
        reason: 'delivery_failed',
        detail: err.reason,
        channel: 'webhook',
        attempts: err.attempts,
      });
    }
  }
}

import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, UnprocessableError } from '../../common/errors/domain-error.js';
import { KhataErrorCode, ReminderErrorCode, TransactionErrorCode } from '../../common/errors/error-codes.js';
import { paiseToRupees } from '../../common/money/money.js';
import { Clock } from '../../common/time/clock.js';
import { TransactionalConnection } from '../../database/transactional-connection.js';
import {
  ComposedReminderDto,
  ListRemindersQueryDto,
  ReminderDto,
  ReminderPageDto,
  ReminderPreferenceDto,
  ScheduleDto,
} from './dto/reminder.dto.js';
import { localDate } from './quiet-hours.js';
import { ReminderAccounts, ReminderUpiLinks, type ReminderAccount } from './reminder-ports.js';
import {
  composeReminderText,
  languageFromAcceptLanguage,
  smsLink,
  whatsappLink,
  type ReminderLanguage,
} from './reminder-text.js';
import {
  RemindersRepository,
  type ReminderAudience,
  type ReminderRow,
  type ScheduleRow,
} from './reminders.repository.js';

/** The reminder's words and links for one account, as of now. */
export interface ComposedReminder {
  language: ReminderLanguage;
  timeZone: string;
  text: string;
  whatsapp_url: string;
  sms_url: string;
  upi_link: string | null;
  amount_paise: number;
}

/** The stored columns of a composed reminder. */
export function composedColumns(c: ComposedReminder) {
  return {
    language: c.language,
    body: c.text,
    whatsapp_url: c.whatsapp_url,
    sms_url: c.sms_url,
    upi_link: c.upi_link,
    amount_paise: c.amount_paise,
  };
}

export function toReminderDto(r: ReminderRow): ReminderDto {
  const amountPaise = r.amount_paise === null ? null : Number(r.amount_paise);
  return {
    id: Number(r.id),
    customer_id: Number(r.account_id),
    source: r.source,
    state: r.state,
    reason: r.reason,
    detail: r.detail,
    channel: r.channel,
    language: r.language,
    text: r.body,
    whatsapp_url: r.whatsapp_url,
    sms_url: r.sms_url,
    upi_link: r.upi_link,
    amount: amountPaise === null ? null : paiseToRupees(amountPaise),
    amount_paise: amountPaise,
    local_date: dateText(r.local_date),
    scheduled_for: new Date(r.scheduled_for).toISOString(),
    sent_at: r.sent_at ? new Date(r.sent_at).toISOString() : null,
    attempts: r.attempts,
    recorded_by: r.recorded_by,
    created_at: new Date(r.created_at).toISOString(),
  };
}

/** A `date` column as `YYYY-MM-DD` (node-postgres reads it as local midnight). */
function dateText(value: string | Date): string {
  if (typeof value === 'string') return value.slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
}

function toScheduleDto(s: ScheduleRow): ScheduleDto {
  return {
    customer_id: s.account_id === null ? null : Number(s.account_id),
    every_days: s.every_days,
    next_run_at: new Date(s.next_run_at).toISOString(),
    active: s.stopped_at === null,
    stop_reason: s.stop_reason,
    recorded_by: s.recorded_by,
  };
}

function encodeCursor(id: number): string {
  return Buffer.from(`r${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^r([1-9]\d{0,17})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m)
    throw new UnprocessableError(TransactionErrorCode.InvalidCursor, 'The cursor is not valid.', 'cursor');
  return Number(m[1]);
}

/**
 * Payment reminders a merchant composes, schedules and reviews, and the customer's opt-out. The
 * scheduled runs themselves are {@link ReminderScheduler}'s.
 */
@Injectable()
export class RemindersService {
  constructor(
    private readonly reminders: RemindersRepository,
    private readonly accounts: ReminderAccounts,
    private readonly upi: ReminderUpiLinks,
    private readonly db: TransactionalConnection,
    private readonly clock: Clock,
  ) {}

  /**
   * The reminder's text in the customer's language (their stored choice, else the account's, else the
   * request's `Accept-Language`, else English), with the shop, the amount due and the UPI link.
   */
  async composeFor(
    account: ReminderAccount,
    audience: ReminderAudience,
    acceptLanguage?: string,
  ): Promise<ComposedReminder> {
    const language =
      audience.user_language ??
      audience.account_language ??
      languageFromAcceptLanguage(acceptLanguage) ??
      'en';
    const upiLink = await this.upi.forAccount(account.merchant_id, account.id);
    const text = composeReminderText({
      language,
      customerName: account.name,
      shopName: audience.shop_name,
      duePaise: account.due_paise,
      upiLink,
    });
    return {
      language,
      timeZone: audience.user_time_zone ?? audience.shop_time_zone,
      text,
      whatsapp_url: whatsappLink(account.phone, text),
      sms_url: smsLink(account.phone, text),
      upi_link: upiLink,
      amount_paise: account.due_paise,
    };
  }

  /**
   * Composes a reminder for the merchant to send from their own phone and stores it as sent. Nothing
   * due, an opted-out customer, or a reminder already sent to this customer today (any source, in the
   * customer's zone) is a 409.
   */
  async remindNow(
    merchantId: number,
    accountId: number,
    acceptLanguage: string | undefined,
    recordedBy: number | null,
  ): Promise<ComposedReminderDto> {
    const account = await this.accounts.forMerchant(merchantId, accountId);
    const audience = await this.reminders.audience(merchantId, account.id, account.user_id);
    if (audience.opted_out)
      throw new ConflictError(
        ReminderErrorCode.CustomerOptedOut,
        'This customer has asked this shop not to send them reminders.',
      );
    if (account.due_paise <= 0)
      throw new ConflictError(KhataErrorCode.NothingDue, 'Nothing is due on this account.');
    const composed = await this.composeFor(account, audience, acceptLanguage);
    const now = this.clock.now();
    const row = await this.reminders.insert({
      merchant_id: merchantId,
      account_id: account.id,
      schedule_id: null,
      source: 'manual',
      state: 'sent',
      reason: null,
      local_date: localDate(now, composed.timeZone),
      scheduled_for: now,
      sent_at: now,
      recorded_by: recordedBy,
      channel: 'merchant_app',
      ...composedColumns(composed),
    });
    if (!row) {
      const today = await this.reminders.holdingDay(
        merchantId,
        account.id,
        localDate(now, composed.timeZone),
      );
      throw new ConflictError(
        ReminderErrorCode.AlreadyRemindedToday,
        'This customer has already been reminded today; its text and links are in GET /api/v2/reminders.',
        today ? { reminder_id: Number(today.id) } : {},
      );
    }
    return {
      text: composed.text,
      language: composed.language,
      whatsapp_url: composed.whatsapp_url,
      sms_url: composed.sms_url,
      reminder: toReminderDto(row),
    };
  }

  /** The shop's reminders, newest first, optionally of one customer or in one state. */
  async list(merchantId: number, query: ListRemindersQueryDto): Promise<ReminderPageDto> {
    const limit = query.limit ?? 50;
    const rows = await this.reminders.list(merchantId, {
      accountId: query.customer_id,
      state: query.state,
      beforeId: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit).map(toReminderDto);
    return {
      items,
      next_cursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null,
    };
  }

  /**
   * Reminds one customer (or, `accountId` null, every customer with dues) every `everyDays` days,
   * starting at the next run of the queue's tick. Setting it again replaces it and restarts it.
   */
  async setSchedule(
    merchantId: number,
    accountId: number | null,
    everyDays: number,
    recordedBy: number | null,
  ): Promise<ScheduleDto> {
    if (accountId !== null) await this.accounts.forMerchant(merchantId, accountId);
    const row = await this.reminders.upsertSchedule(
      merchantId,
      accountId,
      everyDays,
      this.clock.now(),
      recordedBy,
    );
    return toScheduleDto(row);
  }

  async getSchedule(merchantId: number, accountId: number | null): Promise<ScheduleDto> {
    if (accountId !== null) await this.accounts.forMerchant(merchantId, accountId);
    const row = await this.reminders.schedule(merchantId, accountId);
    if (!row) throw new NotFoundError('Reminder schedule');
    return toScheduleDto(row);
  }

  async deleteSchedule(merchantId: number, accountId: number | null): Promise<void> {
    if (accountId !== null) await this.accounts.forMerchant(merchantId, accountId);
    if (!(await this.reminders.deleteSchedule(merchantId, accountId)))
      throw new NotFoundError('Reminder schedule');
  }

  /** The merchant sets an account's reminder language (what a guest, who has no profile, is sent). */
  async setAccountLanguage(
    merchantId: number,
    accountId: number,
    language: ReminderLanguage | null,
  ): Promise<ReminderPreferenceDto> {
    const account = await this.accounts.forMerchant(merchantId, accountId);
    const pref = await this.reminders.setPreference(merchantId, account.id, { language });
    return { customer_id: account.id, enabled: !pref.opted_out, language: pref.language };
  }

  /** The customer turns this shop's reminders off (or back on). */
  async setCustomerReminders(
    userId: number,
    merchantId: number,
    enabled: boolean,
  ): Promise<ReminderPreferenceDto> {
    const account = await this.accounts.forCustomer(userId, merchantId);
    const pref = await this.db.transaction(() =>
      this.reminders.setPreference(account.merchant_id, account.id, { optedOut: !enabled }),
    );
    return { customer_id: account.id, enabled: !pref.opted_out, language: pref.language };
  }
}

import { Injectable } from '@nestjs/common';
import { TransactionalConnection } from '../../database/transactional-connection.js';
import type { ReminderLanguage } from './reminder-text.js';

export type ReminderState = 'scheduled' | 'sent' | 'failed' | 'skipped';
export type ReminderReason =
  'quiet_hours' | 'already_today' | 'zero_balance' | 'opted_out' | 'delivery_failed';

export interface ReminderRow {
  id: string;
  merchant_id: number;
  account_id: string;
  schedule_id: string | null;
  source: 'manual' | 'schedule';
  state: ReminderState;
  reason: ReminderReason | null;
  detail: string | null;
  channel: string | null;
  language: ReminderLanguage | null;
  body: string | null;
  whatsapp_url: string | null;
  sms_url: string | null;
  upi_link: string | null;
  amount_paise: string | null;
  local_date: string | Date;
  scheduled_for: Date;
  sent_at: Date | null;
  attempts: number;
  recorded_by: number | null;
  created_at: Date;
}

export interface ScheduleRow {
  id: string;
  merchant_id: number;
  account_id: string | null;
  every_days: number;
  next_run_at: Date;
  stopped_at: Date | null;
  stop_reason: string | null;
  recorded_by: number | null;
}

/** What the reminder needs to know about the customer besides the account: language, zone, opt-out. */
export interface ReminderAudience {
  shop_name: string;
  shop_time_zone: string;
  user_language: ReminderLanguage | null;
  user_time_zone: string | null;
  account_language: ReminderLanguage | null;
  opted_out: boolean;
}

export interface NewReminder {
  merchant_id: number;
  account_id: number;
  schedule_id: number | null;
  source: 'manual' | 'schedule';
  state: ReminderState;
  reason: ReminderReason | null;
  local_date: string;
  scheduled_for: Date;
  recorded_by: number | null;
  channel?: string | null;
  language?: ReminderLanguage | null;
  body?: string | null;
  whatsapp_url?: string | null;
  sms_url?: string | null;
  upi_link?: string | null;
  amount_paise?: number | null;
  sent_at?: Date | null;
}

/** TypeORM answers an UPDATE or DELETE … RETURNING with `[rows, affected]`; these are the rows. */
function returned<T>(result: [T[], number]): T[] {
  return result[0];
}

function requireScope(merchantId: number): void {
  if (!Number.isInteger(merchantId) || merchantId <= 0)
    throw new Error('reminders: a merchant scope is required');
}

/** The only SQL of reminders: their records, schedules and preferences, always scoped by the merchant. */
@Injectable()
export class RemindersRepository {
  constructor(private readonly db: TransactionalConnection) {}

  async audience(merchantId: number, accountId: number, userId: number | null): Promise<ReminderAudience> {
    requireScope(merchantId);
    const rows: ReminderAudience[] = await this.db.query(
      `SELECT m.business_name AS shop_name, m.timezone AS shop_time_zone,
              u.preferred_language AS user_language, u.timezone AS user_time_zone,
              p.language AS account_language, (p.opted_out_at IS NOT NULL) AS opted_out
         FROM merchants m
         LEFT JOIN users u ON u.id = $3
         LEFT JOIN reminder_preferences p ON p.account_id = $2 AND p.merchant_id = m.id
        WHERE m.id = $1`,
      [merchantId, accountId, userId],
    );
    return { ...rows[0], opted_out: Boolean(rows[0]?.opted_out) };
  }

  /**
   * Inserts a reminder; a second scheduled-or-sent reminder for the account on the same local day
   * is not inserted (null), so the caller records why.
   */
  async insert(r: NewReminder): Promise<ReminderRow | null> {
    requireScope(r.merchant_id);
    const rows: ReminderRow[] = await this.db.query(
      `INSERT INTO reminders (merchant_id, account_id, schedule_id, source, state, reason, local_date,
                              scheduled_for, recorded_by, channel, language, body, whatsapp_url, sms_url,
                              upi_link, amount_paise, sent_at, attempts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
               CASE WHEN $5 = 'sent' THEN 1 ELSE 0 END)
       ON CONFLICT (account_id, local_date) WHERE state IN ('scheduled', 'sent') DO NOTHING
       RETURNING *`,
      [
        r.merchant_id,
        r.account_id,
        r.schedule_id,
        r.source,
        r.state,
        r.reason,
        r.local_date,
        r.scheduled_for,
        r.recorded_by,
        r.channel ?? null,
        r.language ?? null,
        r.body ?? null,
        r.whatsapp_url ?? null,
        r.sms_url ?? null,
        r.upi_link ?? null,
        r.amount_paise ?? null,
        r.sent_at ?? null,
      ],
    );
    return rows[0] ?? null;
  }

  /** The reminder of the account that holds its local day (scheduled or sent), if any. */
  async holdingDay(merchantId: number, accountId: number, localDate: string): Promise<ReminderRow | null> {
    requireScope(merchantId);
    const rows: ReminderRow[] = await this.db.query(
      `SELECT * FROM reminders
        WHERE merchant_id = $1 AND account_id = $2 AND local_date = $3 AND state IN ('scheduled', 'sent')`,
      [merchantId, accountId, localDate],
    );
    return rows[0] ?? null;
  }

  /** Locks one reminder for its delivery step (any merchant: the queue's job names the reminder). */
  async lockForDelivery(id: number): Promise<ReminderRow | null> {
    const rows: ReminderRow[] = await this.db.query(
      `SELECT * FROM reminders WHERE id = $1 FOR UPDATE SKIP LOCKED`,
      [id],
    );
    return rows[0] ?? null;
  }

  async update(
    id: number,
    patch: Partial<
      Pick<
        ReminderRow,
        | 'state'
        | 'reason'
        | 'detail'
        | 'channel'
        | 'language'
        | 'body'
        | 'whatsapp_url'
        | 'sms_url'
        | 'upi_link'
        | 'local_date'
        | 'scheduled_for'
        | 'sent_at'
      >
    > & { amount_paise?: number; queued_at?: Date | null; attempts?: number },
  ): Promise<void> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (!entries.length) return;
    // Column names come from the typed patch's keys only, never from input.
    const sets = entries.map(([k], i) => `${k} = $${i + 2}`).join(', ');
    await this.db.query(`UPDATE reminders SET ${sets}, updated_at = now() WHERE id = $1`, [
      id,
      ...entries.map(([, v]) => v),
    ]);
  }

  /**
   * Claims up to `limit` scheduled reminders that are due at `now` and not yet on the queue, marking
   * them queued; several instances claim disjoint sets (SKIP LOCKED).
   */
  async claimToQueue(now: Date, limit: number): Promise<string[]> {
    const rows = returned<{ id: string }>(
      await this.db.query(
        `UPDATE reminders SET queued_at = $1, updated_at = now()
        WHERE id IN (SELECT id FROM reminders
                      WHERE state = 'scheduled' AND queued_at IS NULL AND scheduled_for <= $1
                      ORDER BY scheduled_for LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
        [now, limit],
      ),
    );
    return rows.map((r) => r.id);
  }

  async list(
    merchantId: number,
    filter: { accountId?: number; state?: ReminderState; beforeId?: number; limit: number },
  ): Promise<ReminderRow[]> {
    requireScope(merchantId);
    return this.db.query(
      `SELECT * FROM reminders
        WHERE merchant_id = $1
          AND ($2::bigint IS NULL OR account_id = $2)
          AND ($3::text IS NULL OR state = $3)
          AND ($4::bigint IS NULL OR id < $4)
        ORDER BY id DESC LIMIT $5`,
      [merchantId, filter.accountId ?? null, filter.state ?? null, filter.beforeId ?? null, filter.limit],
    );
  }

  // Schedules

  async upsertSchedule(
    merchantId: number,
    accountId: number | null,
    everyDays: number,
    nextRunAt: Date,
    recordedBy: number | null,
  ): Promise<ScheduleRow> {
    requireScope(merchantId);
    const rows: ScheduleRow[] = await this.db.query(
      `INSERT INTO reminder_schedules (merchant_id, account_id, every_days, next_run_at, recorded_by)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (merchant_id, coalesce(account_id, 0)) DO UPDATE
         SET every_days = EXCLUDED.every_days, next_run_at = EXCLUDED.next_run_at,
             recorded_by = EXCLUDED.recorded_by, stopped_at = NULL, stop_reason = NULL, updated_at = now()
       RETURNING *`,
      [merchantId, accountId, everyDays, nextRunAt, recordedBy],
    );
    return rows[0];
  }

  async deleteSchedule(merchantId: number, accountId: number | null): Promise<boolean> {
    requireScope(merchantId);
    const rows = returned<unknown>(
      await this.db.query(
        `DELETE FROM reminder_schedules WHERE merchant_id = $1 AND coalesce(account_id, 0) = coalesce($2::bigint, 0)
       RETURNING id`,
        [merchantId, accountId],
      ),
    );
    return rows.length > 0;
  }

  async schedule(merchantId: number, accountId: number | null): Promise<ScheduleRow | null> {
    requireScope(merchantId);
    const rows: ScheduleRow[] = await this.db.query(
      `SELECT * FROM reminder_schedules WHERE merchant_id = $1 AND coalesce(account_id, 0) = coalesce($2::bigint, 0)`,
      [merchantId, accountId],
    );
    return rows[0] ?? null;
  }

  /**
   * Claims the schedules due at `now` and moves each one's next run on by its period (past `now`),
   * in the caller's transaction; instances running this at once claim disjoint schedules.
   */
  async claimDueSchedules(now: Date, limit: number): Promise<ScheduleRow[]> {
    return returned<ScheduleRow>(
      await this.db.query(
        `UPDATE reminder_schedules s
          SET next_run_at = s.next_run_at
                + make_interval(days => s.every_days
                    * greatest(1, ceil(extract(epoch FROM ($1 - s.next_run_at)) / 86400.0 / s.every_days)::int)),
              updated_at = now()
        WHERE s.id IN (SELECT id FROM reminder_schedules
                        WHERE stopped_at IS NULL AND next_run_at <= $1
                        ORDER BY next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING s.*`,
        [now, limit],
      ),
    );
  }

  async stopSchedule(scheduleId: number, reason: 'zero_balance' | 'opted_out'): Promise<void> {
    await this.db.query(
      `UPDATE reminder_schedules SET stopped_at = now(), stop_reason = $2, updated_at = now()
        WHERE id = $1 AND account_id IS NOT NULL AND stopped_at IS NULL`,
      [scheduleId, reason],
    );
  }

  /**
   * The accounts a shop-wide schedule reminds: something due, not opted out, and no schedule of
   * their own (which takes precedence).
   */
  async accountsWithDues(merchantId: number, limit: number): Promise<string[]> {
    requireScope(merchantId);
    const rows: { id: string }[] = await this.db.query(
      `SELECT a.id FROM customer_accounts a
        WHERE a.merchant_id = $1 AND a.due_paise > 0
          AND NOT EXISTS (SELECT 1 FROM reminder_preferences p
                           WHERE p.account_id = a.id AND p.opted_out_at IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM reminder_schedules s
                           WHERE s.merchant_id = a.merchant_id AND s.account_id = a.id)
        ORDER BY a.id LIMIT $2`,
      [merchantId, limit],
    );
    return rows.map((r) => r.id);
  }

  // Preferences

  async setPreference(
    merchantId: number,
    accountId: number,
    patch: { language?: ReminderLanguage | null; optedOut?: boolean },
  ): Promise<{ language: ReminderLanguage | null; opted_out: boolean }> {
    requireScope(merchantId);
    const rows: { language: ReminderLanguage | null; opted_out: boolean }[] = await this.db.query(
      `INSERT INTO reminder_preferences (account_id, merchant_id, language, opted_out_at)
       VALUES ($1, $2, $3, CASE WHEN $5::boolean THEN now() END)
       ON CONFLICT (account_id) DO UPDATE
         SET language = CASE WHEN $4::boolean THEN EXCLUDED.language ELSE reminder_preferences.language END,
             opted_out_at = CASE WHEN $5::boolean IS NULL THEN reminder_preferences.opted_out_at
                                 WHEN $5::boolean THEN coalesce(reminder_preferences.opted_out_at, now())
                                 ELSE NULL END,
             updated_at = now()
       RETURNING language, (opted_out_at IS NOT NULL) AS opted_out`,
      [
        accountId,
        merchantId,
        patch.language ?? null,
        patch.language !== undefined,
        patch.optedOut === undefined ? null : patch.optedOut,
      ],
    );
    return rows[0];
  }
}

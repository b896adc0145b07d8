import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { REMINDER_LANGUAGES, type ReminderLanguage } from '../reminder-text.js';

export const REMINDER_STATES = ['scheduled', 'sent', 'failed', 'skipped'] as const;
export const REMINDER_REASONS = [
  'quiet_hours',
  'already_today',
  'zero_balance',
  'opted_out',
  'delivery_failed',
] as const;

export class ReminderDto {
  @ApiProperty({ example: 17 }) id: number;
  @ApiProperty({ description: 'The customer account (`/api/v2/customers/{id}`).', example: 42 })
  customer_id: number;
  @ApiProperty({ enum: ['manual', 'schedule'] }) source: 'manual' | 'schedule';
  @ApiProperty({ enum: REMINDER_STATES }) state: (typeof REMINDER_STATES)[number];
  @ApiPropertyOptional({
    enum: REMINDER_REASONS,
    nullable: true,
    description:
      'Why a reminder was skipped or failed, or (`quiet_hours`, state `scheduled`) why it waits for 09:00 in the customer’s zone.',
  })
  reason: (typeof REMINDER_REASONS)[number] | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'A failure’s details, e.g. the gateway’s answer.',
  })
  detail: string | null;
  @ApiPropertyOptional({
    nullable: true,
    enum: ['merchant_app', 'recorded', 'webhook'],
    description:
      '`merchant_app`: composed for the merchant’s phone; `recorded`: stored for the app; `webhook`: posted to the gateway.',
  })
  channel: string | null;
  @ApiPropertyOptional({ nullable: true, enum: REMINDER_LANGUAGES }) language: ReminderLanguage | null;
  @ApiPropertyOptional({ nullable: true, type: String }) text: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) whatsapp_url: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) sms_url: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) upi_link: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    example: 1240.5,
    description: 'Rupees due when composed.',
  })
  amount: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) amount_paise: number | null;
  @ApiProperty({ example: '2026-12-02', description: 'The day it counts for, in the customer’s zone.' })
  local_date: string;
  @ApiProperty() scheduled_for: string;
  @ApiPropertyOptional({ nullable: true, type: String }) sent_at: string | null;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'The staff member who caused it; null: the owner.',
  })
  recorded_by: number | null;
  @ApiProperty() created_at: string;
}

export class ComposedReminderDto {
  @ApiProperty({ description: 'The reminder text in the customer’s language.' }) text: string;
  @ApiProperty({ enum: REMINDER_LANGUAGES }) language: ReminderLanguage;
  @ApiProperty({ example: 'https://wa.me/919876543210?text=Hello…' }) whatsapp_url: string;
  @ApiProperty({ example: 'sms:+919876543210?body=Hello…' }) sms_url: string;
  @ApiProperty({ type: ReminderDto }) reminder: ReminderDto;
}

export class ReminderPageDto {
  @ApiProperty({ type: [ReminderDto] }) items: ReminderDto[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as `cursor` for the next page.' })
  next_cursor: string | null;
}

export class ListRemindersQueryDto {
  @ApiPropertyOptional({ description: 'Only this customer account.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  customer_id?: number;

  @ApiPropertyOptional({ enum: REMINDER_STATES })
  @IsOptional()
  @IsIn(REMINDER_STATES)
  state?: (typeof REMINDER_STATES)[number];

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page.' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class ScheduleRequestDto {
  @ApiProperty({
    minimum: 1,
    maximum: 365,
    example: 7,
    description: 'Remind every N days while something is due.',
  })
  @IsInt()
  @Min(1)
  @Max(365)
  every_days: number;
}

export class ScheduleDto {
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Null: the shop-wide schedule.' })
  customer_id: number | null;
  @ApiProperty() every_days: number;
  @ApiProperty({
    description: 'When the next reminder is planned (it may then wait for the end of quiet hours).',
  })
  next_run_at: string;
  @ApiProperty({ description: 'False once stopped (the balance reached zero, or the customer opted out).' })
  active: boolean;
  @ApiPropertyOptional({ nullable: true, enum: ['zero_balance', 'opted_out'] }) stop_reason: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) recorded_by: number | null;
}

export class ReminderSettingsDto {
  @ApiPropertyOptional({
    enum: REMINDER_LANGUAGES,
    nullable: true,
    description:
      'The language of this account’s reminders (a registered customer’s own profile choice wins).',
  })
  @IsOptional()
  @IsIn([...REMINDER_LANGUAGES, null])
  language?: ReminderLanguage | null;
}

export class CustomerReminderSettingsDto {
  @ApiProperty({ description: 'False: this shop sends you no more scheduled reminders.' })
  @IsBoolean()
  enabled: boolean;
}

export class ReminderPreferenceDto {
  @ApiProperty() customer_id: number;
  @ApiProperty() enabled: boolean;
  @ApiPropertyOptional({ nullable: true, enum: REMINDER_LANGUAGES }) language: ReminderLanguage | null;
}

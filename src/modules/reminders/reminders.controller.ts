import { Body, Controller, Delete, Get, Headers, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Roles, StaffMay } from '../../common/auth/decorators.js';
import { recordedBy, type Principal } from '../../common/auth/role.js';
import { ApiProblems } from '../../common/http/api-problems.js';
import { PathId } from '../../common/http/path-id.js';
import {
  ComposedReminderDto,
  CustomerReminderSettingsDto,
  ListRemindersQueryDto,
  ReminderPageDto,
  ReminderPreferenceDto,
  ReminderSettingsDto,
  ScheduleDto,
  ScheduleRequestDto,
} from './dto/reminder.dto.js';
import { RemindersService } from './reminders.service.js';

const CustomerParam = ApiParam({ name: 'id', type: 'integer', description: 'The customer account id.' });

/** A merchant's payment reminders: compose one now, schedule them, and see every reminder's state. */
@ApiTags('reminders')
@ApiBearerAuth()
@Roles('merchant')
@StaffMay('manager')
@Controller()
export class RemindersController {
  constructor(private readonly reminders: RemindersService) {}

  @Post('customers/:id/reminders')
  @CustomerParam
  @ApiHeader({
    name: 'Accept-Language',
    required: false,
    description: '`hi` or `en`, when the customer has no stored language.',
  })
  @ApiOperation({
    summary: 'Compose a payment reminder (English or Hindi) with WhatsApp and SMS links for your phone',
  })
  @ApiCreatedResponse({ type: ComposedReminderDto })
  @ApiProblems(401, 403, 404, 409)
  remind(
    @CurrentPrincipal() me: Principal,
    @PathId('id') accountId: number,
    @Headers('accept-language') acceptLanguage?: string,
  ): Promise<ComposedReminderDto> {
    return this.reminders.remindNow(me.id, accountId, acceptLanguage, recordedBy(me));
  }

  @Get('reminders')
  @ApiOperation({
    summary: 'Every reminder and its state (scheduled, sent, failed, skipped and why), newest first',
  })
  @ApiOkResponse({ type: ReminderPageDto })
  @ApiProblems(401, 403, 422)
  list(@CurrentPrincipal() me: Principal, @Query() query: ListRemindersQueryDto): Promise<ReminderPageDto> {
    return this.reminders.list(me.id, query);
  }

  @Put('customers/:id/reminder-schedule')
  @CustomerParam
  @ApiOperation({ summary: 'Remind this customer every N days while something is due' })
  @ApiOkResponse({ type: ScheduleDto })
  @ApiProblems(401, 403, 404, 422)
  setSchedule(
    @CurrentPrincipal() me: Principal,
    @PathId('id') accountId: number,
    @Body() body: ScheduleRequestDto,
  ): Promise<ScheduleDto> {
    return this.reminders.setSchedule(me.id, accountId, body.every_days, recordedBy(me));
  }

  @Get('customers/:id/reminder-schedule')
  @CustomerParam
  @ApiOperation({ summary: "This customer's reminder schedule" })
  @ApiOkResponse({ type: ScheduleDto })
  @ApiProblems(401, 403, 404)
  getSchedule(@CurrentPrincipal() me: Principal, @PathId('id') accountId: number): Promise<ScheduleDto> {
    return this.reminders.getSchedule(me.id, accountId);
  }

  @Delete('customers/:id/reminder-schedule')
  @HttpCode(204)
  @CustomerParam
  @ApiOperation({ summary: "Stop this customer's scheduled reminders" })
  @ApiNoContentResponse()
  @ApiProblems(401, 403, 404)
  deleteSchedule(@CurrentPrincipal() me: Principal, @PathId('id') accountId: number): Promise<void> {
    return this.reminders.deleteSchedule(me.id, accountId);
  }

  @Put('customers/:id/reminder-settings')
  @CustomerParam
  @ApiOperation({ summary: "This account's reminder language (for guests; a customer's own choice wins)" })
  @ApiOkResponse({ type: ReminderPreferenceDto })
  @ApiProblems(401, 403, 404, 422)
  setSettings(
    @CurrentPrincipal() me: Principal,
    @PathId('id') accountId: number,
    @Body() body: ReminderSettingsDto,
  ): Promise<ReminderPreferenceDto> {
    return this.reminders.setAccountLanguage(me.id, accountId, body.language ?? null);
  }

  @Put('reminder-schedule')
  @ApiOperation({
    summary: 'Remind every customer with dues every N days (a customer’s own schedule takes precedence)',
  })
  @ApiOkResponse({ type: ScheduleDto })
  @ApiProblems(401, 403, 422)
  setShopSchedule(@CurrentPrincipal() me: Principal, @Body() body: ScheduleRequestDto): Promise<ScheduleDto> {
    return this.reminders.setSchedule(me.id, null, body.every_days, recordedBy(me));
  }

  @Get('reminder-schedule')
  @ApiOperation({ summary: 'The shop-wide reminder schedule' })
  @ApiOkResponse({ type: ScheduleDto })
  @ApiProblems(401, 403, 404)
  getShopSchedule(@CurrentPrincipal() me: Principal): Promise<ScheduleDto> {
    return this.reminders.getSchedule(me.id, null);
  }

  @Delete('reminder-schedule')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop the shop-wide scheduled reminders' })
  @ApiNoContentResponse()
  @ApiProblems(401, 403, 404)
  deleteShopSchedule(@CurrentPrincipal() me: Principal): Promise<void> {
    return this.reminders.deleteSchedule(me.id, null);
  }
}

/** The customer's side: turn a shop's reminders off or on. */
@ApiTags('my shops')
@ApiBearerAuth()
@Roles('user')
@Controller('me/shops')
export class CustomerRemindersController {
  constructor(private readonly reminders: RemindersService) {}

  @Put(':merchant_id/reminders')
  @ApiParam({ name: 'merchant_id', type: 'integer', description: 'The shop (merchant) id.' })
  @ApiOperation({ summary: "Turn this shop's scheduled payment reminders off (enabled: false) or back on" })
  @ApiOkResponse({ type: ReminderPreferenceDto })
  @ApiProblems(401, 403, 404, 422)
  set(
    @CurrentPrincipal() me: Principal,
    @PathId('merchant_id') merchantId: number,
    @Body() body: CustomerReminderSettingsDto,
  ): Promise<ReminderPreferenceDto> {
    return this.reminders.setCustomerReminders(me.id, merchantId, body.enabled);
  }
}

import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../../common/auth/role.js';
import { TooManyRequestsError } from '../../common/errors/domain-error.js';
import { toProblem } from '../../common/errors/problem-details.filter.js';
import { createValidationPipe, ValidationFailedException } from '../../common/errors/validation.js';
import { HistoryQueryDto } from '../transactions/dto/history-query.dto.js';
import { TransactionsService } from '../transactions/transactions.service.js';
import type { ErrorReply, TransactionsPageReply } from './dto/realtime-event.dto.js';

/**
 * `get_transactions` for both socket transports, on the REST history's own path: the same query DTO
 * and validation pipe, the same service method, the same rows. Never throws: every failure becomes
 * the problem+json body the REST API would have answered with.
 */
@Injectable()
export class RealtimeHistoryService {
  private readonly logger = new Logger('Realtime');
  private readonly validation = createValidationPipe();

  constructor(private readonly transactions: TransactionsService) {}

  /** One page of the caller's history (`limit`, `offset` or `cursor`, and the REST filters). */
  async page(
    principal: Principal,
    payload: unknown,
    instance: string,
  ): Promise<TransactionsPageReply | ErrorReply> {
    try {
      const query = await this.parse(payload);
      const page = await this.transactions.history(principal, query);
      return { data: page.items, next_cursor: page.nextCursor };
    } catch (err) {
      return errorReply(err, instance, this.logger);
    }
  }

  private async parse(payload: unknown): Promise<HistoryQueryDto> {
    if (payload === undefined || payload === null) payload = {};
    if (typeof payload !== 'object' || Array.isArray(payload))
      throw new ValidationFailedException([{ field: 'payload', message: 'must be a JSON object' }]);
    return (await this.validation.transform(payload, {
      type: 'body',
      metatype: HistoryQueryDto,
      data: undefined,
    })) as HistoryQueryDto;
  }
}

/** A connection's incoming messages over its token bucket (the same 429 as REST). */
export const tooManyMessages = (waitMs: number) =>
  new TooManyRequestsError(waitMs, 'Too many messages. Please slow down.');

/** The reply for a failed message; unexpected failures are logged and leave without internals. */
export function errorReply(err: unknown, instance: string, logger: Logger): ErrorReply {
  const problem = toProblem(err, instance);
  if (problem.status >= 500) logger.error({ msg: 'socket message failed', instance, err });
  return { error: problem };
}

import { Injectable } from '@nestjs/common';

/**
 * The current instant, injectable so that reports about "today", "this week" and "this month" can be
 * tested at chosen instants (tests replace it through `overrideProvider(Clock)`).
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

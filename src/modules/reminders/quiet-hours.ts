/**
 * Quiet hours for scheduled reminders: none from 21:00 to 09:00 in the customer's time zone. A
 * reminder that falls inside them waits until 09:00 local time.
 */

export const QUIET_FROM_HOUR = 21;
export const QUIET_UNTIL_HOUR = 9;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(at: Date, timeZone: string): LocalParts {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** The calendar date (`YYYY-MM-DD`) of `at` in `timeZone`. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Whether `at` falls in the quiet hours of `timeZone`. */
export function inQuietHours(at: Date, timeZone: string): boolean {
  const { hour } = localParts(at, timeZone);
  return hour >= QUIET_FROM_HOUR || hour < QUIET_UNTIL_HOUR;
}

/**
 * The instant the local wall-clock time `date` `hour`:00 occurs in `timeZone`. Found by correcting a
 * UTC guess with the zone's offset (twice, so a change of offset between the guess and the answer is
 * followed).
 */
function zonedInstant(year: number, month: number, day: number, hour: number, timeZone: string): Date {
  const wanted = Date.UTC(year, month - 1, day, hour);
  let guess = wanted;
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(guess), timeZone);
    const seen = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess += wanted - seen;
  }
  return new Date(guess);
}

/**
 * When a reminder due at `at` may go out: `at` itself outside quiet hours, else the next 09:00 in
 * `timeZone` (the same morning after midnight, the next morning from 21:00).
 */
export function nextAllowedSend(at: Date, timeZone: string): Date {
  if (!inQuietHours(at, timeZone)) return at;
  const p = localParts(at, timeZone);
  const base = new Date(Date.UTC(p.year, p.month - 1, p.day));
  if (p.hour >= QUIET_FROM_HOUR) base.setUTCDate(base.getUTCDate() + 1);
  return zonedInstant(
    base.getUTCFullYear(),
    base.getUTCMonth() + 1,
    base.getUTCDate(),
    QUIET_UNTIL_HOUR,
    timeZone,
  );
}

/** Calendar months in a time zone, for the statement's chart. */

function parts(instant: Date, zone: string): { year: number; month: number } {
  const p = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(instant);
  return {
    year: Number(p.find((x) => x.type === 'year')!.value),
    month: Number(p.find((x) => x.type === 'month')!.value),
  };
}

/** `YYYY-MM` of an instant in the zone. */
export function localMonth(instant: Date, zone: string): string {
  const { year, month } = parts(instant, zone);
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** The zone's offset from UTC at an instant, in milliseconds (IST: +5:30). */
function offsetMs(instant: Date, zone: string): number {
  const p = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant);
  const n = (type: string) => Number(p.find((x) => x.type === type)!.value);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant local midnight on the 1st of (year, month) begins in the zone. */
function monthStart(year: number, month: number, zone: string): Date {
  const guess = Date.UTC(year, month - 1, 1);
  const first = guess - offsetMs(new Date(guess), zone);
  // Once more at the found instant: the offset may differ there (a DST change near midnight).
  return new Date(guess - offsetMs(new Date(first), zone));
}

/** The starts of the `count` local months ending with the month of `instant`, oldest first. */
export function monthStartsBefore(instant: Date, zone: string, count: number): Date[] {
  const { year, month } = parts(instant, zone);
  return Array.from({ length: count }, (_, i) => {
    const index = year * 12 + (month - 1) - (count - 1 - i);
    return monthStart(Math.floor(index / 12), (index % 12) + 1, zone);
  });
}

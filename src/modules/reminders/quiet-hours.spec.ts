import { inQuietHours, localDate, nextAllowedSend } from './quiet-hours.js';

const IST = 'Asia/Kolkata';

describe('quiet hours', () => {
  it.each([
    ['2026-12-02T03:29:00Z', true], // 08:59 IST
    ['2026-12-02T03:30:00Z', false], // 09:00 IST
    ['2026-12-02T15:29:00Z', false], // 20:59 IST
    ['2026-12-02T15:30:00Z', true], // 21:00 IST
    ['2026-12-02T20:00:00Z', true], // 01:30 IST
  ])('%s in Asia/Kolkata: quiet %s', (at, quiet) => {
    expect(inQuietHours(new Date(at), IST)).toBe(quiet);
  });

  it('leaves a time outside quiet hours as it is', () => {
    const at = new Date('2026-12-02T06:00:00Z');
    expect(nextAllowedSend(at, IST)).toEqual(at);
  });

  it('defers an evening reminder to 09:00 the next local morning', () => {
    expect(nextAllowedSend(new Date('2026-12-02T16:00:00Z'), IST).toISOString()).toBe(
      '2026-12-03T03:30:00.000Z',
    );
  });

  it('defers a reminder after local midnight to 09:00 the same local morning', () => {
    // 19:00 UTC on the 2nd is 00:30 IST on the 3rd.
    expect(nextAllowedSend(new Date('2026-12-02T19:00:00Z'), IST).toISOString()).toBe(
      '2026-12-03T03:30:00.000Z',
    );
  });

  it('follows the customer zone, across a daylight-saving change', () => {
    // New York, the night the clocks go back (2026-11-01): 09:00 EST is 14:00 UTC.
    expect(nextAllowedSend(new Date('2026-11-01T02:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-11-01T14:00:00.000Z',
    );
  });

  it('counts the day in the customer zone', () => {
    expect(localDate(new Date('2026-12-02T19:00:00Z'), IST)).toBe('2026-12-03');
    expect(localDate(new Date('2026-12-02T19:00:00Z'), 'UTC')).toBe('2026-12-02');
  });
});

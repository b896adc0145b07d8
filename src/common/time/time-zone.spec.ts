import { isTimeZone, toIso } from './time-zone.js';

describe('isTimeZone', () => {
  it.each(['Asia/Kolkata', 'Asia/Calcutta', 'UTC', 'Europe/London', 'America/New_York', 'Asia/Kathmandu'])(
    'accepts %p',
    (zone) => {
      expect(isTimeZone(zone)).toBe(true);
    },
  );

  it.each(['Mars/Olympus', '', 'Asia/Kolkata; DROP TABLE x', '../etc/passwd', 42, null])(
    'rejects %p',
    (zone) => {
      expect(isTimeZone(zone)).toBe(false);
    },
  );
});

describe('toIso', () => {
  it('gives UTC with Z, or null', () => {
    expect(toIso(new Date(Date.UTC(2026, 10, 24, 4, 30)))).toBe('2026-11-24T04:30:00.000Z');
    expect(toIso(null)).toBeNull();
  });
});

import { parseInstant } from './instant.js';

describe('parseInstant', () => {
  it('reads calendar dates and instants with Z or an offset', () => {
    expect(parseInstant('2026-11-24T04:30:00Z')?.toISOString()).toBe('2026-11-24T04:30:00.000Z');
    expect(parseInstant('2026-11-24T10:00:00+05:30')?.toISOString()).toBe('2026-11-24T04:30:00.000Z');
    expect(parseInstant('2026-11-24')?.toISOString()).toBe('2026-11-24T00:00:00.000Z');
    expect(parseInstant('2026-11-24T04:30:00.123456789Z')?.toISOString()).toBe('2026-11-24T04:30:00.123Z');
  });

  it('reads a date-time without a zone as UTC, not as the server’s local time', () => {
    expect(parseInstant('2026-11-24T04:30:00')?.toISOString()).toBe('2026-11-24T04:30:00.000Z');
    expect(parseInstant('2026-11-24 04:30')?.toISOString()).toBe('2026-11-24T04:30:00.000Z');
  });

  it('refuses ISO 8601 forms that name no instant JavaScript can read, and non-dates', () => {
    for (const text of [
      '2026W48',
      '2026-W48-2',
      '2026-328',
      '20261124',
      '20261124T043000Z',
      '2026-02-30',
      '2026-13-01',
      'soon',
      '',
    ])
      expect(parseInstant(text)).toBeUndefined();
    expect(parseInstant(20261124)).toBeUndefined();
    expect(parseInstant(null)).toBeUndefined();
  });
});

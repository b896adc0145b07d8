import { scriptRuns } from './fonts.js';
import { localMonth, monthStartsBefore } from './months.js';
import { addressLines, balance, rupees } from './pdf.js';

describe('text runs by script', () => {
  it('keeps a Hindi name with its spaces in one run, and Latin and ₹ in another', () => {
    expect(scriptRuns('Customer: सुरेश कुमार (₹1,000)')).toEqual([
      { script: 'latin', text: 'Customer: ' },
      { script: 'devanagari', text: 'सुरेश कुमार (' },
      { script: 'latin', text: '₹1,000)' },
    ]);
  });

  it('keeps joiners and signs with their Devanagari letters', () => {
    expect(scriptRuns('क्\u200dष श्री')).toEqual([{ script: 'devanagari', text: 'क्\u200dष श्री' }]);
    expect(scriptRuns('')).toEqual([]);
  });
});

describe('amounts as a person reads them', () => {
  it('groups rupees in lakhs and crores, exact to the paisa', () => {
    expect(rupees(12_345_678_90)).toBe('₹1,23,45,678.90');
    expect(rupees(5)).toBe('₹0.05');
    expect(rupees(-30_000)).toBe('-₹300.00');
  });

  it('says due or advance', () => {
    expect(balance(100_000)).toBe('₹1,000.00 due');
    expect(balance(-2_550)).toBe('₹25.50 advance');
    expect(balance(0)).toBe('₹0.00');
  });

  it('writes the address lines that exist', () => {
    expect(
      addressLines({ address: '12 MG Road', city: 'Pune', state: 'Maharashtra', zip_code: '411001' }),
    ).toEqual(['12 MG Road', 'Pune, Maharashtra 411001']);
    expect(addressLines({ address: null, city: null, state: null, zip_code: null })).toEqual([]);
  });
});

describe('months in the shop’s zone', () => {
  it('starts each month at local midnight on the 1st (IST is UTC+5:30)', () => {
    const starts = monthStartsBefore(new Date('2026-12-01T20:00:00Z'), 'Asia/Kolkata', 6);
    // 20:00 UTC on 1 December is 01:30 on 2 December in India: December is the last month.
    expect(starts.map((d) => d.toISOString())).toEqual([
      '2026-06-30T18:30:00.000Z',
      '2026-07-31T18:30:00.000Z',
      '2026-08-31T18:30:00.000Z',
      '2026-09-30T18:30:00.000Z',
      '2026-10-31T18:30:00.000Z',
      '2026-11-30T18:30:00.000Z',
    ]);
  });

  it('crosses a year and follows a zone with daylight saving time', () => {
    const starts = monthStartsBefore(new Date('2026-02-10T12:00:00Z'), 'Europe/London', 3);
    expect(starts.map((d) => d.toISOString())).toEqual([
      '2025-12-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ]);
    expect(monthStartsBefore(new Date('2026-07-15T12:00:00Z'), 'Europe/London', 1)[0].toISOString()).toBe(
      '2026-06-30T23:00:00.000Z',
    );
  });

  it('names the local month of an instant', () => {
    expect(localMonth(new Date('2026-11-30T18:29:59Z'), 'Asia/Kolkata')).toBe('2026-11');
    expect(localMonth(new Date('2026-11-30T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-12');
  });
});

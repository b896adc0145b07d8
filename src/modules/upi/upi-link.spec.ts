import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  accountReference,
  billReference,
  buildUpiLink,
  clip,
  encodeUpiValue,
  upiAmount,
} from './upi-link.js';
import { IsUpiVpa } from './vpa.js';

describe('UPI deep links', () => {
  const parts = {
    vpa: 'ravi.kirana@oksbi',
    payeeName: 'Ravi Kirana',
    amountPaise: 25050,
    note: 'Bill 42 Ravi Kirana',
    reference: billReference(42),
  };

  it('carries pa, pn, am (2 decimals), cu=INR, tn and tr in that order', () => {
    expect(buildUpiLink(parts)).toBe(
      'upi://pay?pa=ravi.kirana@oksbi&pn=Ravi%20Kirana&am=250.50&cu=INR&tn=Bill%2042%20Ravi%20Kirana&tr=GSB42',
    );
  });

  it('names bills GSB<id> and accounts GSA<id>', () => {
    expect(billReference(7)).toBe('GSB7');
    expect(accountReference(19)).toBe('GSA19');
  });

  it.each([
    [1, '0.01'],
    [10, '0.10'],
    [100, '1.00'],
    [123456, '1234.56'],
    [1_000_000_000, '10000000.00'],
  ])('writes %i paise as am=%s', (paise, am) => {
    expect(upiAmount(paise)).toBe(am);
  });

  it('refuses an amount that is not positive whole paise', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => upiAmount(bad)).toThrow(RangeError);
  });

  it('escapes spaces as %20 (never +) and every character that could break the query', () => {
    expect(encodeUpiValue('A & B = C + D #1 ? 50% (new)!*')).toBe(
      'A%20%26%20B%20%3D%20C%20%2B%20D%20%231%20%3F%2050%25%20%28new%29%21%2A',
    );
    const link = buildUpiLink({ ...parts, payeeName: 'Sharma & Sons+', note: 'a=b&tr=GSB1' });
    expect(link).not.toContain('+');
    const query = new URLSearchParams(link.slice('upi://pay?'.length));
    expect(query.get('pn')).toBe('Sharma & Sons+');
    expect(query.get('tn')).toBe('a=b&tr=GSB1');
    expect(query.getAll('tr')).toEqual(['GSB42']);
  });

  it('encodes Hindi as UTF-8 and round-trips it', () => {
    const link = buildUpiLink({ ...parts, payeeName: 'श्री गणेश किराना' });
    expect(link).toContain('pn=%E0%A4%B6%E0%A5%8D%E0%A4%B0%E0%A5%80%20');
    expect(new URLSearchParams(link.slice('upi://pay?'.length)).get('pn')).toBe('श्री गणेश किराना');
  });

  it('clips long text at a grapheme boundary, never mid-syllable', () => {
    expect(clip('  Ravi   Kirana  ', 50)).toBe('Ravi Kirana');
    // "क्षि" is one grapheme cluster of 4 code units: it fits whole or not at all.
    expect(clip('कक्षि', 3)).toBe('क');
    expect(clip('कक्षि', 5)).toBe('कक्षि');
    expect(clip('x'.repeat(60), 50)).toHaveLength(50);
  });
});

describe('the VPA field', () => {
  class Body {
    @IsUpiVpa() upi_vpa: unknown;
  }
  const check = (value: unknown) => {
    const body = plainToInstance(Body, { upi_vpa: value });
    return { value: body.upi_vpa, errors: validateSync(body).length };
  };

  it('takes handle@bank in any case and stores it trimmed, lower-case', () => {
    expect(check(' Ravi.Kirana_1-a@OKSBI ')).toEqual({ value: 'ravi.kirana_1-a@oksbi', errors: 0 });
    expect(check('9876543210@ybl')).toEqual({ value: '9876543210@ybl', errors: 0 });
  });

  it.each([
    'ravi',
    'r@oksbi',
    'ravi@o',
    'ravi@ok5bi',
    'ravi kirana@oksbi',
    'ravi@@oksbi',
    'ravi@oksbi.com',
    42,
  ])('refuses %p', (value) => {
    expect(check(value).errors).toBe(1);
  });
});

import { paiseToRupees, rupeesToPaise, rupeesToPaiseRounded } from './money.js';

describe('money', () => {
  it.each([
    [25.5, 2550],
    [15.75, 1575],
    [0.01, 1],
    [0.1, 10],
    [10000000, 1_000_000_000],
    [1, 100],
  ])('converts %p rupees to %p paise exactly', (rupees, paise) => {
    expect(rupeesToPaise(rupees)).toBe(paise);
  });

  it.each([[0], [-1], [0.001], [1.005], [Number.NaN], [Infinity], ['25'], [null], [1e21]])(
    'rejects %p',
    (value) => {
      expect(rupeesToPaise(value)).toBeUndefined();
    },
  );

  it('returns exact decimals for sums done in paise', () => {
    const sum = (rupeesToPaise(0.1) ?? 0) + (rupeesToPaise(0.2) ?? 0);
    expect(paiseToRupees(sum)).toBe(0.3);
    expect(paiseToRupees('2229453')).toBe(22294.53);
  });
});

describe('rupeesToPaiseRounded (the v1 amount rule)', () => {
  it.each([
    [3.3333333333333335, 333],
    [1.005, 101],
    [1.004, 100],
    [0.005, 1],
    [0.015, 2],
    [25.5, 2550],
    [12.345, 1235],
    ['12.345', 1235],
    [100, 10000],
    [99999999.999, 10000000000],
  ])('rounds %p to %p paise, half away from zero', (input, paise) => {
    expect(rupeesToPaiseRounded(input)).toBe(paise);
  });

  it.each([0, -1, 0.004, 1e-7, Number.NaN, Infinity, '', 'abc', null, true, '1e400'])(
    'refuses %p',
    (input) => {
      expect(rupeesToPaiseRounded(input)).toBeUndefined();
    },
  );
});

import { paiseToRupees, rupeesToPaise } from './money.js';

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

import fc from 'fast-check';
import { TransactionErrorCode } from '../../common/errors/error-codes.js';
import {
  CalculationError,
  evaluateCalculation,
  fraction,
  itemsTotal,
  MAX_CALCULATION_DEPTH,
  MAX_CALCULATION_LENGTH,
  toPaise,
  type Fraction,
} from './calculation.js';

/** The total in paise, as the API rounds it. */
const paise = (text: string): bigint => toPaise(evaluateCalculation(text));

/** The error a calculation is refused with: its code and 1-based position. */
function refusal(text: string): { code: string; position: number } {
  try {
    evaluateCalculation(text);
  } catch (err) {
    if (err instanceof CalculationError) return { code: err.code, position: err.position };
    throw err;
  }
  throw new Error(`${JSON.stringify(text)} was accepted`);
}

describe('the calculator', () => {
  it('evaluates a shop bill with the usual precedence', () => {
    expect(paise('2*45 + 3*12.5 - 10')).toBe(11750n);
    expect(paise('2 × 45 + 3 × 12.5 − 10')).toBe(11750n);
    expect(paise('(2 + 3) * 4')).toBe(2000n);
    expect(paise('2 + 3 * 4')).toBe(1400n);
    expect(paise('10 - 4 - 3')).toBe(300n);
    expect(paise('64 / 4 / 2')).toBe(800n);
    expect(paise('-(-5)')).toBe(500n);
    expect(paise('--5')).toBe(500n);
    expect(paise('3 * -2')).toBe(-600n);
    expect(paise('.5 + 0.25')).toBe(75n);
    expect(paise('007.50')).toBe(750n);
  });

  it('reads % as the percent key: a share of the left side after + or -, a hundredth elsewhere', () => {
    expect(paise('200 - 10%')).toBe(18000n);
    expect(paise('1000 + 18%')).toBe(118000n);
    expect(paise('50 - 10% - 10%')).toBe(4050n);
    expect(paise('2*45 + 10%')).toBe(9900n);
    expect(paise('100 + -10%')).toBe(9000n);
    expect(paise('18% * 500')).toBe(9000n);
    expect(paise('500 * 18%')).toBe(9000n);
    expect(paise('500 / 50%')).toBe(100000n);
    expect(paise('10%')).toBe(10n);
    expect(paise('(100 + 10)%')).toBe(110n);
    // Brackets make a value of their own: a plain hundredth.
    expect(paise('100 + (10%)')).toBe(10010n);
    expect(paise('100 + (2 * 10%)')).toBe(10020n);
  });

  it('computes exactly and rounds only the total, half away from zero', () => {
    expect(paise('0.1 + 0.2')).toBe(30n);
    expect(paise('10 / 3')).toBe(333n);
    expect(paise('20 / 3')).toBe(667n);
    expect(paise('10 / 3 * 3')).toBe(1000n);
    expect(paise('0.005')).toBe(1n);
    expect(paise('0.004999')).toBe(0n);
    expect(paise('-0.005')).toBe(-1n);
    expect(paise('1.005 * 1')).toBe(101n);
    expect(paise('1/3 + 1/3 + 1/3')).toBe(100n);
    expect(paise('999999999999.999999 * 999999999999.999999')).toBe(99999999999999999800000000n);
  });

  it('refuses division by zero at the operator', () => {
    expect(refusal('1/0')).toEqual({ code: TransactionErrorCode.DivisionByZero, position: 2 });
    expect(refusal('5 / (2 - 2)')).toEqual({ code: TransactionErrorCode.DivisionByZero, position: 3 });
    expect(refusal('5 / 0%')).toEqual({ code: TransactionErrorCode.DivisionByZero, position: 3 });
    expect(() => evaluateCalculation('1/0')).toThrow('The calculation divides by zero (at position 2).');
  });

  it('refuses a percent that could mean two things, and a second % on one number', () => {
    expect(refusal('100 + 2*10%')).toEqual({ code: TransactionErrorCode.AmbiguousPercent, position: 11 });
    expect(refusal('100 - 10% * 2')).toEqual({ code: TransactionErrorCode.AmbiguousPercent, position: 9 });
    expect(refusal('5%%')).toEqual({ code: TransactionErrorCode.InvalidCalculation, position: 3 });
  });

  it('says where the text went wrong', () => {
    const cases: [string, number][] = [
      ['', 1],
      ['   ', 1],
      ['2 +', 4],
      ['2 3', 3],
      ['(2', 1],
      ['2)', 2],
      ['(2 3)', 4],
      ['1.2.3', 4],
      ['5.', 1],
      ['.', 1],
      ['abc', 1],
      ['2 * x', 5],
      ['2e5', 2],
      ['1,000', 2],
      ['+5', 1],
      ['5 ** 2', 4],
      ['9'.repeat(13), 1],
      ['1.1234567', 1],
    ];
    for (const [text, position] of cases)
      expect({ text, ...refusal(text) }).toEqual({
        text,
        code: TransactionErrorCode.InvalidCalculation,
        position,
      });
  });

  it('keeps to its limits: length, nesting and number size', () => {
    const nested = (n: number) => `${'('.repeat(n)}1${')'.repeat(n)}`;
    expect(paise(nested(MAX_CALCULATION_DEPTH))).toBe(100n);
    expect(refusal(nested(MAX_CALCULATION_DEPTH + 1))).toEqual({
      code: TransactionErrorCode.InvalidCalculation,
      position: MAX_CALCULATION_DEPTH + 1,
    });
    expect(paise(`${'-'.repeat(MAX_CALCULATION_DEPTH)}1`)).toBe(100n);
    expect(refusal(`${'-'.repeat(MAX_CALCULATION_DEPTH + 1)}1`).code).toBe(
      TransactionErrorCode.InvalidCalculation,
    );
    const long = '1+'.repeat(MAX_CALCULATION_LENGTH / 2) + '1';
    expect(refusal(long)).toEqual({
      code: TransactionErrorCode.InvalidCalculation,
      position: MAX_CALCULATION_LENGTH + 1,
    });
    expect(paise(long.slice(2))).toBe(BigInt(MAX_CALCULATION_LENGTH / 2) * 100n);
    expect(paise('999999999999.999999')).toBe(100000000000000n);
  });

  it('totals line items exactly', () => {
    const total = itemsTotal([
      { name: 'Rice', quantity: 2, unit_price: 45 },
      { name: 'Sugar', quantity: 0.125, unit_price: 44.5 },
      { name: 'Salt', quantity: 3, unit_price: 0.1 },
    ]);
    expect(total).toEqual(fraction(958625n, 10000n));
    expect(toPaise(total)).toBe(9000n + 556n + 30n);
  });
});

// ---------------------------------------------------------------------------------------------------
// Property tests against an independent oracle: expressions are generated as trees, rendered to text
// with the fewest brackets their precedence needs (and sometimes more), and evaluated by the oracle on
// the tree with its own unreduced fractions. The parser must read the text back to the same value, or
// refuse it with the error the rules give.

type Tree =
  | { k: 'num'; text: string }
  | { k: 'neg'; a: Tree }
  | { k: 'pct'; a: Tree }
  | { k: 'group'; a: Tree }
  | { k: 'bin'; op: '+' | '-' | '*' | '/'; a: Tree; b: Tree };

/** The oracle's numbers: [numerator, denominator], never reduced, denominator never 0. */
type Q = [bigint, bigint];

const decimalText = fc
  .tuple(
    fc.bigInt({ min: 0n, max: 10n ** 6n }),
    fc.option(fc.stringMatching(/^\d{1,4}$/), { nil: undefined }),
    fc.boolean(),
  )
  .map(([whole, frac, bare]) => {
    if (frac === undefined) return String(whole);
    return bare && whole === 0n ? `.${frac}` : `${whole}.${frac}`;
  });

const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: decimalText.map((text): Tree => ({ k: 'num', text })), weight: 5 },
    { arbitrary: tie('t').map((a): Tree => ({ k: 'neg', a })), weight: 1 },
    { arbitrary: tie('t').map((a): Tree => ({ k: 'pct', a })), weight: 1 },
    { arbitrary: tie('t').map((a): Tree => ({ k: 'group', a })), weight: 1 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom('+', '-', '*', '/') as fc.Arbitrary<'+' | '-' | '*' | '/'>, tie('t'), tie('t'))
        .map(([op, a, b]): Tree => ({ k: 'bin', op, a, b })),
      weight: 4,
    },
  ),
})).t;

const precedence = (t: Tree): number =>
  t.k === 'bin' ? (t.op === '+' || t.op === '-' ? 1 : 2) : t.k === 'neg' ? 3 : 4;

/** The text of a tree; `space` picks the spacing around each token. */
function render(t: Tree, space: () => string): string {
  const wrap = (s: string) => `(${space()}${s}${space()})`;
  switch (t.k) {
    case 'num':
      return t.text;
    case 'group':
      return wrap(render(t.a, space));
    case 'neg': {
      const a = render(t.a, space);
      return `-${space()}${precedence(t.a) < 3 ? wrap(a) : a}`;
    }
    case 'pct': {
      const a = render(t.a, space);
      return `${t.a.k === 'num' || t.a.k === 'group' ? a : wrap(a)}${space()}%`;
    }
    case 'bin': {
      const p = precedence(t);
      const a = render(t.a, space);
      const b = render(t.b, space);
      return `${precedence(t.a) < p ? wrap(a) : a}${space()}${t.op}${space()}${precedence(t.b) <= p ? wrap(b) : b}`;
    }
  }
}

/** What the text reads as: the brackets `render` adds become groups (they change what % means). */
function asRead(t: Tree): Tree {
  switch (t.k) {
    case 'num':
      return t;
    case 'group':
    case 'neg':
      return { ...t, a: t.k === 'neg' && precedence(t.a) < 3 ? { k: 'group', a: asRead(t.a) } : asRead(t.a) };
    case 'pct':
      return {
        k: 'pct',
        a: t.a.k === 'num' || t.a.k === 'group' ? asRead(t.a) : { k: 'group', a: asRead(t.a) },
      };
    case 'bin': {
      const p = precedence(t);
      const a = asRead(t.a);
      const b = asRead(t.b);
      return {
        ...t,
        a: precedence(t.a) < p ? { k: 'group', a } : a,
        b: precedence(t.b) <= p ? { k: 'group', a: b } : b,
      };
    }
  }
}

class Refused extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

function oracle(t: Tree): Q {
  switch (t.k) {
    case 'num': {
      const [w, f = ''] = t.text.split('.');
      return [BigInt(`${w}${f}` || '0'), 10n ** BigInt(f.length)];
    }
    case 'group':
      return oracle(t.a);
    case 'neg': {
      const [n, d] = oracle(t.a);
      return [-n, d];
    }
    case 'pct': {
      const [n, d] = oracle(t.a);
      return [n, d * 100n];
    }
    case 'bin': {
      const [an, ad] = oracle(t.a);
      if (t.op === '+' || t.op === '-') {
        const sign = t.op === '+' ? 1n : -1n;
        let percentOperand: Tree = t.b;
        while (percentOperand.k === 'neg') percentOperand = percentOperand.a;
        if (percentOperand.k === 'pct') {
          const [bn, bd] = oracle(t.b);
          // a ± a·b
          return [an * bd + sign * an * bn, ad * bd];
        }
        if (hasLoosePercent(t.b)) throw new Refused(TransactionErrorCode.AmbiguousPercent);
        const [bn, bd] = oracle(t.b);
        return [an * bd + sign * bn * ad, ad * bd];
      }
      const [bn, bd] = oracle(t.b);
      if (t.op === '*') return [an * bn, ad * bd];
      if (bn === 0n) throw new Refused(TransactionErrorCode.DivisionByZero);
      return [an * bd, ad * bn];
    }
  }
}

/** A % reached from a product through products and negations only (not through brackets). */
function hasLoosePercent(t: Tree): boolean {
  if (t.k === 'pct') return true;
  if (t.k === 'neg') return hasLoosePercent(t.a);
  return t.k === 'bin' && (t.op === '*' || t.op === '/') && (hasLoosePercent(t.a) || hasLoosePercent(t.b));
}

const depth = (t: Tree): number =>
  t.k === 'num' ? 0 : t.k === 'bin' ? Math.max(depth(t.a), depth(t.b)) : depth(t.a) + 1;

describe('the calculator against an independent oracle', () => {
  it('reads every generated expression to the oracle’s exact value, or refuses it as the rules say', () => {
    fc.assert(
      fc.property(tree, fc.infiniteStream(fc.constantFrom('', '', ' ', '  ', '\t')), (t, spaces) => {
        const text = render(t, () => spaces.next().value);
        fc.pre(depth(t) < MAX_CALCULATION_DEPTH / 2);
        let expected: Q | Refused;
        try {
          expected = text.length > MAX_CALCULATION_LENGTH ? new Refused('too long') : oracle(asRead(t));
        } catch (err) {
          if (!(err instanceof Refused)) throw err;
          expected = err;
        }
        let actual: Fraction | CalculationError;
        try {
          actual = evaluateCalculation(text);
        } catch (err) {
          if (!(err instanceof CalculationError)) throw err;
          actual = err;
        }
        if (expected instanceof Refused) {
          expect(actual).toBeInstanceOf(CalculationError);
          if (expected.code !== 'too long')
            expect({ text, code: (actual as CalculationError).code }).toEqual({ text, code: expected.code });
          return;
        }
        expect(actual).not.toBeInstanceOf(CalculationError);
        const { n, d } = actual as Fraction;
        expect({ text, cross: n * expected[1] }).toEqual({ text, cross: expected[0] * d });
      }),
      { numRuns: 1000 },
    );
  });

  it('rounds to the nearest paisa, a half away from zero', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        (n, d) => {
          const p = toPaise(fraction(n, d));
          // |100·n/d − p| ≤ 1/2, and exactly 1/2 only when p is the one farther from zero.
          const twiceGap = 2n * (100n * n - p * d);
          const abs = (x: bigint) => (x < 0n ? -x : x);
          expect(abs(twiceGap) <= d).toBe(true);
          if (abs(twiceGap) === d) expect(abs(p) * d > abs(100n * n)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never fails but with a 422 pointing into the text, whatever is typed', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9.+\-*/%() ×÷a]{0,60}$/), (text) => {
        try {
          evaluateCalculation(text);
        } catch (err) {
          expect(err).toBeInstanceOf(CalculationError);
          const { position, status } = err as CalculationError;
          expect(status).toBe(422);
          expect(position).toBeGreaterThanOrEqual(1);
          expect(position).toBeLessThanOrEqual(text.length + 1);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('totals items as the sum of quantity × unit price in exact thousandths of a paisa', () => {
    const item = fc.record({
      name: fc.constant('x'),
      quantity: fc.integer({ min: 1, max: 100_000_000 }).map((q) => q / 1000),
      unit_price: fc.integer({ min: 0, max: 1_000_000_000 }).map((p) => p / 100),
    });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 20 }), (items) => {
        // In units of 1/100000 rupee: quantity in thousandths × price in paise.
        const exact = items.reduce(
          (sum, i) => sum + BigInt(Math.round(i.quantity * 1000)) * BigInt(Math.round(i.unit_price * 100)),
          0n,
        );
        const total = itemsTotal(items);
        expect(total.n * 100000n).toBe(exact * total.d);
      }),
      { numRuns: 300 },
    );
  });
});

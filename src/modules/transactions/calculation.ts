import { DomainError } from '../../common/errors/domain-error.js';
import { TransactionErrorCode, type CodeWithStatus } from '../../common/errors/error-codes.js';

/**
 * The MyManager calculator: a merchant's arithmetic (`2*45 + 3*12.5 - 10`) evaluated exactly, without
 * `eval`. Numbers are decimals; `+ - * /`, parentheses and unary minus as usual; `%` is the shop
 * calculator's percent key:
 *
 * - `b%` on the right of `+` or `-` is a share of what stands on its left: `200 - 10%` is 180,
 *   `1000 + 18%` is 1180 (a discount, a tax);
 * - anywhere else `b%` is b/100: `18% * 500` is 90, `500 * 18%` is 90;
 * - a percent inside a product on the right of `+` or `-` (`100 + 2*10%`) could mean either, so it is
 *   refused, as is a second `%` on one number.
 *
 * Arithmetic is on exact fractions of BigInts; only the final total is rounded, to the paisa, half away
 * from zero. Limits keep the work small: {@link MAX_CALCULATION_LENGTH} characters, nesting (parentheses
 * and unary minus) at most {@link MAX_CALCULATION_DEPTH} deep, and numbers of at most
 * {@link MAX_INTEGER_DIGITS} digits before the point and {@link MAX_FRACTION_DIGITS} after it.
 */

export const MAX_CALCULATION_LENGTH = 500;
export const MAX_CALCULATION_DEPTH = 32;
export const MAX_INTEGER_DIGITS = 12;
export const MAX_FRACTION_DIGITS = 6;

/** An exact rational number: `n / d`, `d > 0`, in lowest terms. */
export interface Fraction {
  readonly n: bigint;
  readonly d: bigint;
}

/** A 422 for a calculation, pointing at the character (1-based `position`) where it went wrong. */
export class CalculationError extends DomainError {
  constructor(
    code: CodeWithStatus<422>,
    readonly position: number,
    message: string,
  ) {
    const detail = `The calculation ${message} (at position ${position}).`;
    super(code, detail, { errors: [{ field: 'calculation', message: detail }], position });
  }
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** `n / d` in lowest terms with a positive denominator; `d` must not be 0. */
export function fraction(n: bigint, d = 1n): Fraction {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

const add = (a: Fraction, b: Fraction) => fraction(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a: Fraction, b: Fraction) => fraction(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a: Fraction, b: Fraction) => fraction(a.n * b.n, a.d * b.d);
const div = (a: Fraction, b: Fraction) => fraction(a.n * b.d, a.d * b.n);
const HUNDREDTH = fraction(1n, 100n);

/** A decimal's exact value (`"12.50"` → 25/2); the text must be digits with at most one point. */
export function decimalFraction(text: string): Fraction {
  const [whole, frac = ''] = text.split('.');
  return fraction(BigInt((whole || '0') + frac), 10n ** BigInt(frac.length));
}

/** Rounds to whole paise (1/100 of the unit), half away from zero. */
export function toPaise(value: Fraction): bigint {
  const scaled = abs(value.n) * 100n;
  const q = scaled / value.d;
  const rounded = 2n * (scaled % value.d) >= value.d ? q + 1n : q;
  return value.n < 0n ? -rounded : rounded;
}

type BinaryOp = '+' | '-' | '*' | '/';

type Node =
  | { kind: 'number'; value: Fraction; at: number }
  | { kind: 'negate'; arg: Node; at: number }
  | { kind: 'percent'; arg: Node; at: number }
  | { kind: 'group'; arg: Node; at: number }
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node; at: number };

const NUMBER = /(\d*)(?:\.(\d*))?/y;
const OPERATOR_ALIASES: Record<string, string> = { '×': '*', '÷': '/', '−': '-' };

/** Recursive descent over the text, with positions kept for the errors. */
class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parse(): Node {
    this.skipSpaces();
    if (this.i >= this.text.length)
      throw new CalculationError(TransactionErrorCode.InvalidCalculation, 1, 'is empty');
    const node = this.expression();
    if (this.i < this.text.length) {
      const c = this.peek();
      throw this.error(
        c === ')' ? 'has a ")" without its "("' : `expects an operator before "${this.text[this.i]}"`,
      );
    }
    return node;
  }

  private expression(): Node {
    return this.leftToRight(['+', '-'], () => this.term());
  }

  private term(): Node {
    return this.leftToRight(['*', '/'], () => this.unary());
  }

  /** `operand (op operand)*`, grouped from the left. */
  private leftToRight(ops: readonly BinaryOp[], operand: () => Node): Node {
    let left = operand();
    for (let op = this.peek(); ops.includes(op as BinaryOp); op = this.peek()) {
      const at = this.i;
      this.advance();
      left = { kind: 'binary', op: op as BinaryOp, left, right: operand(), at };
    }
    return left;
  }

  private unary(): Node {
    if (this.peek() === '-') {
      const at = this.i;
      this.advance();
      return this.nested(at, () => ({ kind: 'negate', arg: this.unary(), at }));
    }
    return this.postfix();
  }

  private postfix(): Node {
    const arg = this.primary();
    if (this.peek() !== '%') return arg;
    const at = this.i;
    this.advance();
    if (this.peek() === '%') throw this.error('has a second "%" on one number');
    return { kind: 'percent', arg, at };
  }

  private primary(): Node {
    const c = this.peek();
    if (c === '(') {
      const open = this.i;
      this.advance();
      const inner: Node = { kind: 'group', arg: this.nested(open, () => this.expression()), at: open };
      if (this.peek() !== ')') {
        if (this.i >= this.text.length)
          throw new CalculationError(
            TransactionErrorCode.InvalidCalculation,
            open + 1,
            'has a "(" that is never closed',
          );
        throw this.error(`expects ")" or an operator before "${this.text[this.i]}"`);
      }
      this.advance();
      return inner;
    }
    if (c !== undefined && /[\d.]/.test(c)) return this.number();
    if (c === undefined) throw this.error('ends where a number is expected');
    throw this.error(`expects a number before "${this.text[this.i]}"`);
  }

  private number(): Node {
    const at = this.i;
    NUMBER.lastIndex = at;
    const [literal, whole, frac] = NUMBER.exec(this.text)!;
    this.i += literal.length;
    if (frac === '' || literal === '')
      throw new CalculationError(
        TransactionErrorCode.InvalidCalculation,
        at + 1,
        'has a decimal point without digits after it',
      );
    if (/^\d/.test(this.text[this.i] ?? '') || this.text[this.i] === '.')
      throw this.error('has a number with more than one decimal point');
    if (
      whole.replace(/^0+(?=\d)/, '').length > MAX_INTEGER_DIGITS ||
      (frac ?? '').length > MAX_FRACTION_DIGITS
    )
      throw new CalculationError(
        TransactionErrorCode.InvalidCalculation,
        at + 1,
        `has a number longer than ${MAX_INTEGER_DIGITS} digits before the point or ${MAX_FRACTION_DIGITS} after it`,
      );
    this.skipSpaces();
    return { kind: 'number', value: decimalFraction(literal), at };
  }

  /** Parses one level deeper (a bracket or a unary minus opened at `at`), within the depth limit. */
  private nested(at: number, parse: () => Node): Node {
    if (++this.depth > MAX_CALCULATION_DEPTH)
      throw new CalculationError(
        TransactionErrorCode.InvalidCalculation,
        at + 1,
        `is nested more than ${MAX_CALCULATION_DEPTH} levels deep`,
      );
    const node = parse();
    this.depth -= 1;
    return node;
  }

  /** The operator or bracket at the cursor (aliases mapped), or undefined at the end. */
  private peek(): string | undefined {
    const c = this.text[this.i];
    return c === undefined ? undefined : (OPERATOR_ALIASES[c] ?? c);
  }

  private advance(): void {
    this.i += 1;
    this.skipSpaces();
  }

  private skipSpaces(): void {
    while (/\s/.test(this.text[this.i] ?? '')) this.i += 1;
  }

  private error(message: string): CalculationError {
    return new CalculationError(TransactionErrorCode.InvalidCalculation, this.i + 1, message);
  }
}

/** A percent as the whole operand (under any unary minus): the `b%` of `a + b%`. */
const isPercentOperand = (node: Node): boolean =>
  node.kind === 'percent' || (node.kind === 'negate' && isPercentOperand(node.arg));

/** The first percent inside a product (brackets make their own value), for the ambiguity rule. */
function percentInProduct(node: Node): Node | undefined {
  if (node.kind === 'percent') return node;
  if (node.kind === 'negate') return percentInProduct(node.arg);
  if (node.kind === 'binary' && (node.op === '*' || node.op === '/'))
    return percentInProduct(node.left) ?? percentInProduct(node.right);
  return undefined;
}

function evaluate(node: Node): Fraction {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'group':
      return evaluate(node.arg);
    case 'negate':
      return mul(fraction(-1n), evaluate(node.arg));
    case 'percent':
      return mul(evaluate(node.arg), HUNDREDTH);
    case 'binary': {
      const left = evaluate(node.left);
      if (node.op === '+' || node.op === '-') {
        if (isPercentOperand(node.right)) {
          const share = mul(left, evaluate(node.right));
          return node.op === '+' ? add(left, share) : sub(left, share);
        }
        const hidden = percentInProduct(node.right);
        if (hidden)
          throw new CalculationError(
            TransactionErrorCode.AmbiguousPercent,
            hidden.at + 1,
            `has a "%" inside a product after "${node.op}", which could be a share of the total or a plain ` +
              `hundredth; write it as "a ${node.op} b%" or multiply by the decimal`,
          );
        const right = evaluate(node.right);
        return node.op === '+' ? add(left, right) : sub(left, right);
      }
      const right = evaluate(node.right);
      if (node.op === '*') return mul(left, right);
      if (right.n === 0n)
        throw new CalculationError(TransactionErrorCode.DivisionByZero, node.at + 1, 'divides by zero');
      return div(left, right);
    }
  }
}

/** The exact value of a calculation; a {@link CalculationError} (422) for anything it cannot take. */
export function evaluateCalculation(text: string): Fraction {
  if (text.length > MAX_CALCULATION_LENGTH)
    throw new CalculationError(
      TransactionErrorCode.InvalidCalculation,
      MAX_CALCULATION_LENGTH + 1,
      `is longer than ${MAX_CALCULATION_LENGTH} characters`,
    );
  return evaluate(new Parser(text).parse());
}

/** One line of a bill: its quantity and unit price as exact decimals (JSON numbers). */
export interface LineItem {
  name: string;
  quantity: number;
  unit_price: number;
}

/** The exact value of a JSON number that has no exponent part (checked by the DTO). */
export const numberFraction = (value: number): Fraction => decimalFraction(String(value));

/** Σ quantity × unit price, exactly. */
export function itemsTotal(items: readonly LineItem[]): Fraction {
  return items.reduce(
    (sum, item) => add(sum, mul(numberFraction(item.quantity), numberFraction(item.unit_price))),
    fraction(0n),
  );
}

/** Paise as a rupee sentence fragment: `11750n` → `₹117.50`, `-5n` → `-₹0.05`. */
export function rupeesText(paise: bigint): string {
  const a = abs(paise);
  return `${paise < 0n ? '-' : ''}₹${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

import fc from 'fast-check';
import type { OpenApiDocument, Parameter, Schema } from './openapi.js';
import { resolveSchema } from './openapi.js';

/** What the fuzzer sends: a JSON value, or raw text under some content type. */
export type Payload =
  | { kind: 'json'; value: unknown; note: string }
  | { kind: 'raw'; text: string; contentType: string; note: string };

/** Strings that have broken servers before: NUL, lone surrogates, injections, number-ish text. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0627\u0644',
  '😀👩‍👩‍👧‍👦𝕏',
  'हिन्दी',
  '\r\n\t',
  "'; DROP TABLE merchants; --",
  '" OR "1"="1',
  '\\',
  '$(reboot)',
  '{{7*7}}',
  '${7*7}',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '%00',
  '0',
  '-1',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '0x1f',
  '١٢٣',
  '2026-02-30T25:61:61Z',
  '+275760-09-13T00:00:00.000Z',
  '20261124T043000Z',
];

const NASTY_NUMBERS = [
  0,
  -0,
  -1,
  0.001,
  0.005,
  1.005,
  12.345,
  -0.01,
  1e-7,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53 + 2,
  -(2 ** 53),
  1e21,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  99_999_999.99,
  100_000_000.01,
];

/** Keys that try to reach an object's prototype or smuggle privileges. */
export const POLLUTING_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'isAdmin',
  'role',
  'id',
  'merchant_id',
];

/** Sets an own enumerable property, even `__proto__` (which an assignment would treat as the prototype). */
export function withOwn(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(target)) Object.defineProperty(copy, k, own(target[k]));
  Object.defineProperty(copy, key, own(value));
  return copy;
}
const own = (value: unknown): PropertyDescriptor => ({
  value,
  enumerable: true,
  writable: true,
  configurable: true,
});

/** `depth` levels of arrays or objects around a value. */
function nested(depth: number, asObject: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
  return v;
}

/** A `__proto__` / `constructor.prototype` payload, as JSON.parse would build it from text. */
const pollution = fc.constantFrom(
  JSON.parse('{"__proto__": {"isAdmin": true, "role": "admin"}}') as unknown,
  JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}') as unknown,
  JSON.parse('{"__proto__": {"toString": "x", "valueOf": 1}}') as unknown,
);

/** Any value of any type: the wrong type for most fields. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...NASTY_STRINGS),
  fc.constantFrom<unknown>(...NASTY_NUMBERS),
  fc.constantFrom<unknown>(null, true, false, [], {}, [null], ['paid'], { $gt: '' }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1_000, 20_000, 200_000).map((n) => 'x'.repeat(n)),
  fc.constantFrom(1_000, 20_000).map((n) => '9'.repeat(n)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.boolean()).map(([d, o]) => nested(d, o)),
  pollution,
);

/** A value that fits the schema's type and bounds, with hostile contents where the type allows. */
export function fromSchema(
  doc: OpenApiDocument,
  schema: Schema | undefined,
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = resolveSchema(doc, schema);
  if (!s || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  let arb: fc.Arbitrary<unknown>;
  if (s.enum?.length)
    arb = fc.oneof(
      fc.constantFrom(...s.enum),
      fc.constantFrom(...s.enum).map((v) => (typeof v === 'string' ? ` ${v.toUpperCase()} ` : v)),
    );
  else if (s.type === 'string' && s.format === 'uuid')
    arb = fc.oneof(fc.uuid(), fc.constantFrom(...NASTY_STRINGS));
  else if (s.type === 'string')
    arb = fc.oneof(
      s.example !== undefined ? fc.constant(s.example) : fc.constant('text'),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string({ unit: 'binary', minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 60, 200) }),
      fc.constantFrom(...NASTY_STRINGS),
    );
  else if (s.type === 'number' || s.type === 'integer') {
    const min = s.minimum ?? -1e6;
    const max = s.maximum ?? 1e9;
    arb = fc.oneof(
      fc.integer({ min: Math.ceil(min), max: Math.floor(max) }),
      fc.double({ min, max, noNaN: true }),
      fc.constantFrom(...NASTY_NUMBERS),
    );
  } else if (s.type === 'boolean') arb = fc.boolean();
  else if (s.type === 'array') arb = fc.array(fromSchema(doc, s.items, depth + 1), { maxLength: 4 });
  else if (s.properties) {
    const props = Object.fromEntries(
      Object.entries(s.properties).map(([k, v]) => [k, fromSchema(doc, v, depth + 1)]),
    );
    arb = fc.record(props, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
  } else arb = s.example !== undefined ? fc.oneof(fc.constant(s.example), junk) : junk;
  return s.nullable ? fc.oneof(arb, fc.constant(null)) : arb;
}

/**
 * Bodies for one route: its valid body with one field wrong, several fields from the schema, a field
 * missing, an extra or prototype-polluting key, a body of another JSON type, and malformed JSON text.
 */
export function bodyPayloads(
  doc: OpenApiDocument,
  schema: Schema | undefined,
  base: Record<string, unknown>,
): fc.Arbitrary<Payload> {
  const s = resolveSchema(doc, schema);
  const keys = [...new Set([...Object.keys(s?.properties ?? {}), ...Object.keys(base)])];
  const key = keys.length ? fc.constantFrom(...keys) : fc.constant('field');
  const json =
    (note: string) =>
    (value: unknown): Payload => ({ kind: 'json', value, note });
  const baseText = JSON.stringify(base);
  const dateKeys = Object.entries(s?.properties ?? {})
    .filter(([, p]) => typeof p.example === 'string' && /^\d{4}-\d{2}-\d{2}/.test(p.example))
    .map(([k]) => k);
  return fc.oneof(
    fc.tuple(key, junk).map(([k, v]) => json(`field ${k} replaced`)(withOwn(base, k, v))),
    key.map((k) => json(`field ${k} null`)(withOwn(base, k, null))),
    ...(dateKeys.length
      ? [
          fc
            .tuple(fc.constantFrom(...dateKeys), dateLike)
            .map(([k, v]) => json(`date field ${k}`)(withOwn(base, k, v))),
        ]
      : []),
    fc.tuple(fc.subarray(keys), fromSchema(doc, s)).map(([ks, generated]) => {
      let body: Record<string, unknown> = { ...base };
      const g = (generated && typeof generated === 'object' ? generated : {}) as Record<string, unknown>;
      for (const k of ks) body = withOwn(body, k, g[k]);
      return json(`fields ${ks.join(',')} from the schema`)(body);
    }),
    key.map((k) => {
      const body = { ...base };
      delete body[k];
      return json(`field ${k} missing`)(body);
    }),
    fc
      .tuple(fc.oneof(fc.constantFrom(...POLLUTING_KEYS), fc.string({ maxLength: 12 })), junk)
      .map(([k, v]) => json(`extra key ${JSON.stringify(k)}`)(withOwn(base, k, v))),
    fc.oneof(junk, fc.jsonValue()).map(json('a body of another shape')),
    fc
      .oneof(
        fc.nat({ max: Math.max(0, baseText.length - 1) }).map((n) => baseText.slice(0, n)),
        fc.constantFrom(
          `${baseText},`,
          `${baseText}}`,
          baseText.replace(/"/g, "'"),
          `{"a":1,}`,
          '{"amount": 1e999999}',
          '{"amount": -}',
          '\ufeff{}',
          `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
          '{"__proto__": {"polluted": true}, "__proto__": 1}',
          'null',
          '"just a string"',
          '',
        ),
        fc.string({ unit: 'binary', maxLength: 80 }),
      )
      .map((text): Payload => ({
        kind: 'raw',
        text,
        contentType: 'application/json',
        note: 'malformed JSON text',
      })),
    fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
        'application/xml',
        'multipart/form-data; boundary=x',
      )
      .map((contentType): Payload => ({
        kind: 'raw',
        text: baseText,
        contentType,
        note: `as ${contentType}`,
      })),
  );
}

/** Text a date or instant field must refuse or read correctly: other ISO 8601 forms, impossible dates, extreme years. */
export const DATE_LIKE = [
  '20261124',
  '20261124T043000Z',
  '2026W48',
  '2026-W48-2',
  '2026-328',
  '2026-13-01',
  '2026-02-29',
  '2026-11-24T24:00:00Z',
  '2026-11-24T04:30:00+14:00',
  '2026-11-24T04:30:00-12:00',
  '2026-11-24T04:30:00.123456789Z',
  '2026-11-24 04:30:00',
  '0000-01-01',
  '1969-12-31T23:59:59Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  'Tue, 24 Nov 2026 04:30:00 GMT',
];
const dateLike = fc.oneof(
  fc.constantFrom(...DATE_LIKE),
  fc
    .date({ noInvalidDate: true, min: new Date(-8.64e15), max: new Date(8.64e15) })
    .map((d) => d.toISOString()),
);
const looksLikeDate = (p: Parameter) =>
  p.schema?.format === 'date' ||
  p.schema?.format === 'date-time' ||
  (typeof p.schema?.example === 'string' && /^\d{4}-\d{2}-\d{2}/.test(p.schema.example));

/** Query strings for one route: documented params with hostile values, repeats, brackets and strangers. */
export function queryPayloads(
  params: Parameter[],
  base: Record<string, string>,
): fc.Arbitrary<[string, string][]> {
  const names = [
    ...new Set([...params.filter((p) => p.in === 'query').map((p) => p.name), ...Object.keys(base)]),
  ];
  const name = names.length ? fc.constantFrom(...names) : fc.constant('q');
  const hostile = fc.oneof(
    fc.constantFrom(...NASTY_STRINGS),
    fc.constantFrom(...NASTY_NUMBERS).map(String),
    fc.constantFrom('9'.repeat(40), '-9'.repeat(20), 'x'.repeat(3000), '1.5', '1e3', ' 7', '7 ', '+7', '0b1'),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.integer().map(String),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  );
  const entries = Object.entries(base);
  // Each documented parameter also gets values aimed at its own type (dates for date fields).
  const typed = params
    .filter((p) => p.in === 'query')
    .map((p) =>
      (looksLikeDate(p) ? dateLike : p.schema?.enum?.length ? enumLike(p.schema.enum) : hostile).map(
        (v) => [p.name, v] as [string, string],
      ),
    );
  return fc.oneof(
    ...(typed.length
      ? [
          fc
            .oneof(...typed)
            .map(([n, v]) => [...entries.filter(([k]) => k !== n), [n, v]] as [string, string][]),
        ]
      : []),
    fc
      .tuple(name, hostile)
      .map(([n, v]) => [...entries.filter(([k]) => k !== n), [n, v]] as [string, string][]),
    fc.tuple(name, hostile, hostile).map(([n, a, b]) => [...entries, [n, a], [n, b]] as [string, string][]),
    fc
      .tuple(name, fc.constantFrom('[a]', '[]', '[0]', '[__proto__]', '.x'), hostile)
      .map(([n, suffix, v]) => [...entries, [`${n}${suffix}`, v]] as [string, string][]),
    fc
      .tuple(fc.oneof(fc.constantFrom(...POLLUTING_KEYS), fc.string({ maxLength: 10 })), hostile)
      .map(([n, v]) => [...entries, [n, v]] as [string, string][]),
    fc.dictionary(name, hostile).map((d) => Object.entries(d)),
    name.map((n) => entries.filter(([k]) => k !== n)),
  );
}

/** An enum's values in other cases and spacing, and near misses. */
function enumLike(values: unknown[]): fc.Arbitrary<string> {
  const strings = values.map(String);
  return fc.oneof(
    fc.constantFrom(...strings).map((v) => v.toUpperCase()),
    fc.constantFrom(...strings).map((v) => ` ${v} `),
    fc.constantFrom(...strings).map((v) => `${v}x`),
    fc.constantFrom(...strings).map((v) => v.replace(/_/g, '-')),
    fc.constant(strings.join(',')),
  );
}

/** Path parameter values that are not a valid id. */
export const hostileIds = fc.oneof(
  fc.constantFrom(
    '0',
    '-1',
    '1.5',
    '1e3',
    '0x10',
    'abc',
    ' 1',
    '9'.repeat(30),
    String(2 ** 31),
    String(2 ** 63),
    String(Number.MAX_SAFE_INTEGER + 2),
    'NaN',
    'null',
    '١',
    '%00',
    '..',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  fc.integer({ min: 1 }).map(String),
);

/** Percent-encodes text; a lone surrogate (not encodable as UTF-8) becomes U+FFFD. */
export function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

/** Builds a query string from pairs (repeats kept, everything percent-encoded). */
export function queryString(pairs: [string, string][]): string {
  const q = pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  return q ? `?${q}` : '';
}

/** Header values a client can send (visible ASCII), hostile to what the header means. */
export const hostileHeaderValues = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'a'.repeat(255),
    'a'.repeat(256),
    'x'.repeat(4000),
    'key with spaces',
    '../../etc/passwd',
    '%00',
    "'; DROP TABLE idempotency_keys; --",
    '__proto__',
    'null',
  ),
  fc.stringMatching(/^[\x20-\x7e]{1,300}$/),
);

/**
 * UPI deep links as NPCI's "UPI Linking Specifications" define them:
 * `upi://pay?pa=<vpa>&pn=<payee name>&am=<amount>&cu=INR&tn=<note>&tr=<reference>`.
 * Pure functions, so the rules are tested without a server.
 */

/** The reference (`tr`) of a bill: `GSB<transaction id>`; payments quoting it are matched to that bill. */
export const billReference = (transactionId: number): string => `GSB${transactionId}`;
/** The reference (`tr`) of a customer account: `GSA<account id>`; payments quoting it go to the account. */
export const accountReference = (accountId: number): string => `GSA${accountId}`;

/** The longest payee name and note we put in a link: UPI apps cut longer ones, sometimes mid-character. */
export const MAX_PAYEE_NAME = 50;
export const MAX_NOTE = 50;

export interface UpiLinkParts {
  /** The payee's VPA, already validated and lower-case. */
  vpa: string;
  payeeName: string;
  /** What to pay, in paise (> 0). */
  amountPaise: number;
  note: string;
  /** `GSB<id>` or `GSA<id>`. */
  reference: string;
}

/**
 * Percent-encodes one query value strictly (RFC 3986): every byte outside the unreserved set
 * `A-Z a-z 0-9 - . _ ~` is escaped, so a space is `%20` (never `+`, which UPI apps would show as a
 * plus), and `&`, `=`, `#`, `+` in a shop's name cannot break the link. `@` stays literal in `pa`,
 * where RFC 3986 allows it and where UPI apps expect it.
 */
export function encodeUpiValue(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Paise as the `am` field wants it: rupees with exactly two decimals (`12345` → `123.45`). */
export function upiAmount(paise: number): string {
  if (!Number.isSafeInteger(paise) || paise <= 0)
    throw new RangeError(`not a positive paise amount: ${paise}`);
  return `${Math.floor(paise / 100)}.${String(paise % 100).padStart(2, '0')}`;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Cuts text to at most `max` characters at a grapheme boundary, so a Hindi name never ends in half a
 * syllable (a consonant without its matra) and an emoji is never split.
 */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  let out = '';
  for (const { segment } of graphemes.segment(flat)) {
    if (out.length + segment.length > max) break;
    out += segment;
  }
  return out.trimEnd();
}

/** The `upi://pay` link for one payment. */
export function buildUpiLink(parts: UpiLinkParts): string {
  const fields: [string, string][] = [
    ['pa', parts.vpa],
    ['pn', clip(parts.payeeName, MAX_PAYEE_NAME)],
    ['am', upiAmount(parts.amountPaise)],
    ['cu', 'INR'],
    ['tn', clip(parts.note, MAX_NOTE)],
    ['tr', parts.reference],
  ];
  const query = fields
    .map(([k, v]) => `${k}=${k === 'pa' ? encodeUpiValue(v).replace(/%40/g, '@') : encodeUpiValue(v)}`)
    .join('&');
  return `upi://pay?${query}`;
}

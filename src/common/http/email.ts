/**
 * The one form of an email address the app stores, compares and counts limits under: Unicode NFKC
 * (full-width and compatibility characters folded to their plain forms), trimmed, lower case.
 */
export function normalizeEmail(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

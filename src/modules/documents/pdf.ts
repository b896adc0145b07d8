import PDFDocument from 'pdfkit';
import type { ShopCard } from '../merchants/merchants.service.js';
import { fonts, scriptRuns, type FontName } from './fonts.js';

export type Pdf = PDFKit.PDFDocument;

/** A new document with the shipped fonts registered and its metadata set; the caller draws and ends it. */
export function newPdf(title: string, size: 'A4' | 'A5'): Pdf {
  const doc = new PDFDocument({
    size,
    margin: size === 'A4' ? 48 : 32,
    info: { Title: title, Producer: 'GraminStore', Creator: 'GraminStore' },
    // The documents carry personal data; pdfkit writes no creation-time randomness otherwise.
    compress: true,
  });
  const files = fonts();
  for (const name of Object.keys(files) as FontName[]) doc.registerFont(name, files[name]);
  doc.font('latin');
  return doc;
}

/** Where the baseline sits below the top of a line, as a share of the font size (Noto Sans' ascender). */
const BASELINE = 1.069;

export interface TextStyle {
  size?: number;
  bold?: boolean;
  color?: string;
  width?: number;
  align?: 'left' | 'right' | 'center';
}

/**
 * Writes one line of text that may mix Latin and Devanagari at (x, y), each run in a font that has its
 * glyphs; a line too long for `width` is cut with an ellipsis rather than wrapped over the next row.
 */
export function line(doc: Pdf, text: string, x: number, y: number, style: TextStyle = {}): void {
  const { size = 10, bold = false, color = '#111111', width, align = 'left' } = style;
  doc.fontSize(size).fillColor(color);
  const runs = scriptRuns(text);
  if (runs.length === 0) return;
  // Mixed runs can only be laid out left to right; a right-aligned or centred cell is numbers or Latin.
  // The two fonts have different ascenders: every run is placed on one shared alphabetic baseline.
  const options = {
    width,
    align,
    lineBreak: false,
    ellipsis: width !== undefined,
    height: size * 1.6,
    baseline: 'alphabetic' as const,
  };
  y += size * BASELINE;
  runs.forEach((run, i) => {
    const font = run.script === 'devanagari' ? 'devanagari' : 'latin';
    doc.font(bold ? `${font}Bold` : font);
    const continued = i < runs.length - 1;
    if (i === 0) doc.text(run.text, x, y, { ...options, continued });
    else doc.text(run.text, { continued });
  });
}

/** A horizontal rule across the page's writable width. */
export function rule(doc: Pdf, y: number, color = '#cccccc'): void {
  doc
    .moveTo(doc.page.margins.left, y)
    .lineTo(doc.page.width - doc.page.margins.right, y)
    .lineWidth(0.5)
    .strokeColor(color)
    .stroke();
}

const RUPEES = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Paise as a person reads rupees in India: `₹1,23,456.50` (lakh grouping), negative with a minus. */
export function rupees(paise: number): string {
  const text = RUPEES.format(Math.abs(paise) / 100);
  return `${paise < 0 ? '-' : ''}₹${text}`;
}

/** A balance as a shopkeeper says it: what is due, or what the customer has paid ahead. */
export function balance(paise: number): string {
  if (paise === 0) return '₹0.00';
  return paise > 0 ? `${rupees(paise)} due` : `${rupees(-paise)} advance`;
}

/** A date and time in the shop's zone, e.g. `2 Dec 2026, 10:15 am`. */
export function localDateTime(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-IN', {
    timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(instant);
}

/** A date in the shop's zone, e.g. `2 Dec 2026`. */
export function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-IN', {
    timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  }).format(instant);
}

/** The part of the shop's card a receipt or a statement shows (its header, and its zone for dates). */
export type DocumentShop = Pick<
  ShopCard,
  'business_name' | 'phone' | 'address' | 'city' | 'state' | 'zip_code' | 'timezone'
>;

/**
 * The shop's name (in `size` points), address and phone across the page from `y`, then a rule; returns
 * the y of the rule.
 */
export function shopHeader(doc: Pdf, shop: DocumentShop, y: number, size: number): number {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  line(doc, shop.business_name, left, y, { size, bold: true, width });
  y += size + 8;
  for (const l of [...addressLines(shop), `Phone ${shop.phone}`]) {
    line(doc, l, left, y, { size: 9, color: '#444444', width });
    y += 13;
  }
  y += 6;
  rule(doc, y);
  return y;
}

/** The shop's address as lines (empty parts left out). */
export function addressLines(shop: {
  address: string | null;
  city: string | null;
  state: string | null;
  zip_code: string | null;
}): string[] {
  const place = [shop.city, shop.state].filter(Boolean).join(', ');
  const lines = [shop.address, [place, shop.zip_code].filter(Boolean).join(' ')];
  return lines.filter((l): l is string => !!l && l.trim() !== '');
}

import {
  balance,
  line,
  localDate,
  newPdf,
  rule,
  rupees,
  shopHeader,
  type DocumentShop,
  type Pdf,
} from './pdf.js';

/** One ledger line of a statement: its signed effect on the balance and the running balance after it. */
export interface StatementEntry {
  occurred_at: Date;
  description: string;
  /** Positive: the customer owes more (a credit sale); negative: a payment or a reversal. */
  amount_paise: number;
  balance_paise: number;
}

/** Credit given and payments received in one calendar month of the shop's zone, for the bar chart. */
export interface StatementMonth {
  /** `YYYY-MM`. */
  month: string;
  credit_paise: number;
  payments_paise: number;
}

/** Everything a statement shows; built by `DocumentsService`, drawn by `renderStatement`. */
export interface StatementModel {
  shop: DocumentShop;
  customer: { name: string; phone: string | null };
  /** The period: null `from` is the start of the account. */
  from: Date | null;
  to: Date;
  /** Balance before the first entry, and after the last (positive: due; negative: advance). */
  opening_balance_paise: number;
  closing_balance_paise: number;
  entries: StatementEntry[];
  /** The last months, oldest first (the chart shows up to 6). */
  months: StatementMonth[];
}

const CREDIT_COLOUR = '#d9822b';
const PAYMENT_COLOUR = '#2b8a3e';
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function monthLabel(month: string): string {
  const [year, m] = month.split('-');
  return `${MONTH_NAMES[Number(m) - 1]} ${year.slice(2)}`;
}

/** The bar chart: credit and payments side by side per month, scaled to the largest bar. */
function drawChart(doc: Pdf, months: StatementMonth[], x: number, y: number, width: number): number {
  const shown = months.slice(-6);
  const height = 90;
  line(doc, 'Last 6 months', x, y, { size: 10, bold: true });
  const legend: [string, string, number][] = [
    ['Credit given', CREDIT_COLOUR, x + width - 200],
    ['Payments received', PAYMENT_COLOUR, x + width - 110],
  ];
  for (const [label, colour, lx] of legend) {
    doc.rect(lx, y + 2, 7, 7).fill(colour);
    line(doc, label, lx + 10, y, { size: 8, color: colour });
  }
  const top = y + 18;
  const base = top + height;
  const max = Math.max(1, ...shown.flatMap((m) => [m.credit_paise, m.payments_paise]));
  const slot = width / Math.max(1, shown.length);
  const bar = Math.min(22, slot / 3);
  shown.forEach((m, i) => {
    const cx = x + slot * i + slot / 2;
    const bars: [number, string][] = [
      [m.credit_paise, CREDIT_COLOUR],
      [m.payments_paise, PAYMENT_COLOUR],
    ];
    bars.forEach(([value, colour], j) => {
      const h = (value / max) * height;
      const bx = cx - bar + j * bar;
      if (h > 0) doc.rect(bx, base - h, bar - 2, h).fill(colour);
    });
    line(doc, monthLabel(m.month), cx - slot / 2, base + 4, { size: 8, width: slot, align: 'center' });
  });
  doc
    .moveTo(x, base)
    .lineTo(x + width, base)
    .lineWidth(0.5)
    .strokeColor('#999999')
    .stroke();
  line(doc, `Largest bar ${rupees(max === 1 ? 0 : max)}`, x, base + 18, { size: 7, color: '#666666' });
  return base + 34;
}

/**
 * Draws a customer's statement (A4): the shop and the customer, the period in the shop's zone, the
 * opening and closing balances, a bar chart of the last six months' credit and payments, and the ledger
 * with its running balance, over as many pages as it needs. Returns the ended document (a stream).
 */
export function renderStatement(model: StatementModel): Pdf {
  const { shop } = model;
  const zone = shop.timezone;
  const doc = newPdf(`Statement — ${model.customer.name} — ${shop.business_name}`, 'A4');
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = doc.page.height - doc.page.margins.bottom;
  let y = doc.page.margins.top;

  y = shopHeader(doc, shop, y, 18) + 12;

  line(doc, 'Statement of account', left, y, { size: 14, bold: true });
  y += 22;
  line(doc, `Customer: ${model.customer.name}`, left, y, { size: 11, width: width * 0.6 });
  const period = `${model.from ? localDate(model.from, zone) : 'Opening'} – ${localDate(model.to, zone)}`;
  line(doc, period, left, y, { size: 10, width, align: 'right' });
  y += 16;
  if (model.customer.phone)
    line(doc, `Phone ${model.customer.phone}`, left, y, { size: 9, color: '#444444' });
  line(doc, `Dates in ${zone}`, left, y, { size: 8, color: '#666666', width, align: 'right' });
  y += 22;

  const credit = model.entries.reduce((s, e) => s + Math.max(0, e.amount_paise), 0);
  const paid = model.entries.reduce((s, e) => s + Math.max(0, -e.amount_paise), 0);
  const summary: [string, string][] = [
    ['Opening balance', balance(model.opening_balance_paise)],
    ['Credit given', rupees(credit)],
    ['Payments and reversals', rupees(paid)],
    ['Closing balance', balance(model.closing_balance_paise)],
  ];
  const cell = width / summary.length;
  summary.forEach(([label, value], i) => {
    line(doc, label, left + cell * i, y, { size: 8, color: '#666666', width: cell - 6 });
    line(doc, value, left + cell * i, y + 12, { size: 11, bold: true, width: cell - 6 });
  });
  y += 40;

  if (model.months.length) y = drawChart(doc, model.months, left, y, width) + 6;

  const cols = { date: left, text: left + 70, amount: left + width * 0.62, balance: left + width * 0.8 };
  const header = () => {
    line(doc, 'Date', cols.date, y, { size: 9, bold: true });
    line(doc, 'Details', cols.text, y, { size: 9, bold: true });
    line(doc, 'Amount', cols.amount, y, { size: 9, bold: true, width: width * 0.17, align: 'right' });
    line(doc, 'Balance', cols.balance, y, { size: 9, bold: true, width: width * 0.2, align: 'right' });
    y += 14;
    rule(doc, y - 2, '#e0e0e0');
  };
  header();
  const row = (date: string, text: string, amount: string, bal: string, bold = false) => {
    if (y > bottom - 30) {
      doc.addPage();
      y = doc.page.margins.top;
      header();
    }
    line(doc, date, cols.date, y, { size: 9, bold });
    line(doc, text, cols.text, y, { size: 9, bold, width: cols.amount - cols.text - 8 });
    line(doc, amount, cols.amount, y, { size: 9, bold, width: width * 0.17, align: 'right' });
    line(doc, bal, cols.balance, y, { size: 9, bold, width: width * 0.2, align: 'right' });
    y += 14;
  };
  row(
    model.from ? localDate(model.from, zone) : '',
    'Opening balance',
    '',
    balance(model.opening_balance_paise),
    true,
  );
  for (const e of model.entries) {
    const amount = e.amount_paise >= 0 ? `+${rupees(e.amount_paise)}` : `-${rupees(-e.amount_paise)}`;
    row(localDate(e.occurred_at, zone), e.description, amount, balance(e.balance_paise));
  }
  if (model.entries.length === 0) row('', 'No entries in this period', '', '');
  rule(doc, y);
  y += 4;
  row(localDate(model.to, zone), 'Closing balance', '', balance(model.closing_balance_paise), true);

  doc.end();
  return doc;
}

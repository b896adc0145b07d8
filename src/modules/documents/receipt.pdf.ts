import {
  balance,
  line,
  localDateTime,
  newPdf,
  rule,
  rupees,
  shopHeader,
  type DocumentShop,
  type Pdf,
} from './pdf.js';
import { itemsTotal, toPaise } from '../transactions/calculation.js';

/** One line of a sale as the calculator records it (when the sale carries items). */
export interface ReceiptItem {
  name: string;
  quantity: number | string;
  /** Rupees for one unit, as the sale's items carry it. */
  unit_price: number | string;
}

/** Everything a receipt shows; built by `DocumentsService`, drawn by `renderReceipt`. */
export interface ReceiptModel {
  shop: DocumentShop;
  sale: {
    id: number;
    occurred_at: Date;
    description: string | null;
    amount_paise: number;
    paid_paise: number;
    payment_method: string | null;
    items?: ReceiptItem[];
  };
  /** The buyer's name, when a registered customer bought; a guest sale has none. */
  customer: string | null;
  /** The UPI payment for what is due, when something is due and the shop has a UPI address. */
  upi: { qr_png: Buffer; amount_paise: number; vpa: string; reference: string } | null;
}

/** The line total of an item in paise, exactly as the sale's total was computed (calculation.ts). */
function itemTotalPaise(item: ReceiptItem): number {
  const line = { name: item.name, quantity: Number(item.quantity), unit_price: Number(item.unit_price) };
  return Number(toPaise(itemsTotal([line])));
}

function quantityText(q: number | string): string {
  const n = Number(q);
  return Number.isFinite(n) ? String(Number(n.toFixed(3))) : String(q);
}

/**
 * Draws a sale's receipt (A5): the shop, the bill number and its date in the shop's zone, the items
 * when the sale has them, total, paid and due, and the UPI QR code while something is due. The
 * returned document is a stream, already ended: pipe it to the response.
 */
export function renderReceipt(model: ReceiptModel): Pdf {
  const { shop, sale } = model;
  const doc = newPdf(`Receipt ${sale.id} — ${shop.business_name}`, 'A5');
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  let y = doc.page.margins.top;

  y = shopHeader(doc, shop, y, 16) + 10;

  line(doc, `Receipt — Bill ${sale.id}`, left, y, { size: 12, bold: true });
  line(doc, localDateTime(sale.occurred_at, shop.timezone), left, y + 2, { size: 9, width, align: 'right' });
  y += 18;
  line(doc, `Time zone ${shop.timezone}`, left, y, { size: 8, color: '#666666', width, align: 'right' });
  if (model.customer) line(doc, `Customer: ${model.customer}`, left, y, { size: 10, width: width * 0.65 });
  y += 16;
  if (sale.description) {
    line(doc, sale.description, left, y, { size: 9, color: '#444444', width });
    y += 14;
  }

  if (sale.items?.length) {
    y += 4;
    const cols = { qty: left + width * 0.55, rate: left + width * 0.68, amount: left + width * 0.82 };
    const colWidth = width * 0.18;
    line(doc, 'Item', left, y, { size: 9, bold: true });
    line(doc, 'Qty', cols.qty, y, { size: 9, bold: true, width: width * 0.12, align: 'right' });
    line(doc, 'Rate', cols.rate, y, { size: 9, bold: true, width: width * 0.14, align: 'right' });
    line(doc, 'Amount', cols.amount, y, { size: 9, bold: true, width: colWidth, align: 'right' });
    y += 14;
    rule(doc, y - 2, '#e0e0e0');
    for (const item of sale.items) {
      if (y > doc.page.height - doc.page.margins.bottom - 160) {
        doc.addPage();
        y = doc.page.margins.top;
      }
      line(doc, item.name, left, y, { size: 9, width: width * 0.54 });
      line(doc, quantityText(item.quantity), cols.qty, y, { size: 9, width: width * 0.12, align: 'right' });
      line(doc, rupees(Math.round(Number(item.unit_price) * 100)), cols.rate, y, {
        size: 9,
        width: width * 0.14,
        align: 'right',
      });
      line(doc, rupees(itemTotalPaise(item)), cols.amount, y, { size: 9, width: colWidth, align: 'right' });
      y += 14;
    }
    y += 4;
  }

  rule(doc, y);
  y += 8;
  const due = sale.amount_paise - sale.paid_paise;
  const totals: [string, string, boolean][] = [
    ['Total', rupees(sale.amount_paise), true],
    [
      `Paid${sale.payment_method ? ` (${sale.payment_method.replace('_', ' ')})` : ''}`,
      rupees(sale.paid_paise),
      false,
    ],
    ['Due', due > 0 ? rupees(due) : '₹0.00 — paid in full', true],
  ];
  for (const [label, value, bold] of totals) {
    line(doc, label, left + width * 0.4, y, { size: 11, bold });
    line(doc, value, left + width * 0.4, y, { size: 11, bold, width: width * 0.6, align: 'right' });
    y += 17;
  }

  if (model.upi) {
    y += 10;
    const size = 120;
    if (y + size > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    doc.image(model.upi.qr_png, left, y, { width: size, height: size });
    const textX = left + size + 12;
    const textWidth = width - size - 12;
    line(doc, `Scan to pay ${rupees(model.upi.amount_paise)}`, textX, y + 20, {
      size: 12,
      bold: true,
      width: textWidth,
    });
    line(doc, 'with any UPI app', textX, y + 38, { size: 10, width: textWidth });
    line(doc, `UPI: ${model.upi.vpa}`, textX, y + 60, { size: 9, color: '#444444', width: textWidth });
    line(doc, `Reference: ${model.upi.reference}`, textX, y + 74, {
      size: 9,
      color: '#444444',
      width: textWidth,
    });
  } else if (due > 0) {
    line(doc, `Balance due: ${balance(due)}`, left, y + 6, { size: 9, color: '#444444', width });
  }

  line(doc, 'Thank you for shopping with us.', left, doc.page.height - doc.page.margins.bottom - 12, {
    size: 8,
    color: '#666666',
    width,
    align: 'center',
  });
  doc.end();
  return doc;
}

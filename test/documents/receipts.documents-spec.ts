import { PNG } from 'pngjs';
import jsqr from 'jsqr';
import { renderStatement, type StatementModel } from '../../src/modules/documents/statement.pdf.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { getBinary } from '../support/documents.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import { createSale } from '../support/sales.js';
import { pdfPages, pdfText, renderPage1, savePdf } from './poppler.js';

const jsQR = jsqr.default;

/** Every QR code's text found on a rendered page (the reader finds one at a time: found ones are blanked). */
function qrOnPage(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// Hindi names whose every vowel sign follows its consonant in the text stream: pdftotext writes a
// pre-base matra (ि) before its consonant, as drawn, so such names would not compare as typed.
const SHOP = 'गणेश भंडार';
const CUSTOMER = 'सुरेश कुमार';

describe('what the receipts say (pdftotext, pdftoppm)', () => {
  let t: TestApp;
  let merchant: Account;
  let customer: Account;

  beforeAll(async () => {
    t = await createTestApp();
    [merchant, customer] = await Promise.all([
      registerMerchant(t, {
        business_name: SHOP,
        address: '12, मुख्य बाज़ार',
        city: 'Nashik',
        timezone: 'Asia/Kolkata',
      }),
      registerUser(t, { name: CUSTOMER }),
    ]);
    await t.http
      .put('/api/v2/auth/profile/merchant')
      .set(merchant.auth)
      .send({ upi_vpa: 'ganesh.bhandar@okaxis', upi_payee_name: 'Ganesh Bhandar' })
      .expect(200);
  });
  afterAll(() => t.close());

  it('a part-paid bill: shop and customer in Hindi, local date, total, paid, due, and a QR code of the link', async () => {
    const sale = await createSale(t, merchant, {
      user_id: customer.id,
      amount: 1234.56,
      type: 'pay_later',
      description: 'Monthly ration',
      occurred_at: '2026-11-30T20:45:00Z',
    });
    await t.http
      .post(`/api/v2/transactions/${sale.id}/settle`)
      .set(merchant.auth)
      .send({ amount: 234.56, payment_method: 'cash' })
      .expect(200);
    const { link } = (await t.http.get(`/api/v2/transactions/${sale.id}/upi`).set(customer.auth)).body;

    const res = await getBinary(t, `/api/v2/transactions/${sale.id}/receipt.pdf`, customer.auth);
    expect(res.status).toBe(200);
    const path = savePdf(`receipt-${sale.id}`, res.body);
    const text = pdfText(path);
    expect(text).toContain(SHOP);
    expect(text).toContain(`Customer: ${CUSTOMER}`);
    expect(text).toContain('Nashik');
    expect(text).toContain(`Bill ${sale.id}`);
    // 20:45 UTC on 30 November is 02:15 on 1 December in the shop's zone.
    expect(text).toContain('1 Dec 2026, 2:15 am');
    expect(text).toMatch(/Total\s+₹1,234\.56/);
    // A bill settled later carries no payment method of its own: the line is just "Paid".
    expect(text).toMatch(/Paid\s+₹234\.56/);
    expect(text).toMatch(/Due\s+₹1,000\.00/);
    expect(text).toContain('Scan to pay ₹1,000.00');
    expect(text).toContain(`Reference: GSB${sale.id}`);
    expect(pdfPages(path)).toBe(1);
    expect(qrOnPage(renderPage1(path))).toBe(link);
  });

  it('a paid sale: paid in full, no QR code', async () => {
    const sale = await createSale(t, merchant, {
      user_id: customer.id,
      amount: 80,
      type: 'paid',
      payment_method: 'upi',
    });
    const res = await getBinary(t, `/api/v2/transactions/${sale.id}/receipt.pdf`, merchant.auth);
    const path = savePdf(`receipt-${sale.id}-paid`, res.body);
    const text = pdfText(path);
    expect(text).toMatch(/Paid \(upi\)\s+₹80\.00/);
    expect(text).toContain('paid in full');
    expect(text).not.toContain('Scan to pay');
    expect(qrOnPage(renderPage1(path))).toBeNull();
  });

  it('a statement over HTTP: the customer’s Hindi name, the ledger with running balance, opening and closing', async () => {
    const buyer = await registerUser(t, { name: CUSTOMER });
    const sale = await createSale(t, merchant, { user_id: buyer.id, amount: 1234.56, type: 'pay_later' });
    await t.http
      .post(`/api/v2/transactions/${sale.id}/settle`)
      .set(merchant.auth)
      .send({ amount: 234.56, payment_method: 'upi' })
      .expect(200);
    const { rows } = await t.db.query<{ id: number }>(
      `SELECT id::int FROM customer_accounts WHERE merchant_id = $1 AND user_id = $2`,
      [merchant.id, buyer.id],
    );
    const res = await getBinary(t, `/api/v2/customers/${rows[0].id}/statement.pdf`, merchant.auth);
    expect(res.status).toBe(200);
    const path = savePdf(`statement-${rows[0].id}`, res.body);
    const text = pdfText(path);
    expect(text).toContain(SHOP);
    expect(text).toContain(`Customer: ${CUSTOMER}`);
    expect(text).toMatch(/Opening balance\s+₹0\.00/);
    expect(text).toMatch(new RegExp(`Credit sale, bill ${sale.id}\\s+\\+₹1,234\\.56\\s+₹1,234\\.56 due`));
    expect(text).toMatch(/-₹234\.56\s+₹1,000\.00 due/);
    expect(text).toMatch(/Closing balance\s+₹1,000\.00 due/);
    renderPage1(path);
    const mine = await getBinary(t, `/api/v2/me/shops/${merchant.id}/statement.pdf`, buyer.auth);
    expect(pdfText(savePdf(`statement-${rows[0].id}-customer`, mine.body))).toMatch(
      /Closing balance\s+₹1,000\.00 due/,
    );
  });
});

describe('what a statement says (renderer)', () => {
  const month = (m: string, credit: number, payments: number) => ({
    month: m,
    credit_paise: credit,
    payments_paise: payments,
  });
  const model = (entries: number): StatementModel => {
    let balance = 50_000;
    const rows = Array.from({ length: entries }, (_, i) => {
      const amount = i % 3 === 2 ? -30_000 : 12_345;
      balance += amount;
      return {
        occurred_at: new Date(Date.UTC(2026, 9, 1, 6, i)),
        description: amount > 0 ? `Credit sale, bill ${1000 + i}` : 'Payment (upi)',
        amount_paise: amount,
        balance_paise: balance,
      };
    });
    return {
      shop: {
        business_name: SHOP,
        phone: '+919812345678',
        address: null,
        city: 'Nashik',
        state: null,
        zip_code: null,
        timezone: 'Asia/Kolkata',
      },
      customer: { name: CUSTOMER, phone: '+919800000001' },
      from: new Date('2026-09-30T18:30:00Z'),
      to: new Date('2026-12-01T18:30:00Z'),
      opening_balance_paise: 50_000,
      closing_balance_paise: balance,
      entries: rows,
      months: [
        month('2026-07', 0, 0),
        month('2026-08', 10_000, 0),
        month('2026-09', 0, 5_000),
        month('2026-10', 500_000, 200_000),
        month('2026-11', 0, 0),
        month('2026-12', 0, 0),
      ],
    };
  };

  it('names, period in the shop’s zone, opening and closing balances, running balance, the chart’s months', async () => {
    const m = model(5);
    const path = savePdf('statement-short', await collect(renderStatement(m)));
    const text = pdfText(path);
    expect(text).toContain(SHOP);
    expect(text).toContain(`Customer: ${CUSTOMER}`);
    expect(text).toContain('1 Oct 2026 – 2 Dec 2026');
    expect(text).toMatch(/Opening balance\s+₹500\.00 due/);
    // 500 + 123.45 + 123.45 - 300 + 123.45 + 123.45 = 693.80
    expect(text).toMatch(/Closing balance\s+₹693\.80 due/);
    expect(text).toMatch(/Payment \(upi\)\s+-₹300\.00\s+₹446\.90 due/);
    for (const label of ['Jul 26', 'Aug 26', 'Sep 26', 'Oct 26', 'Nov 26', 'Dec 26'])
      expect(text).toContain(label);
    renderPage1(path);
  });

  it('an advance shows as such, and a long ledger runs over pages with its header repeated', async () => {
    const m = model(90);
    const path = savePdf('statement-long', await collect(renderStatement(m)));
    const text = pdfText(path);
    expect(m.closing_balance_paise).toBeLessThan(0);
    expect(text).toContain(`Closing balance`);
    // 500 + 30 × (123.45 + 123.45 - 300) = -1,093.00: paid ahead.
    expect(m.closing_balance_paise).toBe(-109_300);
    expect(text).toMatch(/Closing balance\s+₹1,093\.00 advance/);
    expect(pdfPages(path)).toBeGreaterThan(1);
    expect(text.match(/Date\s+Details\s+Amount\s+Balance/g)?.length).toBe(pdfPages(path));
  });
});

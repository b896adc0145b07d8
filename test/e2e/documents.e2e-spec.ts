import { createTestApp, type TestApp } from '../support/app.js';
import { getBinary } from '../support/documents.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';
import { createSale } from '../support/sales.js';

/**
 * PDF receipts over HTTP: who may fetch them, the headers, and that a PDF comes back. What the PDF
 * says (amounts, Hindi names, the QR code) is read back with poppler in `npm run test:documents`.
 */
describe('PDF receipts (e2e)', () => {
  let t: TestApp;
  let merchant: Account;
  let customer: Account;

  beforeAll(async () => {
    t = await createTestApp();
    [merchant, customer] = await Promise.all([
      registerMerchant(t, { business_name: 'गणेश भंडार', address: '12, मुख्य बाज़ार' }),
      registerUser(t, { name: 'सुरेश कुमार' }),
    ]);
    await t.http
      .put('/api/v2/auth/profile/merchant')
      .set(merchant.auth)
      .send({ upi_vpa: 'ganesh.bhandar@okaxis' })
      .expect(200);
  });
  afterAll(() => t.close());

  const receipt = (id: number, who: Account) =>
    getBinary(t, `/api/v2/transactions/${id}/receipt.pdf`, who.auth);

  function expectPdf(res: Awaited<ReturnType<typeof receipt>>, id: number): Buffer {
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="receipt-${id}.pdf"`);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);
    return pdf;
  }

  it('serves a due bill’s receipt (with its QR code) to the merchant and to the customer who bought', async () => {
    const due = await createSale(t, merchant, { user_id: customer.id, amount: 1234.56, type: 'pay_later' });
    const paid = await createSale(t, merchant, { user_id: customer.id, amount: 1234.56, type: 'paid' });
    const sizes: Record<string, number> = {};
    for (const who of [merchant, customer]) {
      sizes.due = expectPdf(await receipt(due.id, who), due.id).length;
      sizes.paid = expectPdf(await receipt(paid.id, who), paid.id).length;
    }
    // Embedded font subsets (Latin and Devanagari) make any receipt a few kilobytes; the QR image of the
    // due bill adds more. Bounded above so a whole font never ends up embedded.
    expect(sizes.paid).toBeGreaterThan(5_000);
    expect(sizes.due).toBeGreaterThan(sizes.paid);
    expect(sizes.due).toBeLessThan(400_000);
  });

  it('serves a guest sale’s receipt to its merchant', async () => {
    const sale = await createSale(t, merchant, { is_guest_transaction: true, amount: 99, type: 'pay_later' });
    expectPdf(await receipt(sale.id, merchant), sale.id);
  });

  it('is a 404 for another merchant and another customer, 401 without a token', async () => {
    const sale = await createSale(t, merchant, { user_id: customer.id, amount: 10, type: 'paid' });
    const [other, stranger] = await Promise.all([registerMerchant(t), registerUser(t)]);
    for (const who of [other, stranger])
      expectProblem(await t.http.get(`/api/v2/transactions/${sale.id}/receipt.pdf`).set(who.auth), 404);
    expect((await t.http.get(`/api/v2/transactions/${sale.id}/receipt.pdf`)).status).toBe(401);
    expectProblem(await t.http.get('/api/v2/transactions/0x1/receipt.pdf').set(merchant.auth), 400);
  });

  describe('statements', () => {
    const accountOf = async (user: Account): Promise<number> =>
      (
        await t.db.query<{ id: number }>(
          `SELECT id::int FROM customer_accounts WHERE merchant_id = $1 AND user_id = $2`,
          [merchant.id, user.id],
        )
      ).rows[0].id;

    function expectStatement(res: Awaited<ReturnType<typeof receipt>>, filename: RegExp): Buffer {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toMatch(filename);
      expect(res.headers['cache-control']).toBe('private, no-store');
      const pdf = res.body as Buffer;
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(5_000);
      return pdf;
    }

    it('serves the account’s statement to the merchant, and the customer’s own at the shop', async () => {
      const buyer = await registerUser(t, { name: 'सुरेश कुमार' });
      const sale = await createSale(t, merchant, { user_id: buyer.id, amount: 500, type: 'pay_later' });
      await t.http
        .post(`/api/v2/transactions/${sale.id}/settle`)
        .set(merchant.auth)
        .send({ amount: 120, payment_method: 'upi' })
        .expect(200);
      const id = await accountOf(buyer);
      const from = '2026-01-01T00:00:00+05:30';
      const shop = await getBinary(
        t,
        `/api/v2/customers/${id}/statement.pdf?from=${encodeURIComponent(from)}`,
        merchant.auth,
      );
      expectStatement(
        shop,
        new RegExp(`^attachment; filename="statement-${id}-2025-12-31-to-\\d{4}-\\d{2}-\\d{2}\\.pdf"$`),
      );
      const mine = await getBinary(t, `/api/v2/me/shops/${merchant.id}/statement.pdf`, buyer.auth);
      expectStatement(
        mine,
        new RegExp(`^attachment; filename="statement-${id}-to-\\d{4}-\\d{2}-\\d{2}\\.pdf"$`),
      );
    });

    it('refuses a bad period with a 422, and others’ accounts with a 404', async () => {
      const buyer = await registerUser(t);
      await createSale(t, merchant, { user_id: buyer.id, amount: 5, type: 'pay_later' });
      const id = await accountOf(buyer);
      const bad = await t.http
        .get(`/api/v2/customers/${id}/statement.pdf`)
        .query({ from: '2026-12-01T00:00:00Z', to: '2026-11-01T00:00:00Z' })
        .set(merchant.auth);
      expectProblem(bad, 422);
      expectProblem(
        await t.http.get(`/api/v2/customers/${id}/statement.pdf?from=yesterday`).set(merchant.auth),
        422,
      );
      const other = await registerMerchant(t);
      expectProblem(await t.http.get(`/api/v2/customers/${id}/statement.pdf`).set(other.auth), 404);
      expectProblem(await t.http.get(`/api/v2/me/shops/${other.id}/statement.pdf`).set(buyer.auth), 404);
    });
  });
});

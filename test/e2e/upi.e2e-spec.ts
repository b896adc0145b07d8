import { createTestApp, type TestApp } from '../support/app.js';
import { decodeQrPng, decodeQrSvg, getBinary, isWellFormedXml } from '../support/documents.js';
import { registerMerchant, registerUser, type Account } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';
import { createSale } from '../support/sales.js';

/** UPI payment links and QR codes of bills, and the merchant's UPI payee in the profile. */
describe('UPI links and QR codes (e2e)', () => {
  let t: TestApp;
  let merchant: Account;
  let customer: Account;

  beforeAll(async () => {
    t = await createTestApp();
    [merchant, customer] = await Promise.all([
      registerMerchant(t, { business_name: 'Sharma & Sons Kirana' }),
      registerUser(t),
    ]);
    const res = await t.http
      .put('/api/v2/auth/profile/merchant')
      .set(merchant.auth)
      .send({ upi_vpa: ' Sharma.Kirana@OKSBI ', upi_payee_name: 'Sharma & Sons' });
    expect(res.status).toBe(200);
  });
  afterAll(() => t.close());

  const bill = (amount: number, m = merchant) =>
    createSale(t, m, { user_id: customer.id, amount, type: 'pay_later' }) as Promise<{ id: number }>;

  describe('the merchant profile', () => {
    it('stores the VPA lower-case and shows it with the payee name in v2, not in v1', async () => {
      const v2 = await t.http.get('/api/v2/auth/profile/merchant').set(merchant.auth);
      expect(v2.body).toMatchObject({ upi_vpa: 'sharma.kirana@oksbi', upi_payee_name: 'Sharma & Sons' });
      const v1 = await t.http.get('/api/v1/auth/profile/merchant').set(merchant.auth);
      expect(v1.status).toBe(200);
      expect(v1.body).not.toHaveProperty('upi_vpa');
      expect(v1.body).not.toHaveProperty('upi_payee_name');
    });

    it('v1 ignores UPI fields in a profile change', async () => {
      const m = await registerMerchant(t);
      const res = await t.http
        .put('/api/v1/auth/profile/merchant')
        .set(m.auth)
        .send({ upi_vpa: 'a.b@oksbi', city: 'Nashik' });
      expect(res.status).toBe(200);
      const v2 = await t.http.get('/api/v2/auth/profile/merchant').set(m.auth);
      expect(v2.body).toMatchObject({ city: 'Nashik', upi_vpa: null });
    });

    it.each([['ravi'], ['ravi@ok5bi'], ['ravi kirana@oksbi'], ['r@oksbi'], [42]])(
      'refuses the VPA %p with a 422 naming the field',
      async (upi_vpa) => {
        const res = await t.http.put('/api/v2/auth/profile/merchant').set(merchant.auth).send({ upi_vpa });
        expectProblem(res, 422);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'upi_vpa' })]);
      },
    );

    it('takes null to remove the VPA (and with it the links)', async () => {
      const m = await registerMerchant(t);
      const put = (body: object) => t.http.put('/api/v2/auth/profile/merchant').set(m.auth).send(body);
      expect((await put({ upi_vpa: 'shop@ybl' })).body.upi_vpa).toBe('shop@ybl');
      const sale = await bill(10, m);
      expect((await t.http.get(`/api/v2/transactions/${sale.id}/upi`).set(m.auth)).status).toBe(200);
      expect((await put({ upi_vpa: null })).body.upi_vpa).toBeNull();
      const res = await t.http.get(`/api/v2/transactions/${sale.id}/upi`).set(m.auth);
      expectProblem(res, 409);
      expect(res.body.code).toBe('upi-not-set-up');
    });
  });

  describe('GET /transactions/{id}/upi', () => {
    it('builds the NPCI link for what is due, for the merchant and for the customer who bought', async () => {
      const sale = await bill(250.5);
      const expected = {
        link:
          `upi://pay?pa=sharma.kirana@oksbi&pn=Sharma%20%26%20Sons&am=250.50&cu=INR` +
          `&tn=Bill%20${sale.id}%20Sharma%20%26%20Sons%20Kirana&tr=GSB${sale.id}`,
        amount: 250.5,
        amount_paise: 25050,
        reference: `GSB${sale.id}`,
        payee_vpa: 'sharma.kirana@oksbi',
        payee_name: 'Sharma & Sons',
        note: `Bill ${sale.id} Sharma & Sons Kirana`,
        qr_png_url: `/api/v2/transactions/${sale.id}/upi.png`,
        qr_svg_url: `/api/v2/transactions/${sale.id}/upi.svg`,
      };
      for (const who of [merchant, customer]) {
        const res = await t.http.get(`/api/v2/transactions/${sale.id}/upi`).set(who.auth);
        expect(res.status).toBe(200);
        expect(res.body).toEqual(expected);
        expect(res.headers['cache-control']).toBe('private, no-store');
      }
    });

    it('asks only for what is still due after a part payment', async () => {
      const sale = await bill(100);
      await t.http
        .post(`/api/v2/transactions/${sale.id}/settle`)
        .set(merchant.auth)
        .send({ amount: 40.25, payment_method: 'cash' })
        .expect(200);
      const res = await t.http.get(`/api/v2/transactions/${sale.id}/upi`).set(customer.auth);
      expect(res.body).toMatchObject({ amount: 59.75, amount_paise: 5975 });
      expect(res.body.link).toContain('&am=59.75&');
    });

    it('is a 409 nothing-due for a paid sale and a fully settled bill', async () => {
      const paid = await createSale(t, merchant, { user_id: customer.id, amount: 30, type: 'paid' });
      const settled = await bill(20);
      await t.http
        .post(`/api/v2/transactions/${settled.id}/settle`)
        .set(merchant.auth)
        .send({ payment_method: 'upi' })
        .expect(200);
      for (const id of [paid.id, settled.id]) {
        for (const suffix of ['upi', 'upi.png', 'upi.svg']) {
          const res = await t.http.get(`/api/v2/transactions/${id}/${suffix}`).set(merchant.auth);
          expectProblem(res, 409);
          expect(res.body.code).toBe('nothing-due');
        }
      }
    });

    it('is a 409 upi-not-set-up while the shop has no VPA', async () => {
      const m = await registerMerchant(t);
      const sale = await bill(10, m);
      const res = await t.http.get(`/api/v2/transactions/${sale.id}/upi`).set(customer.auth);
      expectProblem(res, 409);
      expect(res.body.code).toBe('upi-not-set-up');
      expect(res.body.detail).toMatch(/UPI address/);
    });

    it('is a 404 for another merchant and another customer, a 400 for a malformed id', async () => {
      const sale = await bill(10);
      const [other, stranger] = await Promise.all([registerMerchant(t), registerUser(t)]);
      for (const who of [other, stranger])
        for (const suffix of ['upi', 'upi.png', 'upi.svg'])
          expectProblem(await t.http.get(`/api/v2/transactions/${sale.id}/${suffix}`).set(who.auth), 404);
      expectProblem(await t.http.get('/api/v2/transactions/1e3/upi').set(merchant.auth), 400);
      expect((await t.http.get(`/api/v2/transactions/${sale.id}/upi`)).status).toBe(401);
    });
  });

  describe('the QR code images', () => {
    it('the PNG decodes back to the link', async () => {
      const sale = await bill(1234.56);
      const { link } = (await t.http.get(`/api/v2/transactions/${sale.id}/upi`).set(customer.auth)).body;
      const res = await getBinary(t, `/api/v2/transactions/${sale.id}/upi.png`, customer.auth);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['cache-control']).toBe('private, no-store');
      expect(res.headers['content-disposition']).toBe(`inline; filename="upi-bill-${sale.id}.png"`);
      const png = res.body as Buffer;
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(decodeQrPng(png)).toBe(link);
    });

    it('the SVG is a well-formed SVG document whose modules decode back to the link', async () => {
      const sale = await bill(75);
      const { link } = (await t.http.get(`/api/v2/transactions/${sale.id}/upi`).set(merchant.auth)).body;
      const res = await getBinary(t, `/api/v2/transactions/${sale.id}/upi.svg`, merchant.auth);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const svg = (res.body as Buffer).toString('utf8');
      expect(svg).toMatch(
        /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
      );
      expect(isWellFormedXml(svg)).toBe(true);
      expect(decodeQrSvg(svg)).toBe(link);
    });

    it('the reader really reads: another bill’s code is another link', async () => {
      const [a, b] = [await bill(5), await bill(6)];
      const png = (id: number) =>
        getBinary(t, `/api/v2/transactions/${id}/upi.png`, merchant.auth).then((r) => decodeQrPng(r.body));
      const [la, lb] = [await png(a.id), await png(b.id)];
      expect(la).toContain(`tr=GSB${a.id}`);
      expect(lb).toContain(`tr=GSB${b.id}`);
      expect(la).not.toBe(lb);
    });
  });

  describe('a customer account: GET /customers/{id}/upi and GET /me/shops/{merchant_id}/upi', () => {
    const accountOf = async (m: Account, user: Account): Promise<number> =>
      (
        await t.db.query<{ id: number }>(
          `SELECT id::int FROM customer_accounts WHERE merchant_id = $1 AND user_id = $2`,
          [m.id, user.id],
        )
      ).rows[0].id;

    it('asks for the whole due with reference GSA<account id>, the same link for the shop and the customer', async () => {
      const [m, buyer] = [merchant, await registerUser(t)];
      await createSale(t, m, { user_id: buyer.id, amount: 100, type: 'pay_later' });
      await createSale(t, m, { user_id: buyer.id, amount: 50.25, type: 'pay_later' });
      const id = await accountOf(m, buyer);
      const shop = await t.http.get(`/api/v2/customers/${id}/upi`).set(m.auth);
      expect(shop.status).toBe(200);
      expect(shop.body).toMatchObject({
        amount: 150.25,
        amount_paise: 15025,
        reference: `GSA${id}`,
        qr_png_url: `/api/v2/customers/${id}/upi.png`,
        qr_svg_url: `/api/v2/customers/${id}/upi.svg`,
      });
      expect(shop.body.link).toBe(
        `upi://pay?pa=sharma.kirana@oksbi&pn=Sharma%20%26%20Sons&am=150.25&cu=INR` +
          `&tn=Dues%20Sharma%20%26%20Sons%20Kirana&tr=GSA${id}`,
      );
      const mine = await t.http.get(`/api/v2/me/shops/${m.id}/upi`).set(buyer.auth);
      expect(mine.status).toBe(200);
      expect(mine.body).toMatchObject({
        link: shop.body.link,
        qr_png_url: `/api/v2/me/shops/${m.id}/upi.png`,
      });
      const png = await getBinary(t, `/api/v2/customers/${id}/upi.png`, m.auth);
      expect(decodeQrPng(png.body)).toBe(shop.body.link);
      const myPng = await getBinary(t, `/api/v2/me/shops/${m.id}/upi.png`, buyer.auth);
      expect(decodeQrPng(myPng.body)).toBe(shop.body.link);
      const svg = await getBinary(t, `/api/v2/me/shops/${m.id}/upi.svg`, buyer.auth);
      expect(decodeQrSvg(svg.body.toString('utf8'))).toBe(shop.body.link);
    });

    it('is a 409 nothing-due when the account is settled, and 404 for another merchant or shop', async () => {
      const buyer = await registerUser(t);
      const sale = await createSale(t, merchant, { user_id: buyer.id, amount: 20, type: 'pay_later' });
      const id = await accountOf(merchant, buyer);
      await t.http
        .post(`/api/v2/transactions/${sale.id}/settle`)
        .set(merchant.auth)
        .send({ payment_method: 'cash' })
        .expect(200);
      const res = await t.http.get(`/api/v2/customers/${id}/upi`).set(merchant.auth);
      expectProblem(res, 409);
      expect(res.body.code).toBe('nothing-due');
      expectProblem(await t.http.get(`/api/v2/me/shops/${merchant.id}/upi.png`).set(buyer.auth), 409);
      const other = await registerMerchant(t);
      expectProblem(await t.http.get(`/api/v2/customers/${id}/upi`).set(other.auth), 404);
      expectProblem(await t.http.get(`/api/v2/me/shops/${other.id}/upi`).set(buyer.auth), 404);
      expect((await t.http.get(`/api/v2/customers/${id}/upi`).set(buyer.auth)).status).toBe(403);
      expect((await t.http.get(`/api/v2/me/shops/${merchant.id}/upi`).set(merchant.auth)).status).toBe(403);
    });
  });
});

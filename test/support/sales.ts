import type { TestApp } from './app.js';
import type { Account } from './factories.js';

/** Records a sale through the API and returns the response body (throws unless 201). */
export async function createSale(t: TestApp, merchant: Account, body: Record<string, unknown>) {
  const res = await t.http.post('/api/v2/transactions/create').set(merchant.auth).send(body);
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

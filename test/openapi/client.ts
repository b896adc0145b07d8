// A small client written against the types openapi-typescript generates from /docs-json: what a PWA
// developer writes. It is only compiled (tsc --strict): a field without a type, a lost enum or a
// wrong shape in the document breaks the build here.
import type { components, paths } from './generated/api.js';

type Schemas = components['schemas'];
type Json<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer B } } };
}
  ? B
  : never;
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody: { content: { 'application/json': infer B } };
}
  ? B
  : never;
type Problem = Schemas['ProblemDto'];

const BASE = 'http://localhost:8001';

async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) {
    const problem = (await res.json()) as Problem;
    throw new Error(`${problem.status} ${problem.title}: ${problem.detail}`);
  }
  return (await res.json()) as T;
}

export async function login(email: string, password: string): Promise<Schemas['TokenResponseDto']> {
  const body: Body<'/api/v2/auth/login/merchant', 'post'> = { email, password };
  const token = await call<Json<'/api/v2/auth/login/merchant', 'post', 200>>(
    'POST',
    '/api/v2/auth/login/merchant',
    body,
  );
  const role: Schemas['UserType'] = token.user_type;
  const id: number = token.user_id;
  console.log(`signed in as ${role} ${id}`);
  return token;
}

export async function recordSale(token: string, customer: number): Promise<number> {
  const sale: Body<'/api/v2/transactions/create', 'post'> = {
    user_id: customer,
    amount: 120.5,
    type: 'pay_later',
    payment_method: null,
    description: 'Rice 5kg',
  };
  const created = await call<Json<'/api/v2/transactions/create', 'post', 201>>(
    'POST',
    '/api/v2/transactions/create',
    sale,
    token,
  );
  const status: Schemas['TransactionStatus'] = created.status;
  const method: Schemas['PaymentMethod'] | null | undefined = created.payment_method;
  const paise: number = created.amount_paise;
  console.log(`sale ${created.id}: ${status}, ${method ?? 'no method'}, ${paise} paise`);
  return created.id;
}

export async function dashboard(token: string): Promise<void> {
  const board = await call<Json<'/api/v2/dashboard/merchant', 'get', 200>>(
    'GET',
    '/api/v2/dashboard/merchant',
    undefined,
    token,
  );
  const total: number = board.total_sales_paise;
  const pending: number = board.total_pending_paise;
  console.log(`sales ${total} paise, pending ${pending} paise`);
}

export async function main(): Promise<void> {
  const { access_token } = await login('merchant123@example.com', 'merchant123');
  await recordSale(access_token, 1);
  await dashboard(access_token);
}

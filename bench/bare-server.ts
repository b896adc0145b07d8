/**
 * The floor under our framework: a bare `node:http` + `pg` server answering
 * `POST /api/v2/transactions/create` with the same SQL as the API, in one transaction on a `pg.Pool` of
 * the same size: the sale with its khata account entry, then an advance held on the account applied
 * to it (it calls the API's own `TransactionsRepository.insertSale` and `AccountsService.onSale` over
 * its own connection, so the statements cannot drift), and the same response body (`toTransactionDto`).
 *
 * JWT verification is INCLUDED (HS256 with node:crypto, expiry and claims checked): the merchant id comes
 * from the token, as in the API. Left out are everything a framework adds: routing, guards, the
 * validation pipe and DTO classes, the problem+json filter, helmet, CORS, request ids, metrics, events.
 *
 * Environment: DATABASE_URL, PORT, POOL_SIZE, JWT_SECRET.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import type { TransactionalConnection } from '../src/database/transactional-connection.js';
import { AccountsRepository } from '../src/modules/khata/accounts.repository.js';
import { AccountsService } from '../src/modules/khata/accounts.service.js';
import { toTransactionDto } from '../src/modules/transactions/transaction.mapper.js';
import {
  TransactionsRepository,
  type NewSale,
  type TransactionRow,
} from '../src/modules/transactions/transactions.repository.js';

const secret = process.env.JWT_SECRET ?? '';
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE ?? 20),
  connectionTimeoutMillis: 3000,
  idleTimeoutMillis: 30000,
  statement_timeout: 30000,
  application_name: 'graminstore-bare',
});

/** One pooled connection as the repositories see a connection (DataSource.query's result shapes). */
function connectionOf(client: pg.PoolClient): TransactionalConnection {
  return {
    query: async (sql: string, params?: unknown[]) => {
      const raw = await client.query(sql, params);
      return raw.command === 'UPDATE' || raw.command === 'DELETE' ? [raw.rows, raw.rowCount] : raw.rows;
    },
  } as unknown as TransactionalConnection;
}

/** The sale and its account entry in one transaction, statement for statement as the API's create. */
async function recordSale(sale: NewSale): Promise<TransactionRow | undefined> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const connection = connectionOf(client);
    const bills = new TransactionsRepository(connection);
    // Only the account and bill repositories are used by onSale.
    const accounts = new AccountsService(
      connection,
      new AccountsRepository(connection),
      bills,
      ...([undefined, undefined, undefined, undefined] as unknown as [never, never, never, never]),
    );
    await client.query('START TRANSACTION');
    try {
      const row = await bills.insertSale(sale);
      const onAccount = row && (await accounts.onSale(row));
      await client.query('COMMIT');
      return onAccount;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    }
  } finally {
    client.release(broken);
  }
}

const b64 = (s: string) => Buffer.from(s, 'base64url');

/** The merchant id of a valid HS256 access token, or undefined. */
function merchantOf(authorization: string | undefined): number | undefined {
  if (!authorization?.startsWith('Bearer ')) return undefined;
  const [header, payload, signature] = authorization.slice(7).split('.');
  if (!header || !payload || !signature) return undefined;
  try {
    if (JSON.parse(b64(header).toString()).alg !== 'HS256') return undefined;
    const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
    const given = b64(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const claims = JSON.parse(b64(payload).toString()) as {
      sub: string;
      role: string;
      typ: string;
      exp: number;
    };
    if (claims.typ !== 'access' || claims.role !== 'merchant' || claims.exp * 1000 <= Date.now())
      return undefined;
    const id = Number(claims.sub);
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
}

async function create(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const merchantId = merchantOf(req.headers.authorization);
  if (!merchantId) return send(res, 401, { detail: 'Not authenticated.' });
  const body = await readJson(req);
  const guest = body.is_guest_transaction === true;
  const type = body.type === 'pay_later' ? 'pay_later' : 'paid';
  const sale: NewSale = {
    merchantId,
    userId: guest ? null : Number(body.user_id),
    guestUserId: null,
    newGuest: guest,
    amountPaise: Math.round(Number(body.amount) * 100),
    type,
    description: null,
    paymentMethod: (body.payment_method as NewSale['paymentMethod']) ?? null,
    referenceNumber: null,
    clientId: null,
    occurredAt: null,
    items: null,
    calculation: null,
  };
  const row = await recordSale(sale);
  if (!row) return send(res, 409, { detail: 'Not inserted.' });
  send(res, 201, { message: 'Transaction created successfully', ...toTransactionDto(row) });
}

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/api/v2/transactions/create')
    create(req, res).catch((err: unknown) => send(res, 500, { detail: String(err) }));
  else if (req.method === 'GET' && req.url === '/health/ready') send(res, 200, { status: 'ok' });
  else send(res, 404, { detail: 'Not found.' });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');

const stop = () => server.close(() => void pool.end().finally(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

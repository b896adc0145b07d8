import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { WebSocket } from 'ws';
import type { TestApp } from './app.js';
import type { Account } from './factories.js';

export type Dashboard = Socket;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Socket.IO dashboard on `/realtime`, the token in the handshake auth (websocket transport). */
export function connectDashboard(
  baseUrl: string,
  token?: string,
  options: Partial<ManagerOptions & SocketOptions> = {},
): Dashboard {
  return io(`${baseUrl}/realtime`, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...options,
  });
}

/** Resolves once connected; rejects with the server's refusal. */
export function connected(socket: Dashboard, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connect within timeout')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Resolves with the server's refusal (connect_error); rejects if the connection was accepted. */
export function refusal(socket: Dashboard): Promise<Error & { data?: { status: number; code: string } }> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('the connection was accepted')));
    socket.once('connect_error', (err) =>
      resolve(err as Error & { data?: { status: number; code: string } }),
    );
  });
}

/** Everything one event source delivered, with a way to wait for what is expected. */
export class Inbox<T = Record<string, unknown>> {
  readonly items: T[] = [];
  private waiters: (() => void)[] = [];

  push(item: T): void {
    this.items.push(item);
    for (const w of this.waiters) w();
  }

  /** Waits until `predicate(items)` holds. */
  async until(predicate: (items: T[]) => boolean, timeoutMs = 5000, what = 'messages'): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.items)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.items)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.waiters = [];
    }
    return this.items;
  }

  /** Waits for the first item matching `match`. */
  async first(match: (item: T) => boolean, timeoutMs = 5000): Promise<T> {
    await this.until((items) => items.some(match), timeoutMs);
    return this.items.find(match)!;
  }
}

/** Collects one Socket.IO event. */
export function collect<T = Record<string, unknown>>(socket: Dashboard, event: string): Inbox<T> {
  const inbox = new Inbox<T>();
  socket.on(event, (payload: T) => inbox.push(payload));
  return inbox;
}

/** Emits with an acknowledgement and resolves with the reply. */
export function request<T = Record<string, unknown>>(
  socket: Dashboard,
  event: string,
  ...args: unknown[]
): Promise<T> {
  return socket.timeout(5000).emitWithAck(event, ...args) as Promise<T>;
}

/**
 * A plain WebSocket on one of the original API's paths (`/api/v1/ws/<path>/<token>`), collecting
 * parsed JSON messages, the close event, and the HTTP status of a refused handshake.
 */
export function openPlain(baseUrl: string, path: string, token: string) {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/ws/${path}/${token}`);
  const inbox = new Inbox<Record<string, unknown>>();
  ws.on('message', (data) => inbox.push(JSON.parse(String(data))));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const refused = new Promise<number>((resolve) =>
    ws.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    }),
  );
  ws.on('error', () => undefined);
  return {
    ws,
    inbox,
    opened,
    closed,
    refused,
    send: (message: unknown) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
  };
}

/** A plain WebSocket on the seed's path. */
export const openLegacy = (baseUrl: string, token: string) =>
  openPlain(baseUrl, 'transaction-history', token);

export interface SaleBody {
  user_id?: number;
  amount: number;
  type: string;
  payment_method?: string;
  description?: string;
  is_guest_transaction?: boolean;
}

/** Records a sale through REST as the merchant; returns the 201 body and when it arrived. */
export async function createSale(t: Pick<TestApp, 'http'>, merchant: Account, body: SaleBody) {
  const res = await t.http.post('/api/v2/transactions/create').set(merchant.auth).send(body);
  const receivedAt = performance.now();
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { body: res.body as Record<string, unknown> & { id: number; seq: number }, receivedAt };
}

/** The 201 body without the seed's confirmation `message`: the transaction DTO events carry. */
export function dtoOf(created: Record<string, unknown>): Record<string, unknown> {
  const { message: _message, possible_duplicate_of: _duplicateOf, ...dto } = created;
  return dto;
}

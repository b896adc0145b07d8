import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReminderDeliveryError, WebhookSender, type OutgoingReminder } from './reminder-sender.js';

const reminder: OutgoingReminder = {
  id: 7,
  merchant_id: 3,
  customer_id: 42,
  phone: '+919876543210',
  language: 'en',
  text: 'Hello Asha',
  whatsapp_url: 'https://wa.me/919876543210?text=Hello%20Asha',
  sms_url: 'sms:+919876543210?body=Hello%20Asha',
  upi_link: null,
  amount_paise: 50000,
};

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A gateway on a free port that answers each request with the next status of `statuses`. */
async function gateway(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)];
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, server };
}

describe('WebhookSender', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  const sleeps: number[] = [];
  const sleep = (ms: number) => {
    sleeps.push(ms);
    return Promise.resolve();
  };

  it('retries after two failures and delivers once, signed, with backoff that doubles', async () => {
    const g = await gateway([500, 503, 200]);
    servers.push(g.server);
    sleeps.length = 0;
    const sender = new WebhookSender({
      url: g.url,
      secret: 'a-shared-secret-of-the-gateway',
      attempts: 5,
      timeoutMs: 2000,
      backoffMs: 100,
      sleep,
    });
    await expect(sender.send(reminder)).resolves.toEqual({ channel: 'webhook', attempts: 3 });
    expect(g.received).toHaveLength(3);
    const [first, , last] = g.received;
    expect(JSON.parse(last.body)).toMatchObject({ type: 'payment_reminder', id: 7, text: 'Hello Asha' });
    const expected = createHmac('sha256', 'a-shared-secret-of-the-gateway').update(last.body).digest('hex');
    expect(last.headers['x-graminstore-signature']).toBe(`sha256=${expected}`);
    expect(first.headers['idempotency-key']).toBe('reminder-7');
    expect(last.headers['idempotency-key']).toBe('reminder-7');
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(100);
    expect(sleeps[0]).toBeLessThan(150);
    expect(sleeps[1]).toBeGreaterThanOrEqual(200);
    expect(sleeps[1]).toBeLessThan(300);
  });

  it('gives up after its attempts when the gateway always fails, saying why', async () => {
    const g = await gateway([500]);
    servers.push(g.server);
    const sender = new WebhookSender({ url: g.url, attempts: 3, timeoutMs: 2000, backoffMs: 1, sleep });
    const err = (await sender.send(reminder).catch((e: unknown) => e)) as ReminderDeliveryError;
    expect(err).toBeInstanceOf(ReminderDeliveryError);
    expect(err.reason).toBe('the gateway answered HTTP 500; gave up after 3 attempts');
    expect(err.attempts).toBe(3);
    expect(g.received).toHaveLength(3);
    expect(g.received[0].headers['x-graminstore-signature']).toBeUndefined();
  });

  it('does not retry a request the gateway refuses (4xx)', async () => {
    const g = await gateway([400]);
    servers.push(g.server);
    const sender = new WebhookSender({ url: g.url, attempts: 3, timeoutMs: 2000, backoffMs: 1, sleep });
    await expect(sender.send(reminder)).rejects.toMatchObject({
      reason: 'the gateway answered HTTP 400',
      attempts: 1,
    });
    expect(g.received).toHaveLength(1);
  });

  it('times out a gateway that does not answer', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    servers.push(hanging);
    const { port } = hanging.address() as AddressInfo;
    const sender = new WebhookSender({
      url: `http://127.0.0.1:${port}/`,
      attempts: 2,
      timeoutMs: 100,
      backoffMs: 1,
      sleep,
    });
    await expect(sender.send(reminder)).rejects.toMatchObject({
      reason: 'the gateway did not answer within 100 ms; gave up after 2 attempts',
    });
    hanging.closeAllConnections();
  });
});

import { createHmac } from 'node:crypto';

/** What a sender is given: the stored reminder with its text and links. */
export interface OutgoingReminder {
  id: number;
  merchant_id: number;
  customer_id: number;
  phone: string | null;
  language: string;
  text: string;
  whatsapp_url: string;
  sms_url: string;
  upi_link: string | null;
  amount_paise: number;
}

/** The outcome of one delivery: how many attempts it took, and the channel that took it. */
export interface SendResult {
  channel: 'recorded' | 'webhook';
  attempts: number;
}

/** A delivery that did not succeed; `reason` is stored with the reminder for the merchant to read. */
export class ReminderDeliveryError extends Error {
  constructor(
    readonly reason: string,
    readonly attempts: number,
  ) {
    super(reason);
  }
}

/**
 * Delivers a reminder. Implementations throw {@link ReminderDeliveryError} when they give up; the
 * caller stores the reminder as `sent` or `failed` accordingly.
 */
export abstract class ReminderSender {
  abstract send(reminder: OutgoingReminder): Promise<SendResult>;
}

/**
 * The default: the reminder is already stored with its WhatsApp and SMS links, and the merchant's
 * app opens them (`GET /api/v2/reminders`). Nothing leaves the server.
 */
export class RecordingSender extends ReminderSender {
  send(): Promise<SendResult> {
    return Promise.resolve({ channel: 'recorded', attempts: 1 });
  }
}

export interface WebhookSenderOptions {
  url: string;
  /** When set, `X-GraminStore-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
  secret?: string;
  attempts: number;
  timeoutMs: number;
  /** The wait before the second attempt; it doubles before each further one. */
  backoffMs: number;
  /** Waits `ms`; replaceable so unit tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Posts each reminder as JSON to an SMS/WhatsApp gateway. A 2xx is a delivery; a network error, a
 * timeout, a 429 or a 5xx is retried with exponential backoff (`backoffMs`, doubled each time, with
 * jitter) up to `attempts`; any other status is final. Every attempt carries the same
 * `Idempotency-Key`, so a gateway that saw an attempt whose answer was lost can drop the repeat.
 */
export class WebhookSender extends ReminderSender {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: WebhookSenderOptions) {
    super();
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(reminder: OutgoingReminder): Promise<SendResult> {
    const body = JSON.stringify({ type: 'payment_reminder', ...reminder });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': `reminder-${reminder.id}`,
    };
    if (this.options.secret)
      headers['x-graminstore-signature'] =
        `sha256=${createHmac('sha256', this.options.secret).update(body).digest('hex')}`;
    let reason = 'not attempted';
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      if (attempt > 1) {
        const base = this.options.backoffMs * 2 ** (attempt - 2);
        await this.sleep(base + Math.floor(Math.random() * (base / 2)));
      }
      try {
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        // Drain the body so the connection is reused or closed, never left open.
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return { channel: 'webhook', attempts: attempt };
        reason = `the gateway answered HTTP ${response.status}`;
        if (response.status !== 429 && response.status < 500)
          throw new ReminderDeliveryError(reason, attempt);
      } catch (err) {
        if (err instanceof ReminderDeliveryError) throw err;
        reason =
          (err as Error).name === 'TimeoutError'
            ? `the gateway did not answer within ${this.options.timeoutMs} ms`
            : `the gateway could not be reached (${(err as Error).message})`;
      }
    }
    throw new ReminderDeliveryError(
      `${reason}; gave up after ${this.options.attempts} attempts`,
      this.options.attempts,
    );
  }
}

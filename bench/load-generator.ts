/**
 * The load generator: a child process of the benchmark that runs `autocannon` programmatically, so
 * the load it generates is not paid for by the server under test (or by the orchestrator). It takes
 * jobs over IPC and answers each with its counts and exact latency percentiles of the 2xx responses.
 *
 * Jobs may overlap (creates while merchants register); each has its own autocannon instance.
 */
import autocannon from 'autocannon';
import { summarize, type LatencySummary } from './support.js';

export interface Shop {
  id: number;
  token: string;
}

interface JobBase {
  url: string;
  connections: number;
  durationSec: number;
  /** Stop after this many requests instead (a warm-up that must reach every merchant). */
  amount?: number;
  /** Requests per second over all connections; unlimited when absent. */
  overallRate?: number;
}

/**
 * Sales as real shops record them: each request carries its own merchant's token; customers buy at a
 * few regular shops each; every fifth sale is a walk-in guest on credit.
 */
export interface CreateJob extends JobBase {
  kind: 'create';
  shops: Shop[];
  users: { first: number; count: number };
}

/** Merchant sign-ups with unique emails and phone numbers (`phoneBase` + a counter). */
export interface RegisterJob extends JobBase {
  kind: 'register';
  tag: string;
  phoneBase: number;
}

export type LoadJob = CreateJob | RegisterJob;

export interface LoadResult extends LatencySummary {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSec: number;
  rps: number;
  statusCodes: Record<string, number>;
  /** The first non-2xx response body, to say what went wrong. */
  firstFailure?: string;
}

export const CREATE_PATH = '/api/v2/transactions/create';
export const REGISTER_PATH = '/api/v2/auth/register/merchant';
/** Every `GUEST_EVERY`-th sale is a guest sale. */
export const GUEST_EVERY = 5;
const SHOPS_PER_CUSTOMER = 3;

/** The body of sale number `n` (deterministic in `n` and `pick`, a number in [0, 1)). */
export function saleFor(
  n: number,
  pick: () => number,
  shops: Shop[],
  users: { first: number; count: number },
): { shop: Shop; body: Record<string, unknown> } {
  const amount = (100 + Math.floor(pick() * 500_000)) / 100;
  const u = Math.floor(pick() * users.count);
  if (n % GUEST_EVERY === GUEST_EVERY - 1) {
    const shop = shops[Math.floor(pick() * shops.length)];
    return { shop, body: { amount, type: 'pay_later', is_guest_transaction: true } };
  }
  // A customer's regular shops: a few fixed ones, so most sales update an existing customer→shop link.
  const k = Math.floor(pick() * SHOPS_PER_CUSTOMER);
  const shop = shops[(u * 31 + k * 7) % shops.length];
  return { shop, body: { user_id: users.first + u, amount, type: 'paid', payment_method: 'upi' } };
}

let sequence = 0;

function requestsFor(job: LoadJob, onFailure: (body: string) => void): autocannon.Request[] {
  if (job.kind === 'create') {
    return [
      {
        method: 'POST',
        path: CREATE_PATH,
        setupRequest: (req) => {
          const { shop, body } = saleFor(sequence++, Math.random, job.shops, job.users);
          return {
            ...req,
            headers: { ...req.headers, authorization: `Bearer ${shop.token}` },
            body: JSON.stringify(body),
          };
        },
        onResponse: (status, body) => {
          if (status >= 300) onFailure(body);
        },
      },
    ];
  }
  return [
    {
      method: 'POST',
      path: REGISTER_PATH,
      setupRequest: (req) => {
        const n = sequence++;
        return {
          ...req,
          body: JSON.stringify({
            name: `Bench Merchant ${n}`,
            email: `bench.${job.tag}.${n}@example.com`,
            phone: `+91${job.phoneBase + n}`,
            password: 'bench-password-123',
            business_name: `Bench Store ${n}`,
            business_type: 'kirana',
            city: 'Pune',
          }),
        };
      },
      onResponse: (status, body) => {
        if (status >= 300) onFailure(body);
      },
    },
  ];
}

export async function runJob(job: LoadJob): Promise<LoadResult> {
  const samples: number[] = [];
  let firstFailure: string | undefined;
  const instance = autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.durationSec,
    amount: job.amount,
    overallRate: job.overallRate,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    requests: requestsFor(job, (body) => (firstFailure ??= body.slice(0, 500))),
    timeout: 30,
  });
  instance.on('response', (_client, statusCode: number, _bytes, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
  });
  const result = await instance;
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {}))
    statusCodes[code] = (stats as { count: number }).count;
  return {
    ...summarize(samples),
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSec: result.duration,
    rps: Math.round((result['2xx'] / result.duration) * 10) / 10,
    statusCodes,
    firstFailure,
  };
}

type Message = { id: number; job: LoadJob };

if (process.send) {
  process.on('message', (message: Message) => {
    runJob(message.job).then(
      (result) => process.send!({ id: message.id, result }),
      (err: unknown) => process.send!({ id: message.id, error: String((err as Error)?.stack ?? err) }),
    );
  });
  // The orchestrator is gone: nothing to generate load for.
  process.on('disconnect', () => process.exit(0));
}

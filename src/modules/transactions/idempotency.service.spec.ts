import { jest } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { fakeRepository } from '../../../test/support/fakes.js';
import { IdempotencyService } from './idempotency.service.js';
import type { IdempotencyRepository } from './transactions.repository.js';

interface StoredResponse {
  request_hash: string;
  response_status: number;
  response_body: unknown;
}

/**
 * The `idempotency_keys` table as the service relies on it: a claim lasts as long as the database
 * transaction that took it, and what a transaction stored exists only once it commits.
 */
class KeyTable {
  readonly committed = new Map<string, StoredResponse>();
  /** The current transaction, found from context as the real repository finds it. */
  private readonly current = new AsyncLocalStorage<object>();
  private readonly claims = new Map<string, object>();
  private readonly pending = new Map<object, Map<string, StoredResponse>>();
  purged = 0;

  readonly repository = fakeRepository<IdempotencyRepository>(
    {
      tryClaim: async (scope, key) => {
        const manager = this.tx();
        const holder = this.claims.get(`${scope} ${key}`);
        if (holder && holder !== manager) return false;
        this.claims.set(`${scope} ${key}`, manager);
        return true;
      },
      find: async (scope, key) =>
        this.pending.get(this.tx())?.get(`${scope} ${key}`) ?? this.committed.get(`${scope} ${key}`),
      store: async (scope, key, hash, status, body) => {
        const manager = this.tx();
        const mine = this.pending.get(manager) ?? new Map<string, StoredResponse>();
        this.pending.set(manager, mine);
        // Stored as jsonb: what comes back is the JSON of the body.
        mine.set(`${scope} ${key}`, {
          request_hash: hash,
          response_status: status,
          response_body: JSON.parse(JSON.stringify(body)),
        });
      },
      purgeExpired: async () => this.purged,
    },
    'IdempotencyRepository',
  );

  private tx(): object {
    const manager = this.current.getStore();
    if (!manager) throw new Error('The idempotency repository was used outside a transaction');
    return manager;
  }

  /** One database transaction: committed when `work` resolves, rolled back when it throws. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const manager = {};
    try {
      const result = await this.current.run(manager, work);
      for (const [id, row] of this.pending.get(manager) ?? []) this.committed.set(id, row);
      return result;
    } finally {
      this.pending.delete(manager);
      for (const [id, holder] of this.claims) if (holder === manager) this.claims.delete(id);
    }
  }
}

describe('IdempotencyService', () => {
  let table: KeyTable;
  let service: IdempotencyService;
  let writes: number;

  beforeEach(() => {
    table = new KeyTable();
    service = new IdempotencyService(table.repository);
    writes = 0;
  });

  const sale = { amount: 25.5, type: 'paid', user_id: 7 };
  const write = async () => ({ body: { id: ++writes, amount: 25.5 }, replayed: false });
  const run = (key: string, request: unknown = sale, scope = 'merchant:3', work: typeof write = write) =>
    table.transaction(() => service.run(scope, key, request, work));

  it('writes once; the same key and body again replays the stored response and writes nothing', async () => {
    expect(await run('key-1')).toEqual({ body: { id: 1, amount: 25.5 }, replayed: false });
    expect(await run('key-1')).toEqual({ body: { id: 1, amount: 25.5 }, replayed: true });
    expect(writes).toBe(1);
  });

  it('treats the same body in another key order, or with undefined fields, as the same request', async () => {
    await run('key-2', { a: 1, b: { c: 2, d: [1, 2] } });
    const again = await run('key-2', { b: { d: [1, 2], c: 2 }, a: 1, e: undefined });
    expect(again.replayed).toBe(true);
    expect(writes).toBe(1);
  });

  it('refuses the same key with another body (422) and writes nothing', async () => {
    await run('key-3');
    await expect(run('key-3', { ...sale, amount: 26 })).rejects.toMatchObject({
      status: 422,
      code: 'idempotency-key-reused',
    });
    // An array in another order is another request.
    await run('key-4', { items: [1, 2] });
    await expect(run('key-4', { items: [2, 1] })).rejects.toMatchObject({ status: 422 });
    expect(writes).toBe(2);
  });

  it('refuses a request while another with the same key is still in flight (409)', async () => {
    let finish!: () => void;
    const slow = run('key-5', sale, 'merchant:3', async () => {
      await new Promise<void>((resolve) => (finish = resolve));
      return write();
    });
    await new Promise((resolve) => setImmediate(resolve));
    await expect(run('key-5')).rejects.toMatchObject({ status: 409, code: 'idempotency-in-flight' });
    finish();
    expect(await slow).toMatchObject({ replayed: false });
    // Once it has finished, the key replays.
    expect(await run('key-5')).toMatchObject({ replayed: true });
    expect(writes).toBe(1);
  });

  it('keeps no key for a write that failed: a retry with the key writes', async () => {
    const failing = async (): Promise<never> => {
      throw new Error('the sale could not be written');
    };
    await expect(run('key-6', sale, 'merchant:3', failing)).rejects.toThrow('could not be written');
    expect(await run('key-6')).toEqual({ body: { id: 1, amount: 25.5 }, replayed: false });
  });

  it('scopes keys to the caller: another merchant’s identical key is its own', async () => {
    await run('shared-key', sale, 'merchant:3');
    expect(await run('shared-key', sale, 'merchant:4')).toMatchObject({ replayed: false });
    expect(writes).toBe(2);
  });

  it.each(['', 'has space', 'semi;colon', 'x'.repeat(256), 'ключ'])(
    'refuses the malformed key %p (422) before claiming it',
    async (key) => {
      await expect(run(key)).rejects.toMatchObject({ status: 422, code: 'invalid-idempotency-key' });
      expect(writes).toBe(0);
    },
  );

  it('accepts keys of letters, digits and . _ : - up to 255 characters', async () => {
    for (const key of ['a', 'A.b_c:d-9', 'k'.repeat(255), '3f1c2a9e-6b7d-4f0e-9a51-0c2b7d4e8f11'])
      expect(await run(key)).toMatchObject({ replayed: false });
  });

  describe('purge (hourly)', () => {
    afterEach(() => jest.useRealTimers());

    it('runs every hour while the module lives', async () => {
      jest.useFakeTimers();
      const purge = jest.spyOn(table.repository, 'purgeExpired');
      service.onModuleInit();
      await jest.advanceTimersByTimeAsync(60 * 60 * 1000);
      expect(purge).toHaveBeenCalledTimes(1);
      service.onModuleDestroy();
      await jest.advanceTimersByTimeAsync(3 * 60 * 60 * 1000);
      expect(purge).toHaveBeenCalledTimes(1);
    });

    it('says how many keys it removed, and survives a failing database', async () => {
      table.purged = 12;
      expect(await service.purge()).toBe(12);
      jest.spyOn(table.repository, 'purgeExpired').mockRejectedValue(new Error('connection refused'));
      expect(await service.purge()).toBe(0);
    });
  });
});

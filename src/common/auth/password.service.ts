import { Injectable, OnModuleDestroy } from '@nestjs/common';
import bcrypt from 'bcryptjs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppConfig } from '../../config/app-config.js';

type Job =
  { op: 'hash'; password: string; rounds: number } | { op: 'compare'; password: string; hash: string };

/**
 * bcryptjs on worker threads. bcrypt is slow on purpose (a few hundred milliseconds of CPU at cost 10)
 * and bcryptjs is plain JavaScript: on the event loop it would hold every other request up for its
 * 100 ms slices while merchants register or anyone logs in. The workers run the same library.
 */
class BcryptWorkers {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private next = 0;
  private id = 0;
  private readonly source: string;

  constructor(private readonly size: number) {
    const library = createRequire(import.meta.url).resolve('bcryptjs');
    this.source = `
      const { parentPort } = require('node:worker_threads');
      const bcrypt = require(${JSON.stringify(library)});
      parentPort.on('message', ({ id, job }) => {
        try {
          const result = job.op === 'hash'
            ? bcrypt.hashSync(job.password, job.rounds)
            : bcrypt.compareSync(job.password, job.hash);
          parentPort.postMessage({ id, result });
        } catch (err) {
          parentPort.postMessage({ id, error: String((err && err.message) || err) });
        }
      });`;
  }

  run<T>(job: Job): Promise<T> {
    const worker = this.worker();
    const id = ++this.id;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  /** Round robin over the workers, started on first use. */
  private worker(): Worker {
    const slot = this.next++ % this.size;
    if (!this.workers[slot]) {
      const worker = new Worker(this.source, { eval: true });
      worker.unref(); // never keeps the process alive
      worker.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
        const waiter = this.pending.get(id);
        this.pending.delete(id);
        if (error !== undefined) waiter?.reject(new Error(error));
        else waiter?.resolve(result);
      });
      const fail = (err: Error) => {
        // A dead worker is replaced on the next call; whatever it had in hand fails.
        if (this.workers[slot] === worker) delete this.workers[slot];
        for (const [id, waiter] of this.pending) {
          this.pending.delete(id);
          waiter.reject(err);
        }
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`bcrypt worker exited with code ${code}`)));
      this.workers[slot] = worker;
    }
    return this.workers[slot];
  }
}

/** bcrypt hashing; `compareOrBurn` spends the same time when there is no account, so timing tells nothing. */
@Injectable()
export class PasswordService implements OnModuleDestroy {
  private readonly dummyHash: string;
  private readonly workers = new BcryptWorkers(Math.max(1, Math.min(4, availableParallelism() - 1)));

  constructor(private readonly config: AppConfig) {
    this.dummyHash = bcrypt.hashSync('not-a-real-password', config.bcryptRounds);
  }

  hash(password: string): Promise<string> {
    return this.workers.run<string>({ op: 'hash', password, rounds: this.config.bcryptRounds });
  }

  async compareOrBurn(password: string, hash: string | undefined): Promise<boolean> {
    const ok = await this.workers.run<boolean>({ op: 'compare', password, hash: hash ?? this.dummyHash });
    return ok && hash !== undefined;
  }

  async onModuleDestroy(): Promise<void> {
    await this.workers.close();
  }
}

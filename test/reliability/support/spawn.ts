import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { freePort } from '../../../src/database/embedded-postgres.js';
import { testEnvironment } from '../../support/app.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = resolve(ROOT, 'dist/src/main.js');

export interface AppProcess {
  baseUrl: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines the process printed (for failure messages). */
  logs(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it is gone. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Omitted: the app starts its own embedded PostgreSQL (in EMBEDDED_PG_DIR), as `npm start` does. */
  databaseUrl?: string;
  port?: number;
  env?: Record<string, string>;
  /** Node options before the script, e.g. `--import` of a loader hook. */
  nodeArgs?: string[];
}

/** Starts the built server (`node dist/src/main.js`) as its own process and waits until it answers. */
export async function spawnApp(options: SpawnOptions): Promise<AppProcess> {
  if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: build first (npm run build).');
  const port = options.port ?? (await freePort());
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(NODE_OPTIONS|DATABASE_URL|PORT|JEST_.*)$/.test(k)) env[k] = v;
  Object.assign(env, testEnvironment(options.databaseUrl ?? ''), {
    PORT: String(port),
    LOG_LEVEL: 'error',
    ...options.env,
  });
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(line.slice(0, 2000));
    if (lines.length > 300) lines.splice(0, lines.length - 300);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.once('exit', (code, signal) => ok({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const baseUrl = `http://127.0.0.1:${port}`;
  const app: AppProcess = {
    baseUrl,
    port,
    pid: child.pid!,
    child,
    exited,
    logs: () => lines.join('\n'),
    stop: async () => {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (gone) throw new Error(`the app exited during start-up:\n${app.logs()}`);
    try {
      const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return app;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await app.stop();
      throw new Error(`the app did not become ready within 90 s:\n${app.logs()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The load, outage and crash suites drive far more writes per shop than a real one on purpose: the
 * per-merchant write limit (tested on its own) is off for them.
 */
export const NO_WRITE_LIMIT = { MERCHANT_WRITES_PER_SECOND: '0' };

/**
 * Process plumbing for the benchmark: child processes that are always cleaned up, peak-RSS polling,
 * readiness waits and latency statistics.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface LatencySummary {
  samples: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** Exact percentiles (nearest rank) of latency samples in milliseconds. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  if (!sorted.length) return { samples: 0, p50: NaN, p99: NaN, mean: NaN, max: NaN };
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    samples: sorted.length,
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    mean: round(sum / sorted.length),
    max: round(sorted[sorted.length - 1]),
  };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A process started by the benchmark; every one is stopped when the run ends, however it ends. */
export class Child {
  private static readonly running = new Set<Child>();
  readonly exited: Promise<number | null>;
  private readonly tail: string[] = [];
  private readonly collected: Buffer[] = [];

  private constructor(
    readonly name: string,
    readonly proc: ChildProcess,
    logFile?: string,
    collect = false,
  ) {
    Child.running.add(this);
    const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    const keep = (chunk: Buffer) => {
      log?.write(chunk);
      if (collect) this.collected.push(chunk);
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.tail.push(line);
      if (this.tail.length > 40) this.tail.splice(0, this.tail.length - 40);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      proc.once('close', (code, signal) => {
        Child.running.delete(this);
        log?.end();
        resolve(code ?? (signal ? -1 : null));
      }),
    );
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The last lines the process wrote, for error messages. */
  lastLines(): string {
    return this.tail.join('\n');
  }

  /** `node script args` with its output piped (and kept in `logFile`). */
  static node(
    name: string,
    script: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    options: { ipc?: boolean; logFile?: string; nodeArgs?: string[]; cwd?: string } = {},
  ): Child {
    const { cwd } = options;
    const proc = options.ipc
      ? fork(script, args, {
          env,
          cwd,
          execArgv: options.nodeArgs ?? [],
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        })
      : spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
          env,
          cwd,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
    return new Child(name, proc, options.logFile);
  }

  /** Any other program. */
  static exec(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Child {
    return new Child(name, spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }), undefined, true);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  static async stopAll(): Promise<void> {
    await Promise.all([...Child.running].map((c) => c.stop(5000)));
  }

  /** Last resort on process exit: nothing may outlive the benchmark. */
  static killAllNow(): void {
    for (const c of Child.running) if (c.alive) c.proc.kill('SIGKILL');
  }

  /** Its combined output (of a program started with {@link exec}), once it has exited. */
  async output(): Promise<{ code: number | null; text: string }> {
    const code = await this.exited;
    return { code, text: Buffer.concat(this.collected).toString() };
  }
}

/** The process's peak resident set size so far (VmHWM), in MiB; undefined when it is gone. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? round(Number(match[1]) / 1024, 1) : undefined;
  } catch {
    return undefined;
  }
}

/** Polls a child's VmHWM while it lives (it is a high-water mark, so the last reading is the peak). */
export class PeakRssWatch {
  peakMiB = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 250);
    this.timer.unref();
  }

  sample(): number {
    const value = peakRssMiB(this.pid);
    if (value !== undefined && value > this.peakMiB) this.peakMiB = value;
    return this.peakMiB;
  }

  stop(): number {
    this.sample();
    clearInterval(this.timer);
    return this.peakMiB;
  }
}

/** Waits until `url` answers 200, or the process dies, or the time is up. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.alive) throw new Error(`${child.name} exited before it was ready:\n${child.lastLines()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${child.name} was not ready at ${url} within ${timeoutMs} ms:\n${child.lastLines()}`);
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** user + system CPU time of one process, or of every child of `ppid`, in milliseconds. */
function statCpu(stat: string): { ppid: number; ms: number } {
  // The command name (field 2) may hold spaces: parse after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks() };
}

export function processCpuMs(pid: number): number | undefined {
  try {
    return statCpu(readFileSync(`/proc/${pid}/stat`, 'utf8')).ms;
  } catch {
    return undefined;
  }
}

/** CPU time of each child of `ppid` (a PostgreSQL postmaster's backends and workers), by pid. */
export function childrenCpuMs(ppid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { ppid: parent, ms } = statCpu(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (parent === ppid) out.set(Number(entry), ms);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU spent between two snapshots by the processes alive at the second (new ones count in full). */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** The parent process of `pid` (for a PostgreSQL backend: the postmaster). */
export function parentPid(pid: number): number | undefined {
  try {
    return statCpu(readFileSync(`/proc/${pid}/stat`, 'utf8')).ppid;
  } catch {
    return undefined;
  }
}

/** Where progress is drawn: a terminal gets a live bar, anything else a line every few seconds. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const fmt = new Intl.NumberFormat('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}

function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M/s`;
  if (perSecond >= 1e4) return `${Math.round(perSecond / 1e3)}k/s`;
  return perSecond >= 10 ? `${Math.round(perSecond)}/s` : `${perSecond.toFixed(1)}/s`;
}

/**
 * A small progress bar with count, rate and ETA:
 * `transactions [██████████░░░░░░░░░░]  52% 520,000/1,000,000  210k/s  ETA 2s`.
 * Redraws at most ten times a second; `done()` prints the final line with the elapsed time.
 */
export class ProgressBar {
  private current = 0;
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastLine = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly sink: ProgressSink | undefined,
  ) {}

  /** Advances by `n` (default 1). */
  tick(n = 1): void {
    this.current += n;
    const now = Date.now();
    if (!this.sink) return;
    if (this.sink.isTTY) {
      if (now - this.lastDraw >= 100) {
        this.lastDraw = now;
        this.sink.write(`\r${this.line(now)}\x1b[K`);
      }
    } else if (now - this.lastLine >= 5000) {
      this.lastLine = now;
      this.sink.write(`${this.line(now)}\n`);
    }
  }

  /** Ends the bar; returns the elapsed milliseconds. */
  done(): number {
    const ms = Date.now() - this.started;
    if (this.sink) {
      const perSecond = this.current / Math.max(ms / 1000, 0.001);
      const text = `${this.label.padEnd(14)} ${fmt.format(this.current)} in ${(ms / 1000).toFixed(1)}s (${rate(perSecond)})`;
      this.sink.write(this.sink.isTTY ? `\r${text}\x1b[K\n` : `${text}\n`);
    }
    return ms;
  }

  private line(now: number): string {
    const elapsed = Math.max((now - this.started) / 1000, 0.001);
    const fraction = this.total > 0 ? Math.min(1, this.current / this.total) : 1;
    const perSecond = this.current / elapsed;
    const eta = perSecond > 0 ? (this.total - this.current) / perSecond : Infinity;
    const width = 20;
    const filled = Math.round(fraction * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    return (
      `${this.label.padEnd(14)} [${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}% ` +
      `${fmt.format(this.current)}/${fmt.format(this.total)}  ${rate(perSecond)}  ETA ${duration(eta)}`
    );
  }
}

/**
 * Runs `task` every `intervalMs` in the background, never keeping the process alive for it; returns
 * the function that stops it. The task handles its own failures (a rejection here would go unheard).
 */
export function every(intervalMs: number, task: () => Promise<unknown>): () => void {
  const timer = setInterval(() => void task(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export const HOUR_MS = 60 * 60 * 1000;

import type { Request, Response } from 'express';

/** Puts the next page into `X-Next-Cursor` and `Link: rel="next"` (the v2 keyset convention). */
export function paginate(req: Request, res: Response, nextCursor: string | null): void {
  if (!nextCursor) return;
  res.setHeader('X-Next-Cursor', nextCursor);
  const url = new URL(req.originalUrl, 'http://placeholder');
  url.searchParams.delete('offset');
  url.searchParams.set('cursor', nextCursor);
  res.setHeader('Link', `<${url.pathname}${url.search}>; rel="next"`);
}

/** Marks a replayed idempotent response (`Idempotent-Replayed: true`) and returns its body. */
export function replay<T>(res: Response, result: { body: T; replayed: boolean }): T {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return result.body;
}

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { randomBytes } from 'node:crypto';

/** The attribute-less `<script>` tags of AdminJS's page templates: its inline bootstrap code. */
const INLINE_SCRIPT = /<script>/g;
/** The templates link Google Fonts; the panel uses system fonts and makes no third-party request. */
const WEB_FONTS = /<link[^>]*fonts\.googleapis\.com[^>]*>\s*/g;

/**
 * Security headers for /admin, which is mounted ahead of the API's helmet. The CSP allows what the
 * AdminJS pages need and nothing more: scripts from /admin itself plus the page's own inline
 * bootstrap scripts, by a nonce that changes with every response (so injected markup cannot run
 * script); inline styles (styled-components writes `<style>` at run time); images and fonts from
 * /admin or data: URIs; XHR and form posts back to /admin only; no frames, plugins or `<base>`.
 * Pages and API answers carry personal data, so they are never cached.
 */
export function adminSecurityHeaders(): RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce as string}'`],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
  });

  return (req: Request, res: Response, next: NextFunction) => {
    const nonce = randomBytes(16).toString('base64');
    res.locals.cspNonce = nonce;
    if (!req.path.startsWith('/frontend/assets/')) res.setHeader('Cache-Control', 'no-store');
    const send = res.send.bind(res);
    res.send = ((body?: unknown) =>
      send(
        typeof body === 'string' && body.includes('<script')
          ? body.replace(WEB_FONTS, '').replace(INLINE_SCRIPT, `<script nonce="${nonce}">`)
          : body,
      )) as Response['send'];
    headers(req, res, next);
  };
}

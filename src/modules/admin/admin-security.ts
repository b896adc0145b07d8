import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../../common/errors/domain-error.js';
import { toProblem } from '../../common/errors/problem-details.filter.js';
import { AdminErrorCode } from '../../common/errors/error-codes.js';

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

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a state-changing request that a browser sent from another site (a form or script on a
 * hostile page riding on the admin's session cookie): `Sec-Fetch-Site` must say same-origin (or that
 * the admin typed it), and an `Origin` must name this host. Browsers send at least one of them with
 * every POST; a request with neither comes from no browser, so no admin's cookie rides along unasked.
 */
export function sameOriginOnly(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    let sameOrigin = site === undefined || site === 'same-origin' || site === 'none';
    if (sameOrigin && origin !== undefined) {
      try {
        sameOrigin = new URL(origin).host === req.get('host');
      } catch {
        sameOrigin = false;
      }
    }
    if (sameOrigin) return next();
    const refusal = new DomainError(
      AdminErrorCode.CrossSiteRequest,
      'The admin panel accepts changes only from its own pages.',
    );
    res
      .status(403)
      .type('application/problem+json')
      .send(JSON.stringify(toProblem(refusal, req.originalUrl.split('?')[0]!)));
  };
}

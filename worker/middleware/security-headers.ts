import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

/**
 * The Content-Security-Policy of HTML the worker renders (`/docs`, and any other page it
 * serves itself): scripts, styles, fonts and images from the worker's own origin only
 * (inline styles allowed: the docs page and generated references use them; inline scripts
 * are not), calls to the worker's own origin only, no plugins, no `<base>` rewriting, forms
 * only to this origin, and never framed by another site (`frame-ancestors 'none'`:
 * clickjacking). Static pages (the demo page, the console) get theirs from public/_headers.
 */
export const HTML_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const REFERRER_POLICY = 'strict-origin-when-cross-origin';

/**
 * Security headers on every worker response: `X-Content-Type-Options: nosniff` always (no
 * response is ever sniffed into something else), and for HTML also the CSP above and a
 * Referrer-Policy. A route that sets its own CSP keeps it.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async function securityHeaders(c, next) {
    await next();
    let headers: Headers;
    try {
      headers = c.res.headers;
      headers.set('X-Content-Type-Options', 'nosniff');
    } catch {
      return; // immutable headers (a proxied response): left as they are
    }
    const type = headers.get('Content-Type') ?? '';
    if (!/^text\/html|^application\/xhtml\+xml/i.test(type)) return;
    if (!headers.has('Content-Security-Policy')) headers.set('Content-Security-Policy', HTML_CSP);
    if (!headers.has('Referrer-Policy')) headers.set('Referrer-Policy', REFERRER_POLICY);
  };
}

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

/** Whether a tenant's allowed origins admit `origin` (`*` admits any). */
export function originAllowed(allowedOrigins: readonly string[], origin: string): boolean {
  return allowedOrigins.includes(origin) || allowedOrigins.includes('*');
}

/**
 * CORS on `/v1` answers, after the publishable key has named the tenant: an allowed `Origin`
 * gets `Access-Control-Allow-Origin` (itself) and `Access-Control-Expose-Headers`; every answer
 * gets `Vary: Origin`. Errors thrown downstream are answers too (Hono turns them into the
 * response before this runs), so a page can read a problem. The headers are set on the final
 * response in place: Hono's `cors()` sets them before the route (a placeholder response whose
 * headers are then merged) and appends `Vary` through `c.header` after it, which copies the
 * finished response; on a cached quote those copies were a tenth of the request's CPU.
 * Preflights (no key) are answered by Hono's `cors()` in app.ts.
 */
export function tenantCors(exposeHeaders: readonly string[]): MiddlewareHandler<AppEnv> {
  const expose = exposeHeaders.join(',');
  return async function tenantCors(c, next) {
    await next();
    const origin = c.req.header('Origin');
    const tenant = c.get('tenant') as { allowedOrigins: string[] } | undefined;
    let headers: Headers;
    try {
      headers = c.res.headers;
      headers.append('Vary', 'Origin');
    } catch {
      return; // immutable headers (a proxied response): left as they are
    }
    if (!origin || !tenant || !originAllowed(tenant.allowedOrigins, origin)) return;
    headers.set('Access-Control-Allow-Origin', origin);
    if (expose) headers.set('Access-Control-Expose-Headers', expose);
  };
}

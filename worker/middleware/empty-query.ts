import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

/**
 * An empty query parameter is an absent one (docs/api.md): `GET /v1/plans?product_id=` lists
 * every active plan, as `GET /v1/plans` does, instead of refusing `product_id` as too short.
 * Links and forms write `?product_id=&plan_id=` with nothing chosen; the API contract writes
 * its filters the same way. Only the URL's query changes; a request without an empty
 * parameter is passed on untouched.
 */
export function emptyQueryIsAbsent(): MiddlewareHandler<AppEnv> {
  return async function emptyQueryIsAbsent(c, next) {
    const url = c.req.url;
    const q = url.indexOf('?');
    if (q < 0 || !/(?:[?&][^=&]*=)(?:&|$|#)/.test(url.slice(q))) return next();
    const parsed = new URL(url);
    for (const [name, value] of [...parsed.searchParams]) if (value === '') parsed.searchParams.delete(name, value);
    c.req.raw = new Request(parsed.toString(), c.req.raw);
    return next();
  };
}

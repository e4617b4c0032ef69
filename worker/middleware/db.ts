import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { createDb } from '../db/client';

/** Puts a guarded drizzle handle on the context. */
export function database(): MiddlewareHandler<AppEnv> {
  return async function database(c, next) {
    const counter = { count: 0 };
    c.set('d1RoundTrips', counter);
    c.set('db', createDb(c.env.DB, counter));
    await next();
    // Harmless and cheap: lets the benchmark prove how many D1 round trips a route takes.
    try {
      c.res.headers.set('X-D1-Round-Trips', String(counter.count));
    } catch {
      // immutable headers (a proxied response): nothing to report
    }
  };
}

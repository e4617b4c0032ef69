import type { MiddlewareHandler } from 'hono';
import type { AppEnv, Bindings } from '../env';
import { createDb } from '../db/client';
import { primaryD1, replicaD1 } from '../db/handles';

/**
 * Puts this request's D1 handles on the context, all guarded (worker/db/guard.ts) and counting
 * round trips into one counter: `db` (drizzle on the primary), `d1` (raw SQL on the primary:
 * writes, and reads that must see the latest write) and `d1Replica` (raw SQL on a D1 session
 * that the nearest replica may answer: quotes, listings, access). Handlers never build their own.
 */
export function database(): MiddlewareHandler<AppEnv> {
  return async function database(c, next) {
    const counter = { count: 0 };
    c.set('d1RoundTrips', counter);
    c.set('db', createDb(c.env.DB, counter));
    c.set('d1', primaryD1(c.env.DB, counter));
    c.set('d1Replica', replicaD1(c.env.DB, counter));
    await next();
    if (!exposesRoundTrips(c.env)) return;
    // Lets tests and the benchmark prove how many D1 round trips a route takes; not in production.
    try {
      c.res.headers.set('X-D1-Round-Trips', String(counter.count));
    } catch {
      // immutable headers (a proxied response): nothing to report
    }
  };
}

/** `X-D1-Round-Trips` is sent in development and tests, or when the bench sets `EXPOSE_ROUND_TRIPS = "1"`. */
export function exposesRoundTrips(env: Pick<Bindings, 'ENVIRONMENT'> & { EXPOSE_ROUND_TRIPS?: string }): boolean {
  const environment = String(env.ENVIRONMENT ?? '');
  return environment === 'development' || environment === 'test' || env.EXPOSE_ROUND_TRIPS === '1';
}

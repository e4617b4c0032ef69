import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { createDb } from '../db/client';

/** Puts a guarded drizzle handle on the context. */
export function database(): MiddlewareHandler<AppEnv> {
  return async function database(c, next) {
    c.set('db', createDb(c.env.DB));
    await next();
  };
}

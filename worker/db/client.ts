import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import * as schema from './schema';
import { guardD1, type RoundTripCounter } from './guard';

export type Db = DrizzleD1Database<typeof schema>;

/**
 * A drizzle handle on a guarded D1 binding. Reads can go through a D1 session (read
 * replication) by passing `session`; writes use the primary.
 */
export function createDb(d1: D1Database | D1DatabaseSession, counter?: RoundTripCounter): Db {
  // A D1 session has the `prepare` and `batch` that drizzle uses.
  return drizzle(guardD1(d1 as D1Database, counter), { schema });
}

import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { guardD1, type RoundTripCounter } from './guard';

/**
 * The drizzle handle type. Built without drizzle's relational-query schema: the code uses the
 * query builder only, and `drizzle(…, { schema })` re-derives the relational config of every
 * table on each call, which a profile showed as about 7 % of a cached quote's CPU (it ran once
 * per request, in the db middleware).
 */
export type Db = DrizzleD1Database;

/**
 * A drizzle handle on a guarded D1 binding. Reads can go through a D1 session (read
 * replication) by passing `session`; writes use the primary.
 */
export function createDb(d1: D1Database | D1DatabaseSession, counter?: RoundTripCounter): Db {
  // A D1 session has the `prepare` and `batch` that drizzle uses.
  return drizzle(guardD1(d1 as D1Database, counter));
}

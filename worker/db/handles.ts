/**
 * The raw D1 handles of a request (the middleware puts them on the context; jobs and sweeps
 * build theirs from `env.DB` with `bulkD1`). Every one goes through the guard (D1's production
 * limits) and may count round trips.
 */
import { guardD1, type D1, type RoundTripCounter } from './guard';

export type { D1 } from './guard';

/** The primary: writes, and reads that must see the latest write. */
export function primaryD1(d1: D1Database, counter?: RoundTripCounter): D1 {
  return guardD1(d1, counter);
}

/**
 * A D1 session for reads (read replication): the nearest replica may answer. Used for quotes,
 * listings and access lookups; checkout's writes re-check everything on the primary anyway.
 */
export function replicaD1(d1: D1Database, counter?: RoundTripCounter): D1 {
  const withSession = (d1 as Partial<D1Database>).withSession;
  if (typeof withSession !== 'function') return guardD1(d1, counter);
  try {
    return guardD1(withSession.call(d1, 'first-unconstrained') as unknown as D1, counter);
  } catch {
    return guardD1(d1, counter);
  }
}

/** A handle for background work (queue consumer, cron sweeps): the primary, uncounted. */
export const bulkD1 = (d1: D1Database): D1 => guardD1(d1);

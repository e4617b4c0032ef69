/**
 * Cloudflare D1 refuses a statement with more than 100 bound parameters or more than 100 KB of
 * SQL. Local D1 (miniflare) accepts both, so a query that works in tests could fail in
 * production. Every statement goes through this guard, here and in production, so that such a
 * query fails the same way everywhere.
 */

export const D1_MAX_BOUND_PARAMETERS = 100;
export const D1_MAX_STATEMENT_BYTES = 100_000;

export class D1LimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'D1LimitError';
  }
}

const encoder = new TextEncoder();

export function assertStatementWithinLimits(sql: string, paramCount: number): void {
  if (paramCount > D1_MAX_BOUND_PARAMETERS) {
    throw new D1LimitError(
      `statement binds ${paramCount} parameters; D1 allows at most ${D1_MAX_BOUND_PARAMETERS}. ` +
        'Bind one JSON array and expand it with json_each(?) instead.',
    );
  }
  // Byte length only matters when the string could be over the limit.
  if (sql.length * 3 > D1_MAX_STATEMENT_BYTES && encoder.encode(sql).byteLength > D1_MAX_STATEMENT_BYTES) {
    throw new D1LimitError(`statement is over D1's ${D1_MAX_STATEMENT_BYTES} byte limit`);
  }
}

/** Counts D1 round trips made through a guarded handle (each `batch`, `run`, `all`, `first`, `raw`). */
export interface RoundTripCounter {
  count: number;
}

/** A raw D1 handle: a database or a D1 session, as the guarded queries use it. */
export type D1 = Pick<D1Database, 'prepare' | 'batch'>;
type Preparer = D1;

function guardStatement(stmt: D1PreparedStatement, sql: string, counter?: RoundTripCounter): D1PreparedStatement {
  const bind = stmt.bind.bind(stmt);
  stmt.bind = (...values: unknown[]) => {
    assertStatementWithinLimits(sql, values.length);
    return guardStatement(bind(...values), sql, counter);
  };
  if (counter) {
    for (const method of ['run', 'all', 'first', 'raw'] as const) {
      const original = (stmt[method] as (...a: unknown[]) => Promise<unknown>).bind(stmt);
      (stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        counter.count++;
        return original(...args);
      };
    }
  }
  return stmt;
}

/**
 * Wraps a D1 database (or a D1 session) so that every statement is checked against D1's
 * production limits, and optionally counts round trips.
 */
export function guardD1<T extends Preparer>(db: T, counter?: RoundTripCounter): T {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (sql: string) => {
          assertStatementWithinLimits(sql, 0);
          return guardStatement(target.prepare(sql), sql, counter);
        };
      }
      if (prop === 'batch' && counter) {
        return (statements: D1PreparedStatement[]) => {
          counter.count++;
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

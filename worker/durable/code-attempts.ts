/**
 * Code-guessing counters (docs/security.md): one SQLite-backed Durable Object per tenant holds
 * the exact instants of the recent failed code attempts of each client key (`ip:<address>`,
 * `user:<sub>`) of that tenant. A Durable Object is single-threaded and the one place that
 * sees every attempt of its tenant, whichever isolate or data centre served it, so the count
 * is exact: no eventual consistency, no per-isolate approximation.
 *
 * The worker calls it once per request that carries a code (`check`) and once more only when
 * that request failed with `code_not_found` or `code_invalid_format` (`fail`).
 */
import { DurableObject } from 'cloudflare:workers';

/** Failed attempts within the window that block a key. */
export const MAX_FAILURES = 10;
/** The sliding window. */
export const WINDOW_MS = 60_000;

export type AttemptCheck =
  | { kind: 'allowed' }
  /** `key` is the first blocked key asked about; `retryAfterMs` until it is unblocked. */
  | { kind: 'blocked'; key: string; retryAfterMs: number; until: number };

export interface BlockInfo {
  key: string;
  failures: number;
  /** Instant (ms) at which the key may try again. */
  until: number;
}

/**
 * Pure: given the instants of a key's recent failures (any order), whether it is blocked at
 * `now`. Blocked while at least MAX_FAILURES of them lie within the last WINDOW_MS; it is free
 * again once the oldest of the latest MAX_FAILURES leaves the window.
 */
export function blockedUntil(failures: readonly number[], now: number, max = MAX_FAILURES, windowMs = WINDOW_MS): number | null {
  const recent = failures.filter((at) => at > now - windowMs).sort((a, b) => b - a);
  if (recent.length < max) return null;
  return recent[max - 1]! + windowMs;
}

export class CodeAttempts extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL, at INTEGER NOT NULL)`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS failures_key_at ON failures (key, at)`);
  }

  private latest(key: string, now: number): number[] {
    return this.sql
      .exec<{ at: number }>(`SELECT at FROM failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?`, key, now - WINDOW_MS, MAX_FAILURES)
      .toArray()
      .map((r) => r.at);
  }

  /** Whether any of the keys is blocked now (the first blocked one is named). */
  check(keys: string[]): AttemptCheck {
    const now = Date.now();
    for (const key of keys) {
      const until = blockedUntil(this.latest(key, now), now);
      if (until !== null) return { kind: 'blocked', key, retryAfterMs: until - now, until };
    }
    return { kind: 'allowed' };
  }

  /** Records one failed attempt for every key; answers whether that blocked any of them. */
  async fail(keys: string[]): Promise<AttemptCheck> {
    const now = Date.now();
    let result: AttemptCheck = { kind: 'allowed' };
    for (const key of keys) {
      this.sql.exec(`INSERT INTO failures (key, at) VALUES (?, ?)`, key, now);
      // Only the latest MAX_FAILURES per key ever matter.
      this.sql.exec(
        `DELETE FROM failures WHERE key = ? AND (at <= ? OR at < (SELECT at FROM failures WHERE key = ? ORDER BY at DESC LIMIT 1 OFFSET ?))`,
        key,
        now - WINDOW_MS,
        key,
        MAX_FAILURES - 1,
      );
      const until = blockedUntil(this.latest(key, now), now);
      if (until !== null && result.kind === 'allowed') result = { kind: 'blocked', key, retryAfterMs: until - now, until };
    }
    // Old rows of keys that never come back are swept by the alarm.
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + WINDOW_MS);
    return result;
  }

  /** The keys blocked now, with their failure counts (the admin listing). */
  blocks(): BlockInfo[] {
    const now = Date.now();
    const keys = this.sql
      .exec<{ key: string }>(`SELECT key FROM failures WHERE at > ? GROUP BY key HAVING count(*) >= ?`, now - WINDOW_MS, MAX_FAILURES)
      .toArray()
      .map((r) => r.key);
    const out: BlockInfo[] = [];
    for (const key of keys) {
      const failures = this.latest(key, now);
      const until = blockedUntil(failures, now);
      if (until !== null) out.push({ key, failures: failures.length, until });
    }
    return out.sort((a, b) => b.until - a.until || a.key.localeCompare(b.key));
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    this.sql.exec(`DELETE FROM failures WHERE at <= ?`, now - WINDOW_MS);
    const next = this.sql.exec<{ at: number | null }>(`SELECT min(at) AS at FROM failures`).one().at;
    if (next !== null) await this.ctx.storage.setAlarm(next + WINDOW_MS);
  }
}

/**
 * Code-guessing counters (docs/security.md): one SQLite-backed Durable Object per tenant holds
 * the exact instants of the recent failed code attempts of each client key (`ip:<address>`,
 * `user:<sub>`) of that tenant. A Durable Object is single-threaded and the one place that
 * sees every attempt of its tenant, whichever isolate or data centre served it, so the count
 * is exact: no eventual consistency, no per-isolate approximation.
 *
 * The worker asks it (`check`) about a request that carries a code when its isolate's copy of
 * the tenant's *watch list* (the keys with failures in the window, sent with every `check`
 * answer) is older than WATCH_LIST_TTL_MS or names one of the request's keys; a key on no list
 * costs no call. A request that failed with `code_not_found` or `code_invalid_format` is always
 * recorded (`fail`), and from then on that isolate asks about its keys on every request
 * (worker/middleware/code-guessing.ts, docs/security.md).
 */
import { DurableObject } from 'cloudflare:workers';

/** Failed attempts within the window that block a key. */
export const MAX_FAILURES = 10;
/** The sliding window. */
export const WINDOW_MS = 60_000;

export type AttemptCheck =
  /**
   * `attempt` names this request's reservation (settle it with `fail` or `release`); `watched`:
   * a key already has failures in the window, so the caller releases a success before it
   * answers (the next attempt must not see a stale reservation).
   */
  | { kind: 'allowed'; attempt: number; watched: boolean }
  /** `key` is the first blocked key asked about; `retryAfterMs` until it is unblocked. */
  | { kind: 'blocked'; key: string; retryAfterMs: number; until: number };

export interface BlockInfo {
  key: string;
  failures: number;
  /** Instant (ms) at which the key may try again. */
  until: number;
}

/**
 * The watch list: the keys of a tenant with at least one failure in the window. An isolate
 * trusts its copy this long; a key not on it is judged without asking the object.
 */
export const WATCH_LIST_TTL_MS = 1_000;
/** Past this many watched keys the object sends no list: every request with a code asks it. */
export const WATCH_LIST_MAX = 512;

/** The watch list as sent to isolates: the keys, or `null` when there are too many to send. */
export type WatchList = { keys: string[] } | null;

/** A reservation not settled within this long (a lost release) stops counting. */
export const PENDING_TTL_MS = 30_000;


/**
 * Pure: given the instants of a key's recent failures (any order) and how many of its attempts
 * are in flight, the instant until which it is blocked at `now`, or null.
 * - Blocked while MAX_FAILURES failures lie within the last WINDOW_MS; free again once the
 *   oldest of the latest MAX_FAILURES leaves the window (the SPEC rule, exact).
 * - A key that has failed already also counts its attempts in flight (each may yet fail), so
 *   concurrent guesses cannot overshoot the limit; that block lasts until they settle (1 s).
 * - A key with no failure is never blocked, however many of its attempts are in flight: the
 *   SPEC's "200 simultaneous checkouts" come from one office IP as easily as from 200.
 */
export function blockedUntil(failures: readonly number[], now: number, inFlight = 0, max = MAX_FAILURES, windowMs = WINDOW_MS): number | null {
  const recent = failures.filter((at) => at > now - windowMs).sort((a, b) => b - a);
  if (recent.length >= max) return recent[max - 1]! + windowMs;
  if (recent.length > 0 && recent.length + inFlight >= max) return now + 1000;
  return null;
}

export class CodeAttempts extends DurableObject {
  private readonly sql: SqlStorage;
  /** Attempts checked but not settled yet (in memory: they live for the length of a request). */
  private readonly pending = new Map<number, { keys: string[]; at: number }>();
  private readonly inFlight = new Map<string, number>();
  private nextAttempt = 1;

  /**
   * The failures within the window of every key that has any, newest first, at most
   * MAX_FAILURES each: an exact mirror of the table (this object is its only writer and runs
   * one request at a time), loaded once when the object starts, so a `check` runs no SQL.
   */
  private readonly recent = new Map<string, number[]>();

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL, at INTEGER NOT NULL)`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS failures_key_at ON failures (key, at)`);
    const rows = this.sql.exec<{ key: string; at: number }>(`SELECT key, at FROM failures WHERE at > ? ORDER BY at DESC`, Date.now() - WINDOW_MS).toArray();
    for (const { key, at } of rows) {
      const list = this.recent.get(key) ?? [];
      if (list.length < MAX_FAILURES) list.push(at);
      this.recent.set(key, list);
    }
  }

  private latest(key: string, now: number): number[] {
    const list = this.recent.get(key);
    if (!list) return [];
    const live = list.filter((at) => at > now - WINDOW_MS);
    if (live.length === 0) this.recent.delete(key);
    else if (live.length !== list.length) this.recent.set(key, live);
    return live;
  }

  private settle(attempt: number): string[] | null {
    const entry = this.pending.get(attempt);
    if (!entry) return null;
    this.pending.delete(attempt);
    for (const key of entry.keys) {
      const n = (this.inFlight.get(key) ?? 1) - 1;
      if (n > 0) this.inFlight.set(key, n);
      else this.inFlight.delete(key);
    }
    return entry.keys;
  }

  /**
   * Before a request with a code: blocked if any key is (the first blocked one is named);
   * otherwise, when a key has failed already, the attempt is reserved against every key until
   * it is settled, so a burst of concurrent guesses cannot all pass before they fail. The answer
   * carries the tenant's watch list, the isolate's copy for the next WATCH_LIST_TTL_MS.
   */
  check(keys: string[]): AttemptCheck & { watchList: WatchList } {
    const verdict = this.judge(keys);
    return { ...verdict, watchList: this.watchList(Date.now()) };
  }

  /** The keys with failures in the window (pruning the ones whose failures have all aged out). */
  private watchList(now: number): WatchList {
    if (this.recent.size > WATCH_LIST_MAX) return null;
    const keys: string[] = [];
    for (const key of [...this.recent.keys()]) if (this.latest(key, now).length > 0) keys.push(key);
    return { keys };
  }

  private judge(keys: string[]): AttemptCheck {
    const now = Date.now();
    for (const [attempt, entry] of this.pending) if (entry.at <= now - PENDING_TTL_MS) this.settle(attempt);
    let watched = false;
    for (const key of keys) {
      const failures = this.latest(key, now);
      const until = blockedUntil(failures, now, this.inFlight.get(key) ?? 0);
      if (until !== null) return { kind: 'blocked', key, retryAfterMs: until - now, until };
      if (failures.length > 0) watched = true;
    }
    // No key has failed: nothing to reserve (attempts in flight only ever count for a key that
    // has failed), so the common request costs this one call and no release. Attempt 0 is
    // "not reserved".
    if (!watched) return { kind: 'allowed', attempt: 0, watched: false };
    const attempt = this.nextAttempt++;
    this.pending.set(attempt, { keys, at: now });
    for (const key of keys) this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    return { kind: 'allowed', attempt, watched };
  }

  /** The attempt did not fail (or failed for another reason): it stops counting. */
  release(attempt: number): void {
    this.settle(attempt);
  }

  /** The attempt failed: one failure for each of its keys. Answers whether that blocked one. */
  async fail(attempt: number, keys: string[]): Promise<AttemptCheck | { kind: 'recorded' }> {
    const now = Date.now();
    const settledKeys = this.settle(attempt) ?? keys;
    let result: AttemptCheck | { kind: 'recorded' } = { kind: 'recorded' };
    for (const key of settledKeys) {
      this.sql.exec(`INSERT INTO failures (key, at) VALUES (?, ?)`, key, now);
      this.recent.set(key, [now, ...this.latest(key, now)].slice(0, MAX_FAILURES));
      // Only the latest MAX_FAILURES per key ever matter.
      this.sql.exec(
        `DELETE FROM failures WHERE key = ? AND (at <= ? OR at < (SELECT at FROM failures WHERE key = ? ORDER BY at DESC LIMIT 1 OFFSET ?))`,
        key,
        now - WINDOW_MS,
        key,
        MAX_FAILURES - 1,
      );
      const failures = this.latest(key, now);
      const until = failures.length >= MAX_FAILURES ? blockedUntil(failures, now) : null;
      if (until !== null && result.kind === 'recorded') result = { kind: 'blocked', key, retryAfterMs: until - now, until };
    }
    // Old rows of keys that never come back are swept by the alarm.
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + WINDOW_MS);
    return result;
  }

  /** The keys blocked now, with their failure counts (the admin listing). */
  blocks(): BlockInfo[] {
    const now = Date.now();
    const keys = [...this.recent.keys()].filter((key) => this.latest(key, now).length >= MAX_FAILURES);
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
    for (const key of [...this.recent.keys()]) this.latest(key, now);
    const next = this.sql.exec<{ at: number | null }>(`SELECT min(at) AS at FROM failures`).one().at;
    if (next !== null) await this.ctx.storage.setAlarm(next + WINDOW_MS);
  }
}

import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { AppError, toProblem } from '../errors';
import { formatAddress, parseAddress } from '../domain/ip-ranges';
import { WATCH_LIST_TTL_MS, WINDOW_MS, type AttemptCheck, type WatchList } from '../durable/code-attempts';
import { CACHE_BUDGETS, createCache, estimateBytes } from '../lib/cache';

/** The refusals that count as a guess (SPEC "Code guessing"). */
export const GUESS_CODES: ReadonlySet<string> = new Set(['code_not_found', 'code_invalid_format']);

/**
 * The client key of the request's IP: `CF-Connecting-IP` only (never `X-Forwarded-For`),
 * normalised so that every spelling of one address is one key. A header that is not an
 * address is keyed as written (trimmed, lower-case, bounded); no header at all (local tools
 * that bypass Cloudflare) is one shared key.
 */
export function ipKey(header: string | null | undefined): string {
  if (header === null || header === undefined || header.trim() === '') return 'ip:none';
  const parsed = parseAddress(header);
  if (parsed) return `ip:${formatAddress(parsed.value, parsed.family)}`;
  return `ip:?${header.trim().toLowerCase().slice(0, 64)}`;
}

/** Whether a JSON body names a code: a non-blank string `code` (what the routes would judge). */
function hasCode(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const code = (body as { code?: unknown }).code;
  return typeof code === 'string' && code.trim() !== '';
}

async function bodyOf(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^application\/([a-z-.]+\+)?json/i.test(type.trim())) return undefined;
  try {
    // Hono caches the parsed body: the route's validator reads the same one.
    return await c.req.json();
  } catch {
    return undefined; // malformed: the route's validator answers it (400), no code to judge
  }
}

/** Whether the answer of the route is one of the guessing refusals. */
async function isGuessRefusal(c: Context<AppEnv>): Promise<boolean> {
  if (c.res.status !== 422) return false;
  if (c.error instanceof AppError) return GUESS_CODES.has(c.error.code);
  // A 422 not thrown here (e.g. a stored answer replayed): read its problem body.
  try {
    const body = (await c.res.clone().json()) as { code?: unknown };
    return typeof body.code === 'string' && GUESS_CODES.has(body.code);
  } catch {
    return false;
  }
}

function rateLimited(blocked: Extract<AttemptCheck, { kind: 'blocked' }>): Response {
  const seconds = Math.max(1, Math.ceil(blocked.retryAfterMs / 1000));
  const by = blocked.key.startsWith('user:') ? 'user' : 'IP address';
  const { status, body } = toProblem(
    new AppError('rate_limited', {
      code: 'rate_limited',
      detail: `Too many codes that do not exist from this ${by}: try again in ${seconds} s.`,
      errors: [{ path: 'code', message: `too many failed codes; try again in ${seconds} s` }],
      extra: { retry_after: seconds },
    }),
  );
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/problem+json', 'Retry-After': String(seconds) },
  });
}

/**
 * This isolate's copy of a tenant's watch list (docs/caching.md, docs/security.md): `listed`,
 * the keys with failures in the window as the tenant's object last sent them (`null` when it
 * sent none: too many, so every request with a code asks), and `failedHere`, the keys this
 * isolate has itself seen fail since (kept across refreshes for the window, so a failure is
 * never forgotten by the isolate that saw it, whatever order answers arrive in).
 */
interface WatchCopy {
  listed: Set<string> | null;
  failedHere: Map<string, number>;
}

const watchLists = createCache<WatchCopy>({
  name: 'code-guessing watch lists',
  ttlMs: WATCH_LIST_TTL_MS,
  maxBytes: CACHE_BUDGETS.codeGuessingWatchLists,
  sizeOf: (w) => estimateBytes(w.listed) + estimateBytes(w.failedHere),
  topics: [],
});

const recentFailures = (copy: WatchCopy | undefined, now: number): Map<string, number> => {
  const kept = new Map<string, number>();
  for (const [key, at] of copy?.failedHere ?? []) if (at > now - WINDOW_MS) kept.set(key, at);
  return kept;
};

/** Whether a request with these keys may be judged without asking the object: a fresh copy lists none of them. */
function unwatched(tenantId: string, keys: string[], now: number): boolean {
  const hit = watchLists.get(tenantId, now);
  if (!hit?.fresh || hit.value.listed === null) return false;
  const { listed, failedHere } = hit.value;
  return keys.every((key) => !listed.has(key) && !((failedHere.get(key) ?? 0) > now - WINDOW_MS));
}

function storeWatchList(tenantId: string, list: WatchList | undefined, generation: number, now: number): void {
  if (list === undefined) return; // an answer without a list (an older object): keep asking
  const failedHere = recentFailures(watchLists.get(tenantId, now)?.value, now);
  watchLists.set(tenantId, { listed: list ? new Set(list.keys) : null, failedHere }, { tenantId, version: 0, generation, now });
}

/** This isolate saw these keys fail: from now on it asks the object about them (until they age out). */
function noteFailure(tenantId: string, keys: string[], now: number): void {
  const copy = watchLists.get(tenantId, now)?.value;
  if (copy) for (const key of keys) copy.failedHere.set(key, now);
}

/** A request judged on the watch list: nothing reserved, nothing to release. */
type Allowed = Extract<AttemptCheck, { kind: 'allowed' }>;
const UNWATCHED: Allowed = { kind: 'allowed', attempt: 0, watched: false };

/**
 * Code guessing (SPEC; docs/security.md), on `POST /v1/quotes` and `POST /v1/subscriptions`,
 * after authentication (the tenant and user are known). A request with a code whose keys (IP,
 * user) are on no watch list of this isolate (a copy under WATCH_LIST_TTL_MS old) is judged at
 * once: none of its keys had a failure when the copy was made. Otherwise it asks the tenant's
 * CodeAttempts Durable Object (`check`, which also refreshes the copy): a blocked IP or user
 * gets `429 rate_limited` with `Retry-After`, and the route never runs; a key that has failed
 * reserves the attempt (it counts while in flight, so a concurrent burst cannot all pass). When
 * the route refuses the code with `code_not_found` or `code_invalid_format`, the failure is
 * recorded (`fail`) before the answer leaves, and this isolate asks about those keys from then
 * on; a reservation is released otherwise. Requests without a code never touch any of this.
 */
export function codeGuessing(): MiddlewareHandler<AppEnv> {
  return async function codeGuessing(c, next) {
    if (c.req.method !== 'POST') return next();
    if (!hasCode(await bodyOf(c))) return next();
    const tenant = c.get('tenant');
    const user = c.get('user');
    const keys = [ipKey(c.req.header('CF-Connecting-IP'))];
    if (user) keys.push(`user:${user.id}`);
    const namespace = c.env.CODE_ATTEMPTS;
    let stub: ReturnType<typeof namespace.get> | undefined;
    const attempts = () => (stub ??= namespace.get(namespace.idFromName(tenant.id)));
    let verdict: Allowed = UNWATCHED;
    const asked = Date.now();
    if (!unwatched(tenant.id, keys, asked)) {
      const generation = watchLists.generation(tenant.id);
      let answer: AttemptCheck & { watchList?: WatchList };
      try {
        answer = (await attempts().check(keys)) as AttemptCheck & { watchList?: WatchList };
      } catch (err) {
        // The counters are unreachable (an overloaded or restarting object): the code is judged
        // as usual rather than every checkout with a code failing; logged for the operator.
        console.error(JSON.stringify({ event: 'code_guessing_unavailable', tenant_id: tenant.id, error: String(err) }));
        return next();
      }
      storeWatchList(tenant.id, answer.watchList, generation, asked);
      if (answer.kind === 'blocked') return rateLimited(answer);
      verdict = answer;
    }
    try {
      await next();
    } finally {
      if (await isGuessRefusal(c)) {
        noteFailure(tenant.id, keys, Date.now());
        const after = (await Promise.resolve()
          .then(() => attempts().fail(verdict.attempt, keys) as Promise<unknown>)
          .catch((err: unknown) => {
            console.error(JSON.stringify({ event: 'code_guessing_unavailable', tenant_id: tenant.id, error: String(err) }));
            return { kind: 'recorded' };
          })) as AttemptCheck | { kind: 'recorded' };
        if (after.kind === 'blocked') {
          console.warn(
            JSON.stringify({ event: 'code_guessing_blocked', tenant_id: tenant.id, key: after.key, until: new Date(after.until).toISOString() }),
          );
        }
      } else if (verdict.attempt === 0) {
        // Not reserved (no key had failed): nothing to release.
      } else if (verdict.watched) {
        // This key has failures already: settle before answering, so the next attempt is judged exactly.
        await attempts().release(verdict.attempt).catch(() => {});
      } else {
        // Off the response path: a reservation only matters to a burst of concurrent attempts.
        const release = attempts().release(verdict.attempt).catch(() => {});
        try {
          c.executionCtx.waitUntil(release);
        } catch {
          await release; // no execution context (a direct app.fetch call)
        }
      }
    }
  };
}

import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { AppError, toProblem } from '../errors';
import { formatAddress, parseAddress } from '../domain/ip-ranges';
import type { AttemptCheck } from '../durable/code-attempts';

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
 * Code guessing (SPEC; docs/security.md), on `POST /v1/quotes` and `POST /v1/subscriptions`,
 * after authentication (the tenant and user are known). A request with a code asks the
 * tenant's CodeAttempts Durable Object first: a blocked IP or user gets `429 rate_limited`
 * with `Retry-After`, and the route never runs; otherwise the attempt is reserved (it counts
 * while in flight, so a concurrent burst cannot all pass). When the route refuses the code
 * with `code_not_found` or `code_invalid_format`, the failure is recorded (same stub) before
 * the answer leaves; any other answer releases the reservation, off the response path unless
 * the key already has failures. Requests without a code never touch the Durable Object.
 */
export function codeGuessing(): MiddlewareHandler<AppEnv> {
  return async function codeGuessing(c, next) {
    if (c.req.method !== 'POST') return next();
    if (!hasCode(await bodyOf(c))) return next();
    const tenant = c.get('tenant');
    const user = c.get('user');
    const keys = [ipKey(c.req.header('CF-Connecting-IP'))];
    if (user) keys.push(`user:${user.id}`);
    const stub = c.env.CODE_ATTEMPTS.get(c.env.CODE_ATTEMPTS.idFromName(tenant.id));
    let verdict: AttemptCheck;
    try {
      verdict = (await stub.check(keys)) as AttemptCheck;
    } catch (err) {
      // The counters are unreachable (an overloaded or restarting object): the code is judged
      // as usual rather than every checkout with a code failing; logged for the operator.
      console.error(JSON.stringify({ event: 'code_guessing_unavailable', tenant_id: tenant.id, error: String(err) }));
      return next();
    }
    if (verdict.kind === 'blocked') return rateLimited(verdict);
    try {
      await next();
    } finally {
      if (await isGuessRefusal(c)) {
        const after = ((await stub.fail(verdict.attempt, keys).catch((err: unknown) => {
          console.error(JSON.stringify({ event: 'code_guessing_unavailable', tenant_id: tenant.id, error: String(err) }));
          return { kind: 'recorded' };
        })) as AttemptCheck | { kind: 'recorded' });
        if (after.kind === 'blocked') {
          console.warn(
            JSON.stringify({ event: 'code_guessing_blocked', tenant_id: tenant.id, key: after.key, until: new Date(after.until).toISOString() }),
          );
        }
      } else if (verdict.attempt === 0) {
        // Not reserved (no key had failed): nothing to release.
      } else if (verdict.watched) {
        // This key has failures already: settle before answering, so the next attempt is judged exactly.
        await stub.release(verdict.attempt).catch(() => {});
      } else {
        // Off the response path: a reservation only matters to a burst of concurrent attempts.
        const release = stub.release(verdict.attempt).catch(() => {});
        try {
          c.executionCtx.waitUntil(release);
        } catch {
          await release; // no execution context (a direct app.fetch call)
        }
      }
    }
  };
}

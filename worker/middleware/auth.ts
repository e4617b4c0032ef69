import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { decode, verify } from 'hono/jwt';
import type { AppEnv, EndUser, TenantContext } from '../env';
import { AppError } from '../errors';
import { deriveUserTokenSecret, parseKey, sha256Hex, timingSafeEqualStrings, type KeyKind } from '../domain/crypto';
import {
  decideKey,
  decideSession,
  decideTokenVersion,
  tokenLifetimeAllowed,
  type KeyDecision,
  type KeyState,
  type TokenSecretState,
} from '../domain/tenant-auth';
import { createDb } from '../db/client';
import { findKey, findSession, type KeyRecord, type TenantRow } from '../db/tenants';
import { touchKeyLastUsed } from '../db/api-keys';
import { originAllowed } from './tenant-cors';
import { CACHE_BUDGETS, createCache, estimateBytes, invalidateTenant } from '../lib/cache';

type Ctx = Context<AppEnv>;

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

const unauthorized = (detail: string, code = 'unauthorized') => new AppError('unauthorized', { code, detail });

/** The console's session cookie (HttpOnly, SameSite=Strict; see routes/console-session.ts). */
export const SESSION_COOKIE = 'offer_checkout_session';

// ---------------------------------------------------------------------------------------------
// Per-isolate cache of verified credentials
// ---------------------------------------------------------------------------------------------
//
// A hot key (or console session) costs no D1 round trip, but an entry is trusted for at most
// AUTH_RECHECK_MS: after that the key row (revoked_at, expires_at) and its tenant (disabled_at,
// settings) are read again. So a revocation, an expiry set by a rotation, a disabled tenant or
// a settings change is seen by every isolate within 5 s, and at once by the isolate that made
// it (which drops the tenant's entries). `expires_at` itself is checked against the clock on
// every request, cached or not.

const AUTH_RECHECK_MS = 5_000;

interface AuthEntry {
  /** SHA-256 of the presented key or session token. */
  hash: string;
  keyId: string;
  key: KeyState;
  /** Console sessions only: when the session itself ends. */
  sessionExpiresAt: number | null;
  tenantDisabledAt: number | null;
  tenant: TenantContext;
  tokenSecrets: TokenSecretState;
  checkedAt: number;
}

/** The cached state of a key, or of a console session through its key, as read from D1. */
function authEntry(
  hash: string,
  record: Pick<KeyRecord, 'keyId' | 'revokedAt' | 'expiresAt' | 'tenant'>,
  sessionExpiresAt: number | null,
  now: number,
): AuthEntry {
  return {
    hash,
    keyId: record.keyId,
    key: { revokedAt: record.revokedAt, expiresAt: record.expiresAt },
    sessionExpiresAt,
    tenantDisabledAt: record.tenant.disabledAt,
    tenant: tenantContext(record.tenant),
    tokenSecrets: tokenSecretState(record.tenant),
    checkedAt: now,
  };
}

/** Keyed `k:<sha256 of the key>` or `s:<sha256 of the session token>`; topic `keys`. */
const authCache = createCache<AuthEntry>({
  name: 'auth',
  ttlMs: AUTH_RECHECK_MS,
  maxBytes: CACHE_BUDGETS.apiKeys,
  sizeOf: (entry) => estimateBytes(entry),
  topics: ['keys'],
});
/**
 * Bumped by every `forgetTenantAuth`: a load is keyed by a hash, so its tenant is only known
 * once it has read D1; a load that overlapped an invalidation in this isolate is not kept.
 */
let authEpoch = 0;
/** The user-token secret state of an authenticated tenant context (read by `userToken()`). */
const tokenSecretsOf = new WeakMap<TenantContext, TokenSecretState>();

/**
 * Drops this isolate's cached credentials of a tenant: call after any change to its keys,
 * sessions, settings, user-token secrets or disabled flag, once the write has committed.
 */
export function forgetTenantAuth(tenantId: string): void {
  authEpoch++;
  invalidateTenant('keys', tenantId);
}

function remember(cacheKey: string, entry: AuthEntry, epochAtLoad: number): void {
  if (epochAtLoad !== authEpoch) return;
  authCache.set(cacheKey, entry, { tenantId: entry.tenant.id, version: 0, generation: authCache.generation(entry.tenant.id), now: entry.checkedAt });
}

function tenantContext(row: TenantRow): TenantContext {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.timeZone,
    allowedOrigins: row.allowedOrigins,
    checkoutHoldMinutes: row.checkoutHoldMinutes,
  };
}

function tokenSecretState(row: TenantRow): TokenSecretState {
  return { current: row.userTokenSecretVersion, previousUntil: row.userTokenPreviousUntil };
}

function refuse(decision: Exclude<KeyDecision, { kind: 'valid' }>, what: 'key' | 'session'): never {
  switch (decision.reason) {
    case 'tenant_disabled':
      throw new AppError('forbidden', { code: 'tenant_disabled', detail: 'This publisher account is disabled.' });
    case 'revoked':
      throw unauthorized(what === 'key' ? 'This key has been revoked.' : 'The key that opened this session has been revoked.');
    case 'expired':
      throw unauthorized(what === 'key' ? 'This key has expired.' : 'The key that opened this session has expired.');
    case 'session_expired':
      throw unauthorized('The console session has expired; sign in again.');
  }
}

// ---------------------------------------------------------------------------------------------
// last_used_at: at most one D1 write per key per minute per isolate, after the response.
// ---------------------------------------------------------------------------------------------

const LAST_USED_WRITE_EVERY_MS = 60_000;
const lastUsedWrites = new Map<string, number>();

function noteKeyUse(c: Ctx, keyId: string, now: number): void {
  const last = lastUsedWrites.get(keyId);
  if (last !== undefined && now - last < LAST_USED_WRITE_EVERY_MS) return;
  if (lastUsedWrites.size >= 10_000) lastUsedWrites.delete(lastUsedWrites.keys().next().value!);
  lastUsedWrites.set(keyId, now);
  // An uncounted handle: this write is not part of the request's own D1 work.
  const write = touchKeyLastUsed(createDb(c.env.DB), keyId, now).catch((error: unknown) => {
    console.warn('last_used_at write failed', error);
  });
  try {
    c.executionCtx.waitUntil(write);
  } catch {
    // no execution context (e.g. app.request in a script): the write simply runs on its own
  }
}

// ---------------------------------------------------------------------------------------------
// Keys and sessions
// ---------------------------------------------------------------------------------------------

export interface Authenticated {
  tenant: TenantContext;
  keyId: string;
  /** Console sessions only. */
  sessionExpiresAt: number | null;
}

function accept(c: Ctx, entry: AuthEntry, what: 'key' | 'session', now: number): Authenticated {
  const decision =
    what === 'session' ? decideSession(entry.sessionExpiresAt!, entry.key, entry.tenantDisabledAt, now) : decideKey(entry.key, entry.tenantDisabledAt, now);
  if (decision.kind !== 'valid') refuse(decision, what);
  tokenSecretsOf.set(entry.tenant, entry.tokenSecrets);
  c.set('tenant', entry.tenant);
  noteKeyUse(c, entry.keyId, now);
  return { tenant: entry.tenant, keyId: entry.keyId, sessionExpiresAt: entry.sessionExpiresAt };
}

/**
 * The SHA-256 of publishable keys seen by this isolate. A publishable key is public (it is in
 * every page that embeds the widget), so remembering its hash costs no secrecy and saves a
 * digest on every public request; secret keys and session tokens are hashed every time and
 * only their hashes are kept.
 */
const PUBLISHABLE_HASHES_MAX = 10_000;
const publishableHashes = new Map<string, string>();

async function keyHash(key: string, kind: KeyKind): Promise<string> {
  if (kind !== 'publishable') return sha256Hex(key);
  let hash = publishableHashes.get(key);
  if (hash === undefined) {
    hash = await sha256Hex(key);
    if (publishableHashes.size >= PUBLISHABLE_HASHES_MAX) publishableHashes.delete(publishableHashes.keys().next().value!);
    publishableHashes.set(key, hash);
  }
  return hash;
}

/** Validates a presented `sk_…`/`pk_…` value (cache, else one D1 read) and sets `tenant`. */
export async function authenticateKey(c: Ctx, key: string, kind: KeyKind): Promise<Authenticated> {
  const parsed = parseKey(key);
  if (!parsed || parsed.kind !== kind) throw unauthorized(`Expected a ${kind === 'secret' ? 'sk_' : 'pk_'}… key.`);
  const hash = await keyHash(key, kind);
  const now = Date.now();
  const cacheKey = `k:${hash}`;
  const cached = authCache.get(cacheKey, now);
  if (cached?.fresh) return accept(c, cached.value, 'key', now);
  const epoch = authEpoch;
  const record = await findKey(c.get('db'), parsed.keyId, kind);
  if (!record || !timingSafeEqualStrings(record.hash, hash)) {
    authCache.delete(cacheKey);
    throw unauthorized('Invalid key.');
  }
  const entry = authEntry(hash, record, null, now);
  remember(cacheKey, entry, epoch);
  return accept(c, entry, 'key', now);
}

/** Validates a console session token (cache, else one D1 read) and sets `tenant`. */
export async function authenticateSession(c: Ctx, token: string): Promise<Authenticated> {
  if (!/^ocs_[A-Za-z0-9_-]{43}$/.test(token)) throw unauthorized('Invalid console session; sign in again.');
  const hash = await sha256Hex(token);
  const now = Date.now();
  const cacheKey = `s:${hash}`;
  const cached = authCache.get(cacheKey, now);
  if (cached?.fresh) return accept(c, cached.value, 'session', now);
  const epoch = authEpoch;
  const record = await findSession(c.get('db'), hash);
  if (!record) {
    authCache.delete(cacheKey);
    throw unauthorized('Invalid console session; sign in again.');
  }
  const entry = authEntry(hash, record, record.sessionExpiresAt, now);
  remember(cacheKey, entry, epoch);
  return accept(c, entry, 'session', now);
}

/** Drops one cached console session of this isolate (sign-out). */
export async function forgetSession(token: string): Promise<void> {
  authCache.delete(`s:${await sha256Hex(token)}`);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A request from the worker's own origin: `Origin` equal to the request URL's origin, or
 * `Sec-Fetch-Site: same-origin`. A browser's same-origin `fetch` sends both on every
 * state-changing request; anything else (another site, or no proof at all) is refused.
 */
export function fromOwnOrigin(c: Ctx): boolean {
  if (c.req.header('Sec-Fetch-Site') === 'same-origin') return true;
  const origin = c.req.header('Origin');
  return origin !== undefined && origin === new URL(c.req.url).origin;
}

export const csrfRefused = () =>
  new AppError('forbidden', {
    code: 'csrf_refused',
    detail: 'A cookie-authenticated request that changes anything must come from the console’s own origin (Origin or Sec-Fetch-Site).',
  });

/** Refuses a cookie-authenticated state-changing request that does not come from this origin. */
export function assertSameOriginForCookie(c: Ctx): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  if (!fromOwnOrigin(c)) throw csrfRefused();
}

/** `/admin/v1`: a tenant's secret key (`Authorization: Bearer sk_…`) or a console session cookie. */
export function secretKeyAuth(): MiddlewareHandler<AppEnv> {
  return async function secretKeyAuth(c, next) {
    const header = c.req.header('Authorization');
    if (header !== undefined) {
      const key = bearer(header);
      if (!key) throw unauthorized('Missing `Authorization: Bearer` key.');
      await authenticateKey(c, key, 'secret');
      return next();
    }
    const session = getCookie(c, SESSION_COOKIE);
    if (!session) throw unauthorized('Missing `Authorization: Bearer` key.');
    assertSameOriginForCookie(c);
    await authenticateSession(c, session);
    await next();
  };
}

/**
 * `/v1`: a tenant's publishable key. A browser request (one with `Origin`) must come from one
 * of the tenant's allowed origins; it then gets CORS headers for that origin only.
 */
export function publishableKeyAuth(): MiddlewareHandler<AppEnv> {
  return async function publishableKeyAuth(c, next) {
    const key = bearer(c.req.header('Authorization'));
    if (!key) throw unauthorized('Missing `Authorization: Bearer` key.');
    await authenticateKey(c, key, 'publishable');
    const origin = c.req.header('Origin');
    const tenant = c.get('tenant');
    if (origin) {
      if (!originAllowed(tenant.allowedOrigins, origin)) {
        throw new AppError('forbidden', {
          code: 'origin_not_allowed',
          detail: `Origin ${origin} is not among this publisher's allowed origins.`,
        });
      }
    }
    await next();
  };
}

// ---------------------------------------------------------------------------------------------
// User tokens
// ---------------------------------------------------------------------------------------------

const VERIFIED_TOKENS_MAX = 10_000;
const verifiedTokens = new Map<string, { user: EndUser; expires: number }>();
const derivedSecrets = new Map<string, string>();

async function userTokenSecret(derivationKey: string, tenantId: string, version: number): Promise<string> {
  const cacheKey = `${tenantId}:${version}`;
  let secret = derivedSecrets.get(cacheKey);
  if (!secret) {
    secret = await deriveUserTokenSecret(derivationKey, tenantId, version);
    if (derivedSecrets.size >= 10_000) derivedSecrets.delete(derivedSecrets.keys().next().value!);
    derivedSecrets.set(cacheKey, secret);
  }
  return secret;
}

const invalidToken = (detail = 'The user token is invalid or expired.') =>
  new AppError('unauthorized', { code: 'invalid_user_token', detail });

/** The JWT header's `kid`, or an error for a token that is not even a JWT. */
function tokenKid(token: string): unknown {
  try {
    return decode(token).header.kid;
  } catch {
    throw invalidToken();
  }
}

/**
 * Reads `X-User-Token` (HS256, signed with the tenant's user-token secret of the version named
 * by the header's `kid`, `exp` required and at most 30 days ahead). An absent token leaves the
 * caller anonymous; a present but invalid one is refused.
 */
export function userToken(): MiddlewareHandler<AppEnv> {
  return async function userToken(c, next) {
    const token = c.req.header('X-User-Token');
    c.set('user', null);
    if (token) {
      const tenant = c.get('tenant');
      const now = Date.now();
      const state = tokenSecretsOf.get(tenant) ?? { current: 1, previousUntil: null };
      // The version decision is made on every request (the previous version's window closes
      // while tokens are cached); the HMAC is skipped for a token this isolate already verified.
      const decision = decideTokenVersion(tokenKid(token), state, now);
      if (decision.kind === 'rejected') throw invalidToken(decision.reason);
      const verifiedKey = `${tenant.id}:${decision.version}:${token}`;
      const known = verifiedTokens.get(verifiedKey);
      if (known && known.expires > now) {
        c.set('user', known.user);
        return next();
      }
      const secret = await userTokenSecret(c.env.SECRET_DERIVATION_KEY, tenant.id, decision.version);
      let payload: Record<string, unknown>;
      try {
        payload = (await verify(token, secret, 'HS256')) as Record<string, unknown>;
      } catch {
        throw invalidToken();
      }
      const user = toEndUser(payload);
      if (!user) {
        throw invalidToken('The user token needs `sub`, and `exp`; `email` and `email_verified` are optional.');
      }
      if (!tokenLifetimeAllowed(payload.exp as number, now)) {
        throw invalidToken('The user token’s `exp` is more than 30 days ahead; issue shorter-lived tokens.');
      }
      c.set('user', user);
      if (verifiedTokens.size >= VERIFIED_TOKENS_MAX) verifiedTokens.delete(verifiedTokens.keys().next().value!);
      verifiedTokens.set(verifiedKey, { user, expires: (payload.exp as number) * 1000 });
    }
    await next();
  };
}

export function toEndUser(payload: Record<string, unknown>): EndUser | null {
  const { sub, email, email_verified: emailVerified, exp } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) return null;
  if (typeof exp !== 'number') return null;
  const normalisedEmail = typeof email === 'string' && email.includes('@') ? email.trim().toLowerCase() : null;
  return { id: sub, email: normalisedEmail, emailVerified: normalisedEmail !== null && emailVerified === true };
}

/** Requires a signed-in user (a valid user token). */
export function requireUser(c: { get(key: 'user'): EndUser | null }): EndUser {
  const user = c.get('user');
  if (!user) throw new AppError('unauthorized', { code: 'login_required', detail: 'A user token (`X-User-Token`) is required.' });
  return user;
}

/** `/platform/v1`: the operator's `PLATFORM_KEY`. */
export function platformKeyAuth(): MiddlewareHandler<AppEnv> {
  return async function platformKeyAuth(c, next) {
    const key = bearer(c.req.header('Authorization'));
    const expected = c.env.PLATFORM_KEY;
    if (!expected) throw new AppError('forbidden', { code: 'platform_disabled', detail: 'PLATFORM_KEY is not configured.' });
    if (!key) throw unauthorized('Missing `Authorization: Bearer` platform key.');
    const [a, b] = await Promise.all([sha256Hex(key), sha256Hex(expected)]);
    if (!timingSafeEqualStrings(a, b)) throw unauthorized('Invalid platform key.');
    await next();
  };
}

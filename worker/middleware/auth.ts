import type { MiddlewareHandler } from 'hono';
import { verify } from 'hono/jwt';
import type { AppEnv, EndUser, TenantContext } from '../env';
import { AppError } from '../errors';
import { deriveUserTokenSecret, parseKey, sha256Hex, timingSafeEqualStrings, type KeyKind } from '../domain/crypto';
import { findKey } from '../db/tenants';

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

const unauthorized = (detail: string) => new AppError('unauthorized', { code: 'unauthorized', detail });

// Per-isolate cache of verified keys: a hot key costs no D1 round trip. Entries live briefly so
// a revoked key stops working within the TTL on every isolate.
const KEY_CACHE_TTL_MS = 30_000;
const KEY_CACHE_MAX = 1_000;
const keyCache = new Map<string, { tenant: TenantContext; tokenSecretVersion: number; expires: number }>();

/** Drops every cached key of a tenant (used after changes to the tenant itself). */
export function forgetTenantKeys(tenantId: string): void {
  for (const [hash, entry] of keyCache) if (entry.tenant.id === tenantId) keyCache.delete(hash);
}

async function authenticate(c: Parameters<MiddlewareHandler<AppEnv>>[0], kind: KeyKind): Promise<void> {
  const key = bearer(c.req.header('Authorization'));
  if (!key) throw unauthorized('Missing `Authorization: Bearer` key.');
  const parsed = parseKey(key);
  const expected = kind === 'secret' ? 'sk_' : 'pk_';
  if (!parsed || parsed.kind !== kind) throw unauthorized(`Expected a ${expected}… key.`);
  const hash = await sha256Hex(key);
  const now = Date.now();
  const cached = keyCache.get(hash);
  if (cached && cached.expires > now) {
    c.set('tenant', cached.tenant);
    tokenSecretVersions.set(cached.tenant.id, cached.tokenSecretVersion);
    return;
  }
  const record = await findKey(c.get('db'), parsed.keyId, kind);
  if (!record || !timingSafeEqualStrings(record.hash, hash)) throw unauthorized('Invalid key.');
  const tenant: TenantContext = {
    id: record.tenant.id,
    name: record.tenant.name,
    timeZone: record.tenant.timeZone,
    allowedOrigins: record.tenant.allowedOrigins,
    checkoutHoldMinutes: record.tenant.checkoutHoldMinutes,
  };
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(hash, { tenant, tokenSecretVersion: record.tenant.userTokenSecretVersion, expires: now + KEY_CACHE_TTL_MS });
  tokenSecretVersions.set(tenant.id, record.tenant.userTokenSecretVersion);
  c.set('tenant', tenant);
}

/** `/admin/v1`: a tenant's secret key. */
export function secretKeyAuth(): MiddlewareHandler<AppEnv> {
  return async function secretKeyAuth(c, next) {
    await authenticate(c, 'secret');
    await next();
  };
}

/**
 * `/v1`: a tenant's publishable key. A browser request (one with `Origin`) must come from one
 * of the tenant's allowed origins; it then gets CORS headers for that origin only.
 */
export function publishableKeyAuth(): MiddlewareHandler<AppEnv> {
  return async function publishableKeyAuth(c, next) {
    await authenticate(c, 'publishable');
    const origin = c.req.header('Origin');
    const tenant = c.get('tenant');
    if (origin) {
      if (!tenant.allowedOrigins.includes(origin) && !tenant.allowedOrigins.includes('*')) {
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

const tokenSecretVersions = new Map<string, number>();
const VERIFIED_TOKENS_MAX = 10_000;
const verifiedTokens = new Map<string, { user: EndUser; expires: number }>();
const derivedSecrets = new Map<string, string>();

async function userTokenSecret(derivationKey: string, tenantId: string): Promise<string> {
  const version = tokenSecretVersions.get(tenantId) ?? 1;
  const cacheKey = `${tenantId}:${version}`;
  let secret = derivedSecrets.get(cacheKey);
  if (!secret) {
    secret = await deriveUserTokenSecret(derivationKey, tenantId, version);
    derivedSecrets.set(cacheKey, secret);
  }
  return secret;
}

/**
 * Reads `X-User-Token` (HS256, signed with the tenant's user-token secret, `exp` required).
 * An absent token leaves the caller anonymous; a present but invalid one is refused.
 */
export function userToken(): MiddlewareHandler<AppEnv> {
  return async function userToken(c, next) {
    const token = c.req.header('X-User-Token');
    c.set('user', null);
    if (token) {
      const tenant = c.get('tenant');
      // A token already verified by this isolate (same tenant, same secret version, not expired)
      // skips the HMAC: the widget sends the same token on every call.
      const verifiedKey = `${tenant.id}:${tokenSecretVersions.get(tenant.id) ?? 1}:${token}`;
      const known = verifiedTokens.get(verifiedKey);
      if (known && known.expires > Date.now()) {
        c.set('user', known.user);
        return next();
      }
      const secret = await userTokenSecret(c.env.SECRET_DERIVATION_KEY, tenant.id);
      let payload: Record<string, unknown>;
      try {
        payload = (await verify(token, secret, 'HS256')) as Record<string, unknown>;
      } catch {
        throw new AppError('unauthorized', { code: 'invalid_user_token', detail: 'The user token is invalid or expired.' });
      }
      const user = toEndUser(payload);
      if (!user) {
        throw new AppError('unauthorized', {
          code: 'invalid_user_token',
          detail: 'The user token needs `sub`, and `exp`; `email` and `email_verified` are optional.',
        });
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

/**
 * Pure decisions of tenant authentication: whether a key (or a console session) still works,
 * which user-token secret version a token may use, and the longest lifetime a user token may
 * claim. No I/O here; worker/middleware/auth.ts loads the rows and applies the decisions.
 */

/** User tokens whose `exp` is further ahead than this are refused (docs/tenants.md). */
export const MAX_USER_TOKEN_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/** The previous user-token secret keeps verifying this long after a newer one is made. */
export const USER_TOKEN_SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;
/** A console session lasts this long (the cookie's Max-Age too). */
export const CONSOLE_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** The overlap of a replaced key: 0–168 hours, 24 by default. */
export const MAX_EXPIRE_CURRENT_HOURS = 168;
export const DEFAULT_EXPIRE_CURRENT_HOURS = 24;

export interface KeyState {
  revokedAt: number | null;
  expiresAt: number | null;
}

export type KeyDecision =
  | { kind: 'valid' }
  | { kind: 'refused'; reason: 'revoked' | 'expired' | 'tenant_disabled' | 'session_expired' };

/** A key works while it is neither revoked nor past its `expires_at`, and its tenant is enabled. */
export function decideKey(key: KeyState, tenantDisabledAt: number | null, now: number): KeyDecision {
  if (key.revokedAt !== null && key.revokedAt <= now) return { kind: 'refused', reason: 'revoked' };
  if (key.expiresAt !== null && key.expiresAt <= now) return { kind: 'refused', reason: 'expired' };
  if (tenantDisabledAt !== null) return { kind: 'refused', reason: 'tenant_disabled' };
  return { kind: 'valid' };
}

/** A console session works until its own expiry, and only while the key that opened it works. */
export function decideSession(sessionExpiresAt: number, key: KeyState, tenantDisabledAt: number | null, now: number): KeyDecision {
  if (sessionExpiresAt <= now) return { kind: 'refused', reason: 'session_expired' };
  return decideKey(key, tenantDisabledAt, now);
}

export interface TokenSecretState {
  /** The newest version. */
  current: number;
  /** Until when `current - 1` still verifies (null: never, e.g. no rotation yet). */
  previousUntil: number | null;
}

export type TokenVersionDecision = { kind: 'accepted'; version: number } | { kind: 'rejected'; reason: string };

/**
 * The secret version a token names in its JWT header `kid` (absent: version 1). The current
 * version verifies; the one before it for 24 h after the rotation; older ones never.
 */
export function decideTokenVersion(kid: unknown, state: TokenSecretState, now: number): TokenVersionDecision {
  let version: number;
  if (kid === undefined || kid === null) version = 1;
  else if (typeof kid === 'string' && /^[1-9][0-9]{0,8}$/.test(kid)) version = Number(kid);
  else if (typeof kid === 'number' && Number.isInteger(kid) && kid >= 1) version = kid;
  else return { kind: 'rejected', reason: 'The token header `kid` must be a user-token secret version such as "2".' };
  if (version === state.current) return { kind: 'accepted', version };
  if (version === state.current - 1 && state.previousUntil !== null && now < state.previousUntil) return { kind: 'accepted', version };
  if (version > state.current) return { kind: 'rejected', reason: `User-token secret version ${version} does not exist.` };
  return { kind: 'rejected', reason: `User-token secret version ${version} has been replaced and no longer verifies.` };
}

/** Clocks differ: a token minted for exactly 30 days by a server a little ahead of ours still passes. */
export const TOKEN_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Tokens may not claim to live longer than 30 days from now (plus the clock-skew allowance). */
export function tokenLifetimeAllowed(expSeconds: number, now: number): boolean {
  return expSeconds * 1000 - now <= MAX_USER_TOKEN_LIFETIME_MS + TOKEN_CLOCK_SKEW_MS;
}

/** The key value's first characters shown in lists: the kind prefix and the public key id. */
export function keyPrefix(kind: 'secret' | 'publishable', keyId: string): string {
  return `${kind === 'secret' ? 'sk_' : 'pk_'}${keyId}`;
}

/** The new `expires_at` of a key being replaced: never later than it already was. */
export function replacedKeyExpiry(current: number | null, now: number, hours: number): number {
  const at = now + hours * 60 * 60 * 1000;
  return current === null ? at : Math.min(current, at);
}

import { describe, expect, it } from 'vitest';
import {
  MAX_USER_TOKEN_LIFETIME_MS,
  TOKEN_CLOCK_SKEW_MS,
  USER_TOKEN_SECRET_OVERLAP_MS,
  decideKey,
  decideSession,
  decideTokenVersion,
  keyPrefix,
  replacedKeyExpiry,
  tokenLifetimeAllowed,
} from '../../worker/domain/tenant-auth';

const NOW = Date.UTC(2026, 0, 15, 12);

describe('decideKey / decideSession', () => {
  it('a key works until revoked_at or expires_at, and never for a disabled tenant', () => {
    expect(decideKey({ revokedAt: null, expiresAt: null }, null, NOW)).toEqual({ kind: 'valid' });
    expect(decideKey({ revokedAt: null, expiresAt: NOW + 1 }, null, NOW)).toEqual({ kind: 'valid' });
    expect(decideKey({ revokedAt: null, expiresAt: NOW }, null, NOW)).toEqual({ kind: 'refused', reason: 'expired' });
    expect(decideKey({ revokedAt: NOW - 1, expiresAt: null }, null, NOW)).toEqual({ kind: 'refused', reason: 'revoked' });
    expect(decideKey({ revokedAt: null, expiresAt: null }, NOW - 5, NOW)).toEqual({ kind: 'refused', reason: 'tenant_disabled' });
    // A bad key is refused as such (401) before the tenant's state (403) is told.
    expect(decideKey({ revokedAt: NOW - 1, expiresAt: null }, NOW - 5, NOW)).toEqual({ kind: 'refused', reason: 'revoked' });
  });

  it('a session ends at its own expiry or with its key', () => {
    const key = { revokedAt: null, expiresAt: null };
    expect(decideSession(NOW + 1, key, null, NOW)).toEqual({ kind: 'valid' });
    expect(decideSession(NOW, key, null, NOW)).toEqual({ kind: 'refused', reason: 'session_expired' });
    expect(decideSession(NOW + 1, { revokedAt: NOW, expiresAt: null }, null, NOW)).toEqual({ kind: 'refused', reason: 'revoked' });
    expect(decideSession(NOW + 1, { revokedAt: null, expiresAt: NOW - 1 }, null, NOW)).toEqual({ kind: 'refused', reason: 'expired' });
  });
});

describe('decideTokenVersion', () => {
  const fresh = { current: 1, previousUntil: null };
  const rotated = { current: 3, previousUntil: NOW + USER_TOKEN_SECRET_OVERLAP_MS };

  it('no kid is version 1; kid as a string or a number', () => {
    expect(decideTokenVersion(undefined, fresh, NOW)).toEqual({ kind: 'accepted', version: 1 });
    expect(decideTokenVersion('1', fresh, NOW)).toEqual({ kind: 'accepted', version: 1 });
    expect(decideTokenVersion(3, rotated, NOW)).toEqual({ kind: 'accepted', version: 3 });
    expect(decideTokenVersion('3', rotated, NOW)).toEqual({ kind: 'accepted', version: 3 });
  });

  it('the previous version until previousUntil, older ones never, unknown and malformed ones never', () => {
    expect(decideTokenVersion('2', rotated, NOW)).toEqual({ kind: 'accepted', version: 2 });
    expect(decideTokenVersion('2', rotated, rotated.previousUntil - 1).kind).toBe('accepted');
    expect(decideTokenVersion('2', rotated, rotated.previousUntil).kind).toBe('rejected');
    expect(decideTokenVersion('1', rotated, NOW).kind).toBe('rejected');
    expect(decideTokenVersion(undefined, rotated, NOW).kind).toBe('rejected');
    expect(decideTokenVersion('4', rotated, NOW).kind).toBe('rejected');
    for (const kid of ['0', '-1', '02', 'v2', '', 2.5, true, {}, '1e3']) expect(decideTokenVersion(kid, rotated, NOW).kind, String(kid)).toBe('rejected');
  });
});

describe('limits and helpers', () => {
  it('tokens may live at most 30 days', () => {
    const max = (NOW + MAX_USER_TOKEN_LIFETIME_MS + TOKEN_CLOCK_SKEW_MS) / 1000;
    expect(TOKEN_CLOCK_SKEW_MS).toBe(5 * 60 * 1000);
    expect(tokenLifetimeAllowed((NOW + MAX_USER_TOKEN_LIFETIME_MS) / 1000, NOW)).toBe(true);
    expect(tokenLifetimeAllowed(max, NOW)).toBe(true);
    expect(tokenLifetimeAllowed(max + 1, NOW)).toBe(false);
    expect(tokenLifetimeAllowed((NOW + 31 * 86400_000) / 1000, NOW)).toBe(false);
    expect(tokenLifetimeAllowed(NOW / 1000 + 60, NOW)).toBe(true);
  });

  it('a replaced key never gets a later expiry than it had', () => {
    expect(replacedKeyExpiry(null, NOW, 24)).toBe(NOW + 24 * 3600_000);
    expect(replacedKeyExpiry(NOW + 3600_000, NOW, 24)).toBe(NOW + 3600_000);
    expect(replacedKeyExpiry(NOW + 48 * 3600_000, NOW, 0)).toBe(NOW);
  });

  it('prefixes are the value’s first characters', () => {
    expect(keyPrefix('secret', 'abc123def456')).toBe('sk_abc123def456');
    expect(keyPrefix('publishable', 'abc123def456')).toBe('pk_abc123def456');
  });
});

import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { apiKeys, consoleSessions, tenants } from './schema';
import type { KeyKind } from '../domain/crypto';

export type TenantRow = typeof tenants.$inferSelect;

export interface KeyRecord {
  keyId: string;
  hash: string;
  revokedAt: number | null;
  expiresAt: number | null;
  tenant: TenantRow;
}

/**
 * One round trip: the key's hash, state and its tenant, by key id and kind. Revoked and
 * expired keys are returned too, so the caller can tell why a key is refused.
 */
export async function findKey(db: Db, keyId: string, kind: KeyKind): Promise<KeyRecord | null> {
  const row = await db
    .select({ keyId: apiKeys.id, hash: apiKeys.hash, revokedAt: apiKeys.revokedAt, expiresAt: apiKeys.expiresAt, tenant: tenants })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.kind, kind)))
    .get();
  return row ?? null;
}

export interface SessionRecord {
  keyId: string;
  sessionExpiresAt: number;
  revokedAt: number | null;
  expiresAt: number | null;
  tenant: TenantRow;
}

/** One round trip: a console session (by the SHA-256 of its token), the key that opened it and its tenant. */
export async function findSession(db: Db, sessionHash: string): Promise<SessionRecord | null> {
  const row = await db
    .select({
      keyId: apiKeys.id,
      sessionExpiresAt: consoleSessions.expiresAt,
      revokedAt: apiKeys.revokedAt,
      expiresAt: apiKeys.expiresAt,
      tenant: tenants,
    })
    .from(consoleSessions)
    .innerJoin(apiKeys, and(eq(apiKeys.id, consoleSessions.keyId), eq(apiKeys.tenantId, consoleSessions.tenantId)))
    .innerJoin(tenants, eq(tenants.id, consoleSessions.tenantId))
    .where(eq(consoleSessions.id, sessionHash))
    .get();
  return row ?? null;
}

export function getTenant(db: Db, tenantId: string) {
  return db.select().from(tenants).where(eq(tenants.id, tenantId)).get();
}

export interface TenantSettingsPatch {
  name?: string;
  timeZone?: string;
  allowedOrigins?: string[];
  checkoutHoldMinutes?: number;
}

export function updateTenantStatement(db: Db, tenantId: string, patch: TenantSettingsPatch) {
  return db
    .update(tenants)
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.timeZone !== undefined ? { timeZone: patch.timeZone } : {}),
      ...(patch.allowedOrigins !== undefined ? { allowedOrigins: patch.allowedOrigins } : {}),
      ...(patch.checkoutHoldMinutes !== undefined ? { checkoutHoldMinutes: patch.checkoutHoldMinutes } : {}),
    })
    .where(eq(tenants.id, tenantId))
    .returning();
}

/** The operator's list of tenants, keyset-paginated by id. */
export function listTenants(db: Db, limit: number, after?: string) {
  return db
    .select()
    .from(tenants)
    .where(after ? gt(tenants.id, after) : undefined)
    .orderBy(asc(tenants.id))
    .limit(limit + 1)
    .all();
}

/** Disables (keeps the first instant) or re-enables a tenant. */
export function setTenantDisabled(db: Db, tenantId: string, disabled: boolean, now: number) {
  return db
    .update(tenants)
    .set({ disabledAt: disabled ? sql`coalesce(${tenants.disabledAt}, ${now})` : null })
    .where(eq(tenants.id, tenantId))
    .returning()
    .get();
}

export function tenantSettingsJson(row: TenantRow) {
  return {
    id: row.id,
    name: row.name,
    time_zone: row.timeZone,
    allowed_origins: row.allowedOrigins,
    checkout_hold_minutes: row.checkoutHoldMinutes,
  };
}

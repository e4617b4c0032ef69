import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { apiKeys, consoleSessions } from './schema';
import type { IssuedKey, KeyKind } from '../domain/crypto';
import { keyPrefix } from '../domain/tenant-auth';
import { iso } from '../domain/instants';

export type KeyRow = typeof apiKeys.$inferSelect;

export function listKeys(db: Db, tenantId: string) {
  return db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id)).all();
}

export function findTenantKey(db: Db, tenantId: string, keyId: string) {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId)))
    .get();
}

/**
 * One batch: the current unexpired, unrevoked keys of that kind get `expires_at` (never later
 * than they already had), then the new key is inserted (so it is not among those expired).
 */
export async function createKey(db: Db, tenantId: string, kind: KeyKind, issued: IssuedKey, now: number, expireAt: number): Promise<KeyRow> {
  const [, inserted] = await db.batch([
    db
      .update(apiKeys)
      .set({ expiresAt: sql`CASE WHEN ${apiKeys.expiresAt} IS NULL OR ${apiKeys.expiresAt} > ${expireAt} THEN ${expireAt} ELSE ${apiKeys.expiresAt} END` })
      .where(
        and(
          eq(apiKeys.tenantId, tenantId),
          eq(apiKeys.kind, kind),
          sql`${apiKeys.revokedAt} IS NULL`,
          sql`(${apiKeys.expiresAt} IS NULL OR ${apiKeys.expiresAt} > ${now})`,
        ),
      ),
    db.insert(apiKeys).values({ id: issued.keyId, tenantId, kind, hash: issued.hash, createdAt: now }).returning(),
  ]);
  return inserted[0]!;
}

export type RevokeResult = { kind: 'revoked'; key: KeyRow } | { kind: 'not_found' } | { kind: 'last_secret_key' };

/**
 * Revokes a key at once, in one conditional write: a secret key only while another secret key
 * of the tenant still works (not revoked, not expired), so two concurrent revocations can never
 * leave a tenant without one. The key's console sessions are deleted in the same batch.
 * Revoking an already revoked key answers it unchanged.
 */
export async function revokeKey(db: Db, tenantId: string, keyId: string, now: number): Promise<RevokeResult> {
  const [updated, , current] = await db.batch([
    db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(
        and(
          eq(apiKeys.tenantId, tenantId),
          eq(apiKeys.id, keyId),
          sql`${apiKeys.revokedAt} IS NULL`,
          sql`(${apiKeys.kind} <> 'secret' OR EXISTS (
            SELECT 1 FROM api_keys other WHERE other.tenant_id = ${tenantId} AND other.kind = 'secret'
              AND other.id <> ${keyId} AND other.revoked_at IS NULL
              AND (other.expires_at IS NULL OR other.expires_at > ${now})))`,
        ),
      )
      .returning(),
    db.delete(consoleSessions).where(and(eq(consoleSessions.tenantId, tenantId), eq(consoleSessions.keyId, keyId), sql`EXISTS (SELECT 1 FROM api_keys k WHERE k.id = ${keyId} AND k.tenant_id = ${tenantId} AND k.revoked_at IS NOT NULL)`)),
    db.select().from(apiKeys).where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId))),
  ]);
  if (updated[0]) return { kind: 'revoked', key: updated[0] };
  const row = current[0];
  if (!row) return { kind: 'not_found' };
  if (row.revokedAt !== null) return { kind: 'revoked', key: row };
  return { kind: 'last_secret_key' };
}

/** `last_used_at` moves forward only (isolates write it in any order). */
export function touchKeyLastUsed(db: Db, keyId: string, now: number) {
  return db
    .update(apiKeys)
    .set({ lastUsedAt: sql`max(coalesce(${apiKeys.lastUsedAt}, 0), ${now})` })
    .where(eq(apiKeys.id, keyId))
    .run();
}

export function keyJson(row: KeyRow) {
  return {
    id: row.id,
    kind: row.kind,
    prefix: keyPrefix(row.kind, row.id),
    created_at: iso(row.createdAt)!,
    expires_at: iso(row.expiresAt),
    revoked_at: iso(row.revokedAt),
    last_used_at: iso(row.lastUsedAt),
  };
}

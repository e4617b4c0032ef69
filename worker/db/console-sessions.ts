import { and, eq, lt } from 'drizzle-orm';
import type { Db } from './client';
import { consoleSessions } from './schema';

/**
 * Stores a session by the SHA-256 of its token (the token itself is only in the cookie), and in
 * the same batch deletes the tenant's sessions that have expired, so the table stays small
 * without a sweep.
 */
export async function createSession(db: Db, row: { hash: string; tenantId: string; keyId: string; now: number; expiresAt: number }) {
  await db.batch([
    db.delete(consoleSessions).where(and(eq(consoleSessions.tenantId, row.tenantId), lt(consoleSessions.expiresAt, row.now))),
    db.insert(consoleSessions).values({ id: row.hash, tenantId: row.tenantId, keyId: row.keyId, createdAt: row.now, expiresAt: row.expiresAt }),
  ]);
}

export function deleteSession(db: Db, tenantId: string, hash: string) {
  return db
    .delete(consoleSessions)
    .where(and(eq(consoleSessions.tenantId, tenantId), eq(consoleSessions.id, hash)))
    .run();
}

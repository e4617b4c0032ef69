import { and, eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { tenants, userTokenSecrets } from './schema';

/** Version 1 of a new tenant's user-token secret (in the tenant's creation batch). */
export function firstSecretVersion(db: Db, tenantId: string, now: number) {
  return db.insert(userTokenSecrets).values({ tenantId, version: 1, createdAt: now });
}

/**
 * One batch: records version current+1 and makes it current; the version it replaces keeps
 * verifying until `previousUntil`. Concurrent rotations each get their own version.
 */
export async function rotateUserTokenSecret(db: Db, tenantId: string, now: number, previousUntil: number): Promise<number | null> {
  const [updated] = await db.batch([
    db
      .update(tenants)
      .set({ userTokenSecretVersion: sql`${tenants.userTokenSecretVersion} + 1`, userTokenPreviousUntil: previousUntil })
      .where(eq(tenants.id, tenantId))
      .returning({ version: tenants.userTokenSecretVersion }),
    // The version just made current (read inside the same transaction).
    db.insert(userTokenSecrets).select(
      db
        .select({ tenantId: tenants.id, version: tenants.userTokenSecretVersion, createdAt: sql<number>`${now}`.as('created_at') })
        .from(tenants)
        .where(eq(tenants.id, tenantId)),
    ),
  ]);
  return updated[0]?.version ?? null;
}

export function listSecretVersions(db: Db, tenantId: string) {
  return db.select().from(userTokenSecrets).where(and(eq(userTokenSecrets.tenantId, tenantId))).orderBy(userTokenSecrets.version).all();
}

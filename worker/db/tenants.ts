import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from './client';
import { apiKeys, tenants } from './schema';
import type { KeyKind } from '../domain/crypto';

export interface KeyRecord {
  hash: string;
  tenant: typeof tenants.$inferSelect;
}

/** One round trip: the key's hash and its tenant, by key id and kind. */
export async function findKey(db: Db, keyId: string, kind: KeyKind): Promise<KeyRecord | null> {
  const row = await db
    .select({ hash: apiKeys.hash, tenant: tenants })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.kind, kind), isNull(apiKeys.revokedAt)))
    .get();
  return row ?? null;
}

import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { plans, products, subscriptions, tenants } from './schema';
import { iso } from '../schemas/common';

export type ProductRow = typeof products.$inferSelect;
export type PlanRow = typeof plans.$inferSelect;

export const productJson = (p: ProductRow) => ({
  id: p.id,
  name: p.name,
  description: p.description,
  created_at: iso(p.createdAt)!,
  updated_at: iso(p.updatedAt)!,
});

export const planJson = (p: PlanRow) => ({
  id: p.id,
  product_id: p.productId,
  name: p.name,
  description: p.description,
  duration: p.duration,
  price: p.price,
  currency: p.currency,
  pricing: p.pricing,
  active: p.active,
  created_at: iso(p.createdAt)!,
  updated_at: iso(p.updatedAt)!,
});

export function findProduct(db: Db, tenantId: string, id: string) {
  return db.select().from(products).where(and(eq(products.tenantId, tenantId), eq(products.id, id))).get();
}

export function findPlan(db: Db, tenantId: string, id: string) {
  return db.select().from(plans).where(and(eq(plans.tenantId, tenantId), eq(plans.id, id))).get();
}

/** Keyset pagination by id (ids are time-sortable). */
export async function listPage<T extends { id: string }>(rows: T[], limit: number) {
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  return { data, has_more: hasMore, next_cursor: hasMore ? data[data.length - 1]!.id : null };
}

export function listProducts(db: Db, tenantId: string, limit: number, after?: string) {
  return db
    .select()
    .from(products)
    .where(and(eq(products.tenantId, tenantId), after ? gt(products.id, after) : undefined))
    .orderBy(asc(products.id))
    .limit(limit + 1)
    .all();
}

export function listPlans(db: Db, tenantId: string, opts: { productId?: string; activeOnly?: boolean; limit: number; after?: string }) {
  return db
    .select()
    .from(plans)
    .where(
      and(
        eq(plans.tenantId, tenantId),
        opts.productId ? eq(plans.productId, opts.productId) : undefined,
        opts.activeOnly ? eq(plans.active, true) : undefined,
        opts.after ? gt(plans.id, opts.after) : undefined,
      ),
    )
    .orderBy(asc(plans.id))
    .limit(opts.limit + 1)
    .all();
}

export async function planHasSubscriptions(db: Db, tenantId: string, planId: string): Promise<boolean> {
  const row = await db
    .select({ one: sql<number>`1` })
    .from(subscriptions)
    .where(and(eq(subscriptions.tenantId, tenantId), eq(subscriptions.planId, planId)))
    .limit(1)
    .get();
  return row !== undefined;
}

/** In-isolate caches keyed on `catalog_version` (offers' quote cache) drop a tenant's entry when this isolate bumps it. */
const catalogBumpListeners = new Set<(tenantId: string) => void>();
export function onCatalogBump(listener: (tenantId: string) => void): void {
  catalogBumpListeners.add(listener);
}
export function notifyCatalogBump(tenantId: string): void {
  for (const listener of catalogBumpListeners) listener(tenantId);
}

/**
 * Statement that invalidates the tenant's edge caches of offers, plans and groups; put it in the
 * write's batch. Also drops this isolate's caches at once. `bumpCatalogStatement` is the same for
 * raw D1 batches.
 */
export function bumpCatalogVersion(db: Db, tenantId: string) {
  notifyCatalogBump(tenantId);
  return db
    .update(tenants)
    .set({ catalogVersion: sql`${tenants.catalogVersion} + 1` })
    .where(eq(tenants.id, tenantId));
}

export function bumpCatalogStatement(d1: Pick<D1Database, 'prepare'>, tenantId: string): D1PreparedStatement {
  notifyCatalogBump(tenantId);
  return d1.prepare('UPDATE tenants SET catalog_version = catalog_version + 1 WHERE id = ?').bind(tenantId);
}

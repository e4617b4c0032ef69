import { and, asc, eq, gt, notExists, sql } from 'drizzle-orm';
import type { Db } from './client';
import { offerProducts, plans, products, subscriptions, tenants } from './schema';
import { invalidateTenant } from '../lib/cache';

export type ProductRow = typeof products.$inferSelect;
export type PlanRow = typeof plans.$inferSelect;

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

/** A page of plans (`limit + 1` rows, for `has_more`): every filter is in the query, before the limit. */
export function listPlans(db: Db, tenantId: string, opts: { productId?: string; active?: boolean; limit: number; after?: string }) {
  return db
    .select()
    .from(plans)
    .where(
      and(
        eq(plans.tenantId, tenantId),
        opts.productId ? eq(plans.productId, opts.productId) : undefined,
        opts.active !== undefined ? eq(plans.active, opts.active) : undefined,
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

export type NewProduct = typeof products.$inferInsert;
export type NewPlan = typeof plans.$inferInsert;

export async function insertProduct(db: Db, row: NewProduct): Promise<void> {
  await db.insert(products).values(row);
}

export function updateProduct(db: Db, tenantId: string, id: string, u: { name?: string; description?: string | null; now: number }) {
  return db
    .update(products)
    .set({ ...(u.name !== undefined ? { name: u.name } : {}), ...(u.description !== undefined ? { description: u.description } : {}), updatedAt: u.now })
    .where(and(eq(products.tenantId, tenantId), eq(products.id, id)))
    .returning()
    .get();
}

/** Deletes a product no plan and no offer refers to, in one statement; false when it is unknown or in use. */
export async function deleteUnusedProduct(db: Db, tenantId: string, id: string): Promise<boolean> {
  const deleted = await db
    .delete(products)
    .where(
      and(
        eq(products.tenantId, tenantId),
        eq(products.id, id),
        notExists(db.select().from(plans).where(and(eq(plans.tenantId, tenantId), eq(plans.productId, id)))),
        notExists(db.select().from(offerProducts).where(and(eq(offerProducts.tenantId, tenantId), eq(offerProducts.productId, id)))),
      ),
    )
    .returning({ id: products.id })
    .get();
  return deleted !== undefined;
}

/** Inserts a plan with the catalog bump, in one batch (drop caches after: `afterCommit`). */
export async function insertPlan(db: Db, row: NewPlan): Promise<void> {
  await db.batch([db.insert(plans).values(row), bumpCatalogVersion(db, row.tenantId)]);
}

/** Changes the given columns of a plan with the catalog bump; undefined when unknown. */
export async function updatePlan(db: Db, tenantId: string, id: string, u: { name?: string; description?: string | null; price?: number; active?: boolean; now: number }) {
  const [updated] = await db.batch([
    db
      .update(plans)
      .set({
        ...(u.name !== undefined ? { name: u.name } : {}),
        ...(u.description !== undefined ? { description: u.description } : {}),
        ...(u.price !== undefined ? { price: u.price } : {}),
        ...(u.active !== undefined ? { active: u.active } : {}),
        updatedAt: u.now,
      })
      .where(and(eq(plans.tenantId, tenantId), eq(plans.id, id)))
      .returning(),
    bumpCatalogVersion(db, tenantId),
  ]);
  return updated[0];
}

/** Deletes a plan that never had a subscription, with the catalog bump; false when unknown or in use. */
export async function deleteUnusedPlan(db: Db, tenantId: string, id: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db
      .delete(plans)
      .where(
        and(
          eq(plans.tenantId, tenantId),
          eq(plans.id, id),
          notExists(db.select().from(subscriptions).where(and(eq(subscriptions.tenantId, tenantId), eq(subscriptions.planId, id)))),
        ),
      )
      .returning({ id: plans.id }),
    bumpCatalogVersion(db, tenantId),
  ]);
  return deleted.length > 0;
}

/**
 * Statement that moves the tenant's definitions version (offers, plans, groups): put it in the
 * write's batch. It does NOT drop this isolate's caches: the caller does that once the batch
 * has resolved (`catalogChanged`, or `afterCommit('catalog', …)` of worker/lib/cache.ts), so a
 * read racing the write can never re-cache the old rows after the drop. `bumpCatalogStatement`
 * is the same for raw D1 batches.
 */
export function bumpCatalogVersion(db: Db, tenantId: string) {
  return db
    .update(tenants)
    .set({ catalogVersion: sql`${tenants.catalogVersion} + 1` })
    .where(eq(tenants.id, tenantId));
}

export function bumpCatalogStatement(d1: Pick<D1Database, 'prepare'>, tenantId: string): D1PreparedStatement {
  return d1.prepare('UPDATE tenants SET catalog_version = catalog_version + 1 WHERE id = ?').bind(tenantId);
}

/** After a committed write to a tenant's offers, plans or groups: drops this isolate's cached definitions. */
export function catalogChanged(tenantId: string): void {
  invalidateTenant('catalog', tenantId);
}

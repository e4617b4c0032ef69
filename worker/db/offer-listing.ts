/**
 * `GET /v1/offers` in one D1 round trip, with the tenant's public offer definitions cached in
 * the isolate. The batch always reads `tenants.catalog_version`; the definition statements
 * are conditional on that version differing from the cached one, so a fresh cache costs
 * nothing but the user-specific and live reads, and a stale one is reloaded in the same
 * round trip. Every write to offers or plans bumps the version (bumpCatalogVersion).
 */
import { OFFER_COLUMNS, PLAN_COLUMNS, offerFacts, type D1, type OfferRow, type PlanRowRaw } from './offers';
import type { OfferFacts } from '../domain/offer-rules';

export interface PublicCatalog {
  version: number;
  offers: OfferRow[];
  /** Parsed once per load. */
  facts: OfferFacts[];
  productsByOffer: Map<string, Set<string>>;
  plans: PlanRowRaw[];
  loadedAt: number;
}

const MAX_TENANTS = 500;
const cache = new Map<string, PublicCatalog>();

/** Test hook and memory bound: forget every cached catalog. */
export function clearOfferCache(): void {
  cache.clear();
}

export interface ListingReads {
  catalog: PublicCatalog;
  listedOfferIds: Set<string>;
  liveCounts: Map<string, number>;
}

export async function readForListing(db: D1, q: { tenantId: string; now: number; user: { id: string; email: string | null } | null }): Promise<ListingReads> {
  const cached = cache.get(q.tenantId);
  const known = cached?.version ?? -1;
  const STALE = '(SELECT catalog_version FROM tenants WHERE id = ?) <> ?';
  const LIVE = "o.tenant_id = ? AND o.discoverability = 'public' AND o.deleted_at IS NULL AND o.state <> 'failed' AND o.ends_at > ? AND (o.ended_at IS NULL OR o.ended_at > ?)";
  const stmts: D1PreparedStatement[] = [
    db.prepare('SELECT catalog_version FROM tenants WHERE id = ?').bind(q.tenantId),
    db.prepare(`SELECT ${OFFER_COLUMNS} FROM offers o WHERE ${LIVE} AND ${STALE} ORDER BY o.id`).bind(q.tenantId, q.now, q.now, q.tenantId, known),
    db
      .prepare(`SELECT op.offer_id, op.product_id FROM offer_products op JOIN offers o ON o.id = op.offer_id WHERE ${LIVE} AND ${STALE}`)
      .bind(q.tenantId, q.now, q.now, q.tenantId, known),
    db.prepare(`SELECT ${PLAN_COLUMNS} FROM plans WHERE tenant_id = ? AND active = 1 AND ${STALE}`).bind(q.tenantId, q.tenantId, known),
    // Live counts of the cached offers with max_redemptions, by primary key (when the cache
    // turns out stale, the reloaded rows carry their counts, read in the same transaction).
    db
      .prepare('SELECT id, redemptions_count FROM offers WHERE id IN (SELECT value FROM json_each(?))')
      .bind(JSON.stringify(cached ? cached.offers.filter((o) => o.max_redemptions !== null).map((o) => o.id) : [])),
  ];
  if (q.user) {
    stmts.push(
      db
        // A UNION of two index searches (an OR made SQLite scan the tenant's whole list).
        .prepare(
          q.user.email
            ? 'SELECT offer_id FROM eligible_users WHERE tenant_id = ? AND user_id = ? UNION SELECT offer_id FROM eligible_users WHERE tenant_id = ? AND email = ?'
            : 'SELECT DISTINCT offer_id FROM eligible_users WHERE tenant_id = ? AND user_id = ?',
        )
        .bind(...(q.user.email ? [q.tenantId, q.user.id, q.tenantId, q.user.email] : [q.tenantId, q.user.id])),
    );
  }
  const results = await db.batch<Record<string, unknown>>(stmts);
  const version = (results[0]!.results[0] as { catalog_version: number } | undefined)?.catalog_version ?? 0;
  let catalog: PublicCatalog;
  if (cached && cached.version === version) {
    catalog = cached;
  } else {
    const productsByOffer = new Map<string, Set<string>>();
    for (const r of results[2]!.results as { offer_id: string; product_id: string }[]) {
      let set = productsByOffer.get(r.offer_id);
      if (!set) productsByOffer.set(r.offer_id, (set = new Set()));
      set.add(r.product_id);
    }
    catalog = {
      version,
      offers: results[1]!.results as unknown as OfferRow[],
      facts: (results[1]!.results as unknown as OfferRow[]).map(offerFacts),
      productsByOffer,
      plans: results[3]!.results as unknown as PlanRowRaw[],
      loadedAt: q.now,
    };
    if (cache.size >= MAX_TENANTS && !cache.has(q.tenantId)) cache.delete(cache.keys().next().value!);
    cache.set(q.tenantId, catalog);
  }
  const liveCounts = new Map<string, number>();
  if (catalog === cached) {
    for (const r of results[4]!.results as { id: string; redemptions_count: number }[]) liveCounts.set(r.id, r.redemptions_count);
  } else {
    for (const o of catalog.offers) liveCounts.set(o.id, o.redemptions_count);
  }
  const listedOfferIds = new Set<string>();
  if (q.user) for (const r of results[5]!.results as { offer_id: string }[]) listedOfferIds.add(r.offer_id);
  return { catalog, listedOfferIds, liveCounts };
}

/**
 * `GET /v1/offers` in one D1 round trip, with the tenant's public offer definitions cached in
 * the isolate (worker/lib/cache.ts, docs/caching.md). The batch reads the definitions' version
 * (DEFINITIONS_VERSION_SQL); the definition statements are conditional on that version
 * differing from the cached one, so a fresh cache costs nothing but the user-specific and live
 * reads, and a stale one is reloaded in the same round trip. Every write to offers or plans
 * bumps the version; committed writes in this isolate drop the entry (catalogChanged); within
 * LISTING_RECHECK_MS of the last version read only the live parts are read (readLiveOnly), so
 * another isolate's write may take up to that long to show in a listing. Live counts and list
 * memberships are never cached.
 */
import type { D1 } from './guard';
import { LIVE_REDEMPTIONS_SQL } from './hold-sql';
import { OFFER_COLUMNS, PLAN_COLUMNS, offerFacts, type OfferRow, type PlanRowRaw } from './offer-rows';
import { DEFINITIONS_VERSION_SQL, definitionsVersionSql } from './offer-queries';
import type { OfferFacts } from '../domain/offer-rules';
import { notOverSql } from './offer-status-sql';
import { CACHE_BUDGETS, createCache, estimateBytes } from '../lib/cache';

export interface PublicCatalog {
  offers: OfferRow[];
  /** Parsed once per load. */
  facts: OfferFacts[];
  productsByOffer: Map<string, Set<string>>;
  plans: PlanRowRaw[];
}

/** Definitions younger than this are used without re-reading the version (committed writes in this isolate drop them at once). */
export const LISTING_RECHECK_MS = 5_000;

export const listingCatalogs = createCache<PublicCatalog>({
  name: 'listing catalogs',
  ttlMs: LISTING_RECHECK_MS,
  maxBytes: CACHE_BUDGETS.listingCatalogs,
  sizeOf: (c) => estimateBytes(c.offers) + estimateBytes(c.plans) + estimateBytes(c.productsByOffer) + 300 * c.facts.length,
});

export interface ListingReads {
  catalog: PublicCatalog;
  listedOfferIds: Set<string>;
  liveCounts: Map<string, number>;
}

/** Drops a tenant's cached definitions on this isolate (done by catalogChanged after a committed write). */
export function dropListingCatalog(tenantId: string): void {
  listingCatalogs.invalidate(tenantId);
}

/**
 * With fresh definitions, only the live parts are read, and only those the answer can depend
 * on: counts of the candidate offers with `max_redemptions`, and list memberships when a
 * signed-in caller could see a list offer. Often nothing at all.
 */
async function readLiveOnly(db: D1, catalog: PublicCatalog, q: { tenantId: string; user: { id: string; email: string | null } | null }, candidates: (o: OfferRow) => boolean): Promise<ListingReads> {
  const counted = catalog.offers.filter((o) => o.max_redemptions !== null && candidates(o)).map((o) => o.id);
  const needsList = q.user !== null && catalog.offers.some((o) => o.eligibility === 'list' && candidates(o));
  const stmts: D1PreparedStatement[] = [];
  if (counted.length > 0) {
    // Live: an expired hold's redemption is back at its instant (worker/db/hold-sql.ts).
    stmts.push(
      db
        .prepare(`SELECT o.id, ${LIVE_REDEMPTIONS_SQL('o')} AS redemptions_count FROM offers o WHERE o.tenant_id = ? AND o.id IN (SELECT value FROM json_each(?))`)
        .bind(Date.now(), q.tenantId, JSON.stringify(counted)),
    );
  }
  if (needsList) stmts.push(membership(db, q.tenantId, q.user!));
  const liveCounts = new Map<string, number>();
  const listedOfferIds = new Set<string>();
  if (stmts.length === 0) return { catalog, liveCounts, listedOfferIds };
  const results = await db.batch<Record<string, unknown>>(stmts);
  let i = 0;
  if (counted.length > 0) for (const r of results[i++]!.results as { id: string; redemptions_count: number }[]) liveCounts.set(r.id, r.redemptions_count);
  if (needsList) for (const r of results[i++]!.results as { offer_id: string }[]) listedOfferIds.add(r.offer_id);
  return { catalog, liveCounts, listedOfferIds };
}

function membership(db: D1, tenantId: string, user: { id: string; email: string | null }) {
  // A UNION of two index searches (an OR made SQLite scan the tenant's whole list).
  return db
    .prepare(
      user.email
        ? 'SELECT offer_id FROM eligible_users WHERE tenant_id = ? AND user_id = ? UNION SELECT offer_id FROM eligible_users WHERE tenant_id = ? AND email = ?'
        : 'SELECT DISTINCT offer_id FROM eligible_users WHERE tenant_id = ? AND user_id = ?',
    )
    .bind(...(user.email ? [tenantId, user.id, tenantId, user.email] : [tenantId, user.id]));
}

export async function readForListing(
  db: D1,
  q: { tenantId: string; now: number; user: { id: string; email: string | null } | null },
  candidates: (o: OfferRow, catalog: PublicCatalog) => boolean = () => true,
): Promise<ListingReads> {
  const hit = listingCatalogs.get(q.tenantId, q.now);
  if (hit?.fresh) return readLiveOnly(db, hit.value, q, (o) => candidates(o, hit.value));
  const cached = hit?.value;
  const generation = listingCatalogs.generation(q.tenantId);
  const known = String(hit?.version ?? '');
  const STALE = `${DEFINITIONS_VERSION_SQL} IS NOT ?`;
  // Public offers not over yet (scheduled ones too: they may start within the cache's life;
  // isListed decides per request). ?1 tenant, ?2 now.
  const LIVE = `o.tenant_id = ?1 AND o.discoverability = 'public' AND ${notOverSql('?2')}`;
  const stmts: D1PreparedStatement[] = [
    db.prepare(`SELECT ${DEFINITIONS_VERSION_SQL} AS catalog_version`).bind(q.tenantId),
    db
      .prepare(
        `SELECT ${OFFER_COLUMNS}, ${LIVE_REDEMPTIONS_SQL('o').replace('?', '?2')} AS live_redemptions FROM offers o WHERE ${LIVE} AND ${definitionsVersionSql('?1')} IS NOT ?3 ORDER BY o.id`,
      )
      .bind(q.tenantId, q.now, known),
    db
      .prepare(`SELECT op.offer_id, op.product_id FROM offer_products op JOIN offers o ON o.id = op.offer_id WHERE ${LIVE} AND ${definitionsVersionSql('?1')} IS NOT ?3`)
      .bind(q.tenantId, q.now, known),
    db.prepare(`SELECT ${PLAN_COLUMNS} FROM plans WHERE tenant_id = ? AND active = 1 AND ${STALE}`).bind(q.tenantId, q.tenantId, known),
    // Live counts of the cached offers with max_redemptions, by primary key (when the cache
    // turns out stale, the reloaded rows carry their counts, read in the same transaction).
    db
      .prepare(`SELECT o.id, ${LIVE_REDEMPTIONS_SQL('o')} AS redemptions_count FROM offers o WHERE o.tenant_id = ? AND o.id IN (SELECT value FROM json_each(?))`)
      .bind(q.now, q.tenantId, JSON.stringify(cached ? cached.offers.filter((o) => o.max_redemptions !== null).map((o) => o.id) : [])),
  ];
  if (q.user) {
    stmts.push(membership(db, q.tenantId, q.user));
  }
  const results = await db.batch<Record<string, unknown>>(stmts);
  const version = (results[0]!.results[0] as { catalog_version: string } | undefined)?.catalog_version ?? '';
  let catalog: PublicCatalog;
  if (cached && hit!.version === version) {
    // Unchanged: the definition statements returned nothing; keep the entry we started from.
    catalog = cached;
    listingCatalogs.keep(q.tenantId, cached, { tenantId: q.tenantId, version, generation, now: q.now });
  } else {
    const productsByOffer = new Map<string, Set<string>>();
    for (const r of results[2]!.results as { offer_id: string; product_id: string }[]) {
      let set = productsByOffer.get(r.offer_id);
      if (!set) productsByOffer.set(r.offer_id, (set = new Set()));
      set.add(r.product_id);
    }
    catalog = {
      offers: results[1]!.results as unknown as OfferRow[],
      facts: (results[1]!.results as unknown as OfferRow[]).map(offerFacts),
      productsByOffer,
      plans: results[3]!.results as unknown as PlanRowRaw[],
    };
    listingCatalogs.set(q.tenantId, catalog, { tenantId: q.tenantId, version, generation, now: q.now });
  }
  const liveCounts = new Map<string, number>();
  if (catalog === cached) {
    for (const r of results[4]!.results as { id: string; redemptions_count: number }[]) liveCounts.set(r.id, r.redemptions_count);
  } else {
    for (const o of catalog.offers) liveCounts.set(o.id, (o as OfferRow & { live_redemptions?: number }).live_redemptions ?? o.redemptions_count);
  }
  const listedOfferIds = new Set<string>();
  if (q.user) for (const r of results[5]!.results as { offer_id: string }[]) listedOfferIds.add(r.offer_id);
  return { catalog, listedOfferIds, liveCounts };
}

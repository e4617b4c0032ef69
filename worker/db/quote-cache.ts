/**
 * The quote's edge cache: a tenant's plans and shared-code offers, per isolate. It answers with
 * no D1 round trip when the answer depends on definitions only: an active plan without a code,
 * or with a shared code whose offer has no `max_redemptions` and needs no per-user fact (no list
 * and no avail limit, or an anonymous caller: `login_required`). Every other case (an unknown or
 * inactive plan, an unknown code, a code set, live counts, a signed-in user on a list or with
 * avail limits) is read live, in one round trip.
 *
 * Freshness: the entry carries the definitions' version (DEFINITIONS_VERSION_SQL). A write in this isolate drops the
 * entry at once (bumpCatalogVersion → onCatalogBump, and the offer routes); other isolates
 * re-check the version at most every RECHECK_MS, inside the live batch of a quote that reads
 * anyway (the definitions are reloaded only when the version changed). So a quote elsewhere may
 * show an offer or a price changed less than RECHECK_MS ago; a checkout never does (it re-reads
 * and re-checks everything on the primary).
 */
import { DEFINITIONS_VERSION_SQL, OFFER_COLUMNS, PLAN_COLUMNS, offerFacts, type D1, type OfferRow, type PlanRowRaw } from './offers';
import { onCatalogBump } from './catalog';
import { needsUser, type OfferFacts } from '../domain/offer-rules';
import { basisPointsToPercent } from '../domain/money';

/** The `offer` member of a quote. */
export const quoteOffer = (o: OfferRow) => ({
  id: o.id,
  code: o.code,
  discount:
    o.discount_type === 'percent'
      ? ({ type: 'percent', value: basisPointsToPercent(o.discount_basis_points ?? 0) } as const)
      : ({ type: 'flat', amount: o.discount_amount ?? 0, currency: o.discount_currency ?? '' } as const),
  durations: JSON.parse(o.durations) as string[],
  ends_at: new Date(o.ends_at).toISOString(),
  subscription_limit: o.subscription_limit,
});

export const RECHECK_MS = 5_000;
const MAX_TENANTS = 500;
const MAX_OFFERS = 5_000;
const MAX_PLANS = 5_000;

export interface CachedOffer {
  row: OfferRow;
  /** The quote's `offer` member, built once. */
  json: unknown;
  facts: OfferFacts;
  products: Set<string>;
}

export interface QuoteCatalog {
  version: string;
  checkedAt: number;
  plans: Map<string, PlanRowRaw>;
  offersByCode: Map<string, CachedOffer>;
}

const cache = new Map<string, QuoteCatalog>();

export function dropQuoteCatalog(tenantId: string): void {
  cache.delete(tenantId);
}
onCatalogBump(dropQuoteCatalog);

/** The fresh cached catalog of a tenant, or null when it must be (re)checked. */
export function freshQuoteCatalog(tenantId: string, now: number): QuoteCatalog | null {
  const c = cache.get(tenantId);
  return c && now - c.checkedAt < RECHECK_MS ? c : null;
}

/**
 * Whether the answer for this offer depends on its definition only: no `max_redemptions` (a live
 * count), and no per-user fact to read (no list and no avail limit, or an anonymous caller, who
 * gets `login_required` for those).
 */
export const cacheDecides = (o: OfferFacts, signedIn: boolean): boolean => o.maxRedemptions === null && (!needsUser(o) || !signedIn);

/** Statements to add to a live batch that (re)check the cache; definitions come back only when stale. */
export function refreshStatements(db: D1, tenantId: string, now: number): D1PreparedStatement[] {
  const known = cache.get(tenantId)?.version ?? '';
  const STALE = `${DEFINITIONS_VERSION_SQL} IS NOT ?`;
  // Bounded: a code beyond the first MAX_OFFERS is simply read live.
  const OFFERS = `o.tenant_id = ? AND o.code IS NOT NULL AND o.deleted_at IS NULL AND o.ends_at > ? ORDER BY o.ends_at LIMIT ${MAX_OFFERS}`;
  return [
    db.prepare(`SELECT ${DEFINITIONS_VERSION_SQL} AS catalog_version`).bind(tenantId),
    db.prepare(`SELECT ${PLAN_COLUMNS} FROM plans WHERE tenant_id = ? AND ${STALE} LIMIT ${MAX_PLANS}`).bind(tenantId, tenantId, known),
    db.prepare(`SELECT ${OFFER_COLUMNS} FROM offers o WHERE ${STALE} AND ${OFFERS}`).bind(tenantId, known, tenantId, now),
    db
      .prepare(`SELECT op.offer_id, op.product_id FROM offer_products op WHERE op.offer_id IN (SELECT o.id FROM offers o WHERE ${STALE} AND ${OFFERS})`)
      .bind(tenantId, known, tenantId, now),
  ];
}

/** Applies the results of refreshStatements. */
export function applyRefresh(tenantId: string, now: number, results: D1Result<Record<string, unknown>>[]): void {
  const version = (results[0]?.results[0] as { catalog_version: string } | undefined)?.catalog_version;
  if (version === undefined) return;
  const cached = cache.get(tenantId);
  if (cached && cached.version === version) {
    cached.checkedAt = now;
    return;
  }
  const products = new Map<string, Set<string>>();
  for (const r of results[3]!.results as { offer_id: string; product_id: string }[]) {
    let set = products.get(r.offer_id);
    if (!set) products.set(r.offer_id, (set = new Set()));
    set.add(r.product_id);
  }
  const offersByCode = new Map<string, CachedOffer>();
  for (const row of results[2]!.results as unknown as OfferRow[]) {
    offersByCode.set(row.code!, { row, json: quoteOffer(row), facts: offerFacts(row), products: products.get(row.id) ?? new Set() });
  }
  const plans = new Map<string, PlanRowRaw>();
  for (const p of results[1]!.results as unknown as PlanRowRaw[]) plans.set(p.id, p);
  if (cache.size >= MAX_TENANTS && !cache.has(tenantId)) cache.delete(cache.keys().next().value!);
  cache.set(tenantId, { version, checkedAt: now, plans, offersByCode });
}

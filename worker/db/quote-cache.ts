/**
 * Where a quote's facts come from (`POST /v1/quotes`): the edge cache, or D1 in one round trip.
 *
 * The cache holds a tenant's plans and shared-code offers (worker/lib/cache.ts, docs/caching.md).
 * It answers with no D1 round trip when the answer depends on definitions only: an active plan
 * without a code, or with a shared code whose offer has no `max_redemptions` and needs no
 * per-user fact (no list and no avail limit, or an anonymous caller: `login_required`). Every
 * other case (an unknown or inactive plan, an unknown code, a code set, live counts, a signed-in
 * user on a list or with avail limits) is read live, in one round trip.
 *
 * Freshness: the entry carries the definitions' version (DEFINITIONS_VERSION_SQL). A committed
 * write in this isolate drops the entry (catalogChanged); other isolates re-check the version
 * at most every RECHECK_MS, inside the live batch of a quote that reads anyway (the definitions
 * are reloaded only when the version changed). So a quote elsewhere may show an offer or a
 * price changed less than RECHECK_MS ago; a checkout never does (it re-reads and re-checks
 * everything on the primary).
 */
import type { D1 } from './guard';
import { OFFER_COLUMNS, PLAN_COLUMNS, offerFacts, planFacts, type OfferRow, type PlanRowRaw } from './offer-rows';
import { DEFINITIONS_VERSION_SQL } from './offer-queries';
import { checkoutReads, parseRedemption, redemptionFacts, redemptionStatement, type CheckoutReads } from './redemption-reads';
import { needsUser, type OfferFacts, type RedemptionFacts } from '../domain/offer-rules';
import { CACHE_BUDGETS, createCache, estimateBytes, type CacheHit } from '../lib/cache';
import type { EndUser } from '../env';

export const RECHECK_MS = 5_000;
const MAX_OFFERS = 5_000;
const MAX_PLANS = 5_000;

export interface CachedOffer {
  row: OfferRow;
  facts: OfferFacts;
  products: Set<string>;
}

export interface QuoteCatalog {
  plans: Map<string, PlanRowRaw>;
  offersByCode: Map<string, CachedOffer>;
}

export const quoteCatalogs = createCache<QuoteCatalog>({
  name: 'quote catalogs',
  ttlMs: RECHECK_MS,
  maxBytes: CACHE_BUDGETS.quoteCatalogs,
  sizeOf: (c) => estimateBytes(c.plans) + estimateBytes([...c.offersByCode.values()].map((o) => o.row)) + 200 * c.offersByCode.size,
});

/** Drops a tenant's quote catalog on this isolate (done by catalogChanged after a committed write). */
export function dropQuoteCatalog(tenantId: string): void {
  quoteCatalogs.invalidate(tenantId);
}

/**
 * Whether the answer for this offer depends on its definition only: no `max_redemptions` (a live
 * count), and no per-user fact to read (no list and no avail limit, or an anonymous caller, who
 * gets `login_required` for those).
 */
export const cacheDecides = (o: OfferFacts, signedIn: boolean): boolean => o.maxRedemptions === null && (!needsUser(o) || !signedIn);

export interface QuoteQuery {
  tenantId: string;
  planId: string;
  /** Normalised, or null for no code. */
  code: string | null;
  user: EndUser | null;
}

/** What a quote is decided from: the plan (null when unknown), and with a code the facts of the decision and the offer's row. */
export interface QuoteSource {
  plan: PlanRowRaw | null;
  facts: RedemptionFacts | null;
  offer: OfferRow | null;
}

/** The quote's source from this isolate's cache, when the cache is fresh and decides; otherwise null (read D1). */
export function quoteFromCache(q: QuoteQuery, now: number): QuoteSource | null {
  const hit = quoteCatalogs.get(q.tenantId, now);
  if (!hit?.fresh) return null;
  const plan = hit.value.plans.get(q.planId);
  if (!plan || plan.active !== 1) return null;
  if (!q.code) return { plan, facts: null, offer: null };
  const offer = hit.value.offersByCode.get(q.code);
  if (!offer || !cacheDecides(offer.facts, q.user !== null)) return null;
  return {
    plan,
    offer: offer.row,
    // Definitions only: the counts are not read, and cacheDecides made sure no rule needs them.
    facts: {
      now,
      plan: planFacts(plan),
      offer: offer.facts,
      codeUsed: false,
      productIncluded: offer.products.has(plan.product_id),
      user: q.user,
      onList: false,
      redemptionsCount: 0,
      userAvailsOnProduct: 0,
      userAvailsTotal: 0,
    },
  };
}

/**
 * A checkout's facts from this isolate's cache, for a checkout in ONE round trip: the plan and
 * the shared code's offer as the fresh cache holds them, and the user's own facts *assumed*: no
 * subscription on the product (so neither "already subscribed" nor a reactivation), no stored
 * Idempotency-Key answer, no expired hold to give back, no avail yet, counts below every limit.
 * The write batch guards every one of those assumptions and every limit
 * (worker/db/checkout-write.ts `assumed`); when one does not hold, the batch writes nothing and
 * its re-read answers the real facts. Null (read D1 first) when the cache is not fresh, the plan
 * or code is unknown to it (a code set, an offer beyond the cache), or the offer is for a list of
 * users (membership is never assumed).
 */
export function checkoutFromCache(q: { tenantId: string; planId: string; code: string | null }, now: number): CheckoutReads | null {
  const hit = quoteCatalogs.get(q.tenantId, now);
  if (!hit?.fresh) return null;
  const plan = hit.value.plans.get(q.planId);
  if (!plan || plan.active !== 1) return null;
  const none = { subscriptions: [], idempotency: null, hasWebhookEndpoint: true, onList: false, userAvailsTotal: 0, userAvailsOnProduct: 0 };
  if (!q.code) return { plan, offer: null, productIncluded: false, ...none };
  const offer = hit.value.offersByCode.get(q.code);
  if (!offer || offer.facts.eligibility !== 'all') return null;
  return {
    plan,
    offer: { ...offer.row, code_kind: 'shared', code_used: 0, redemptions_count: 0, live_redemptions: 0 },
    productIncluded: offer.products.has(plan.product_id),
    ...none,
  };
}

/**
 * Runs `stmts` as one batch with this isolate's catalog re-check appended when it is due (the
 * definitions come back only when their version moved); answers the results of `stmts`.
 */
async function batchRefreshingCatalog(db: D1, tenantId: string, now: number, stmts: D1PreparedStatement[]): Promise<D1Result<Record<string, unknown>>[]> {
  const hit = quoteCatalogs.get(tenantId, now);
  const generation = quoteCatalogs.generation(tenantId);
  const refresh = hit?.fresh ? [] : refreshStatements(db, tenantId, String(hit?.version ?? ''), now);
  const results = await db.batch<Record<string, unknown>>([...stmts, ...refresh]);
  if (refresh.length > 0) applyRefresh(tenantId, now, generation, hit, results.slice(stmts.length));
  return results.slice(0, stmts.length);
}

/**
 * A checkout's reads on the primary (one round trip), with this isolate's catalog re-checked in
 * the same batch when it is due, so that the next checkouts of the tenant can be decided from it.
 */
export async function readForCheckoutRefreshing(db: D1, q: Parameters<typeof checkoutReads>[1]): Promise<CheckoutReads> {
  const reads = checkoutReads(db, q);
  return reads.parse(await batchRefreshingCatalog(db, q.tenantId, q.now, reads.stmts));
}

/** The quote's source from D1 in one round trip (a read session), which also re-checks this isolate's cache when it is due. */
export async function quoteFromD1(db: D1, q: QuoteQuery, now: number): Promise<QuoteSource> {
  const user = q.user ? { id: q.user.id, email: q.user.emailVerified ? q.user.email : null } : null;
  const [facts] = await batchRefreshingCatalog(db, q.tenantId, now, [redemptionStatement(db, { tenantId: q.tenantId, planId: q.planId, code: q.code, user, now })]);
  const reads = parseRedemption(facts!);
  return {
    plan: reads.plan,
    facts: q.code && reads.plan ? redemptionFacts(reads, q.user, now) : null,
    offer: q.code ? reads.offer : null,
  };
}

/** Statements to add to a live batch that (re)check the cache; definitions come back only when stale. */
function refreshStatements(db: D1, tenantId: string, known: string, now: number): D1PreparedStatement[] {
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

/** Applies the results of refreshStatements (kept only if no write committed on this isolate since `generation`). */
function applyRefresh(
  tenantId: string,
  now: number,
  generation: number,
  known: CacheHit<QuoteCatalog> | undefined,
  results: D1Result<Record<string, unknown>>[],
): void {
  const version = (results[0]?.results[0] as { catalog_version: string } | undefined)?.catalog_version;
  if (version === undefined) return;
  // Unchanged: the definition statements returned nothing; keep the entry the quote started from.
  if (known && known.version === version) {
    quoteCatalogs.keep(tenantId, known.value, { tenantId, version, generation, now });
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
    offersByCode.set(row.code!, { row, facts: offerFacts(row), products: products.get(row.id) ?? new Set() });
  }
  const plans = new Map<string, PlanRowRaw>();
  for (const p of results[1]!.results as unknown as PlanRowRaw[]) plans.set(p.id, p);
  quoteCatalogs.set(tenantId, { plans, offersByCode }, { tenantId, version, generation, now });
}

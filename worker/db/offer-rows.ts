/**
 * Raw rows of offers and plans as the raw-SQL queries select them (OFFER_COLUMNS over alias
 * `o`, PLAN_COLUMNS), and their mappers to the domain's facts. Used by the offer queries, the
 * redemption reads, the checkout write and the caches alike: one mapper each.
 */
import type { DiscountDef } from '../domain/money';
import type { OfferFacts, PlanFacts } from '../domain/offer-rules';
import type { offers, plans } from './schema';
import type { RawRow } from './rows';

export const OFFER_COLUMNS = `o.id, o.tenant_id, o.code, o.code_set_count, o.code_set_prefix, o.discount_type, o.discount_basis_points,
  o.discount_amount, o.discount_currency, o.all_products, o.durations, o.starts_at, o.ends_at, o.eligibility, o.discoverability,
  o.max_redemptions, o.avail_limit_per_product, o.avail_limit_total, o.subscription_limit, o.state, o.ended_at, o.deleted_at,
  o.redemptions_count, o.users_availed_count, o.discounted_renewals_count, o.eligible_users_count, o.warnings, o.created_at, o.updated_at`;

/** An offer row as raw SQL returns it: derived from the schema (snake_case, booleans 0/1), JSON columns as their text. */
export type OfferRow = Omit<RawRow<typeof offers.$inferSelect>, 'durations' | 'warnings'> & { durations: string; warnings: string };

/** The plan columns of PLAN_COLUMNS, as raw SQL returns them (derived from the schema). */
export type PlanRowRaw = Pick<RawRow<typeof plans.$inferSelect>, 'id' | 'product_id' | 'price' | 'currency' | 'pricing' | 'active'> & { duration: string };

export const discountOf = (r: Pick<OfferRow, 'discount_type' | 'discount_basis_points' | 'discount_amount' | 'discount_currency'>): DiscountDef =>
  r.discount_type === 'percent'
    ? { type: 'percent', basisPoints: r.discount_basis_points ?? 0 }
    : { type: 'flat', amount: r.discount_amount ?? 0, currency: r.discount_currency ?? '' };

export function offerFacts(r: OfferRow): OfferFacts {
  return {
    id: r.id,
    state: r.state,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    endedAt: r.ended_at,
    deletedAt: r.deleted_at,
    discount: discountOf(r),
    allProducts: r.all_products === 1,
    durations: JSON.parse(r.durations) as string[],
    eligibility: r.eligibility,
    discoverability: r.discoverability,
    maxRedemptions: r.max_redemptions,
    availLimitPerProduct: r.avail_limit_per_product,
    availLimitTotal: r.avail_limit_total,
    subscriptionLimit: r.subscription_limit,
  };
}

export const planFacts = (p: PlanRowRaw): PlanFacts => ({
  id: p.id,
  productId: p.product_id,
  duration: p.duration,
  price: p.price,
  currency: p.currency,
  pricing: p.pricing,
  active: p.active === 1,
});

export const PLAN_COLUMNS = 'id, product_id, duration, price, currency, pricing, active';

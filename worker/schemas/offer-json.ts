/**
 * The JSON of offers in API answers, from raw offer rows (worker/db/offer-rows.ts): one mapper
 * each for the admin `Offer`, the quote's `offer` member and the discount they all share.
 */
import { iso } from './common';
import { basisPointsToPercent } from '../domain/money';
import { offerStatus } from '../domain/offer-status';
import { offerFacts, type OfferRow } from '../db/offer-rows';

/** `discount` of an offer: percent as a percentage, flat as minor units and currency. */
export const discountJson = (r: Pick<OfferRow, 'discount_type' | 'discount_basis_points' | 'discount_amount' | 'discount_currency'>) =>
  r.discount_type === 'percent'
    ? ({ type: 'percent', value: basisPointsToPercent(r.discount_basis_points ?? 0) } as const)
    : ({ type: 'flat', amount: r.discount_amount ?? 0, currency: r.discount_currency ?? '' } as const);

/** The admin API's `Offer`. */
export function offerJson(r: OfferRow, productIds: string[], now: number) {
  return {
    id: r.id,
    code: r.code,
    code_set: r.code_set_count !== null ? { count: r.code_set_count, prefix: r.code_set_prefix ?? '' } : null,
    discount: discountJson(r),
    applies_to: { product_ids: productIds, all_products: r.all_products === 1, durations: JSON.parse(r.durations) },
    starts_at: iso(r.starts_at)!,
    ends_at: iso(r.ends_at)!,
    eligibility: r.eligibility,
    discoverability: r.discoverability,
    max_redemptions: r.max_redemptions,
    avail_limit_per_product: r.avail_limit_per_product,
    avail_limit_total: r.avail_limit_total,
    subscription_limit: r.subscription_limit,
    status: offerStatus(offerFacts(r), now),
    warnings: JSON.parse(r.warnings || '[]'),
    redemptions: r.redemptions_count,
    users_availed: r.users_availed_count,
    eligible_users: r.eligible_users_count,
    discounted_renewals: r.discounted_renewals_count,
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  };
}

/** The `offer` member of a quote. */
export const quoteOfferJson = (o: OfferRow) => ({
  id: o.id,
  code: o.code,
  discount: discountJson(o),
  durations: JSON.parse(o.durations) as string[],
  ends_at: new Date(o.ends_at).toISOString(),
  subscription_limit: o.subscription_limit,
});

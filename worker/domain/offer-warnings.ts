/**
 * Warnings at offer creation that do not leave anything out but that a publisher should see
 * before the offer goes live. Pure: no I/O.
 */
import type { PlanFacts } from './offer-rules';

export interface OfferWarning {
  product_id: string;
  /** The plan a warning is about, when it is about one plan. */
  plan_id?: string;
  reason: string;
  message: string;
}

/**
 * A flat discount at least as large as a plan's price makes that plan free for every
 * discounted cycle (a discount never takes a price below zero). One warning per such plan:
 * active, fixed-price, in a selected duration, in the discount's currency, and not free already.
 */
export function flatDiscountFreePlans(
  plans: PlanFacts[],
  o: { durations: readonly string[]; discount: { type: 'percent' } | { type: 'flat'; amount: number; currency: string } },
): OfferWarning[] {
  const d = o.discount;
  if (d.type !== 'flat') return [];
  return plans
    .filter((p) => p.active && p.pricing === 'fixed' && o.durations.includes(p.duration) && p.currency === d.currency && p.price > 0 && d.amount >= p.price)
    .map((p) => ({
      product_id: p.productId,
      plan_id: p.id,
      reason: 'discount_makes_plan_free',
      message: `the flat discount (${d.amount} ${d.currency} minor units) is not less than the plan's price (${p.price}): the plan is free for every discounted cycle`,
    }));
}

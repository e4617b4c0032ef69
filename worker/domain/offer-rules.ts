/**
 * The offer engine's rules, pure: an offer's status, whether it applies to a plan, whether a
 * code may be redeemed (quote and checkout), and what a renewal costs. Routes load the facts,
 * ask these functions, then persist; the database re-checks every limit atomically on write.
 */
import { priceWithDiscount, type DiscountDef } from './money';

export type OfferState = 'in_progress' | 'published' | 'failed';
export type OfferStatus = 'in_progress' | 'scheduled' | 'active' | 'inactive' | 'failed';
export type Duration = '1m' | '3m' | '6m' | '1y';

export interface OfferFacts {
  id: string;
  state: OfferState;
  startsAt: number;
  endsAt: number;
  endedAt: number | null;
  deletedAt: number | null;
  discount: DiscountDef;
  allProducts: boolean;
  durations: readonly string[];
  eligibility: 'all' | 'list';
  discoverability: 'private' | 'public';
  maxRedemptions: number | null;
  availLimitPerProduct: number | null;
  availLimitTotal: number | null;
  subscriptionLimit: number | null;
}

export interface PlanFacts {
  id: string;
  productId: string;
  duration: string;
  price: number;
  currency: string;
  pricing: 'fixed' | 'aum';
  active: boolean;
}

// The lifecycle rules (and their SQL twins) live in offer-status.ts.
import { isRedeemableNow, offerStatus } from './offer-status';
export { isRedeemableNow, offerStatus };

/** Whether the offer's discount can apply to a plan at all (product, duration, pricing, currency). */
export function appliesToPlan(o: Pick<OfferFacts, 'allProducts' | 'durations' | 'discount'>, plan: PlanFacts, productIncluded: boolean): boolean {
  if (!o.allProducts && !productIncluded) return false;
  if (!o.durations.includes(plan.duration)) return false;
  if (o.discount.type === 'flat') {
    if (plan.pricing === 'aum') return false; // an aum plan only takes percentage discounts
    if (o.discount.currency !== plan.currency) return false;
  }
  return true;
}

export const REJECT_REASONS = [
  'code_not_found',
  'code_invalid_format',
  'offer_not_started',
  'offer_expired',
  'not_eligible',
  'not_applicable',
  'avail_limit_reached',
  'redemptions_exhausted',
  'login_required',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const CODE_PATTERN = /^[A-Za-z0-9]{3,32}$/;
export const normaliseCode = (code: string): string => code.trim().toUpperCase();

export interface RedemptionFacts {
  now: number;
  plan: PlanFacts;
  /** Null when the code is unknown in this tenant. */
  offer: OfferFacts | null;
  /** A generated single-use code that is already redeemed. */
  codeUsed: boolean;
  productIncluded: boolean;
  /** Null for an anonymous caller. */
  user: { id: string } | null;
  /** The user is on the offer's list (by id, or by verified email). */
  onList: boolean;
  redemptionsCount: number;
  userAvailsOnProduct: number;
  userAvailsTotal: number;
}

export type RedemptionDecision =
  | { kind: 'applied'; price: number; discount: number; amountDue: number; discountedCycles: number | null }
  | { kind: 'rejected'; reason: RejectReason };

/** Whether an offer needs to know the user: a list, or limits per user. */
export const needsUser = (o: Pick<OfferFacts, 'eligibility' | 'availLimitPerProduct' | 'availLimitTotal'>): boolean =>
  o.eligibility === 'list' || o.availLimitPerProduct !== null || o.availLimitTotal !== null;

/**
 * Whether a code may be redeemed now by this caller on this plan (a quote, or the first
 * cycle of a checkout). The checks run in a fixed order so that the answer is stable.
 */
export function decideRedemption(f: RedemptionFacts): RedemptionDecision {
  const o = f.offer;
  if (!o) return { kind: 'rejected', reason: 'code_not_found' };
  const status = offerStatus(o, f.now);
  if (status === 'failed') return { kind: 'rejected', reason: 'code_not_found' };
  if (status === 'inactive') return { kind: 'rejected', reason: 'offer_expired' };
  // A code set still being generated, or a published offer before its start.
  if (status === 'scheduled' || (status === 'in_progress' && f.now < o.startsAt)) return { kind: 'rejected', reason: 'offer_not_started' };
  if (f.now >= o.endsAt) return { kind: 'rejected', reason: 'offer_expired' };
  if (!appliesToPlan(o, f.plan, f.productIncluded)) return { kind: 'rejected', reason: 'not_applicable' };
  if (f.codeUsed) return { kind: 'rejected', reason: 'redemptions_exhausted' };
  if (o.maxRedemptions !== null && f.redemptionsCount >= o.maxRedemptions) return { kind: 'rejected', reason: 'redemptions_exhausted' };
  if (needsUser(o) && !f.user) return { kind: 'rejected', reason: 'login_required' };
  if (o.eligibility === 'list' && !f.onList) return { kind: 'rejected', reason: 'not_eligible' };
  if (o.availLimitPerProduct !== null && f.userAvailsOnProduct >= o.availLimitPerProduct) return { kind: 'rejected', reason: 'avail_limit_reached' };
  if (o.availLimitTotal !== null && f.userAvailsTotal >= o.availLimitTotal) return { kind: 'rejected', reason: 'avail_limit_reached' };
  const priced = priceWithDiscount(f.plan.price, f.plan.currency, o.discount);
  if (priced.kind !== 'priced') return { kind: 'rejected', reason: 'not_applicable' };
  return { kind: 'applied', price: priced.price, discount: priced.discount, amountDue: priced.amountDue, discountedCycles: o.subscriptionLimit };
}

export interface RenewalFacts {
  cycle: number;
  discountedCycles: number;
  /** The offer applied at sign-up, or null. Validity does not matter for renewals. */
  offer: Pick<OfferFacts, 'discount' | 'subscriptionLimit'> | null;
  price: number;
  currency: string;
}

export type RenewalDecision = { kind: 'renewed'; cycle: number; discounted: boolean; discountedCycles: number; price: number; discount: number; amountDue: number };

/**
 * A renewal (automatic or in grace) keeps the sign-up discount while every cycle so far was
 * discounted (consecutive) and the discounted cycles stay within `subscription_limit`
 * (null: every cycle), even after the offer's validity ended.
 */
export function decideRenewal(f: RenewalFacts): RenewalDecision {
  const cycle = f.cycle + 1;
  const consecutive = f.discountedCycles === f.cycle && f.discountedCycles > 0;
  const withinLimit = f.offer !== null && (f.offer.subscriptionLimit === null || f.discountedCycles < f.offer.subscriptionLimit);
  if (f.offer && consecutive && withinLimit) {
    const priced = priceWithDiscount(f.price, f.currency, f.offer.discount);
    if (priced.kind === 'priced' && priced.discount > 0) {
      return { kind: 'renewed', cycle, discounted: true, discountedCycles: f.discountedCycles + 1, price: f.price, discount: priced.discount, amountDue: priced.amountDue };
    }
  }
  return { kind: 'renewed', cycle, discounted: false, discountedCycles: f.discountedCycles, price: f.price, discount: 0, amountDue: f.price };
}

export interface ProductCoverage {
  productId: string;
  plans: PlanFacts[];
}

export type CoverageDecision =
  | { kind: 'covered'; productIds: string[]; warnings: { product_id: string; reason: string; message: string }[] }
  | { kind: 'none_left'; warnings: { product_id: string; reason: string; message: string }[]; currencyMismatch: boolean; aumOnly: boolean };

/**
 * At creation: which selected products the offer keeps. A product with no active plan in a
 * selected duration, or none the discount can apply to (flat: fixed-price plans in its
 * currency), is left out and named in a warning.
 */
export function decideCoverage(
  products: ProductCoverage[],
  o: Pick<OfferFacts, 'durations' | 'discount'>,
): CoverageDecision {
  const kept: string[] = [];
  const warnings: { product_id: string; reason: string; message: string }[] = [];
  let currencyMismatch = false;
  for (const p of products) {
    const inDurations = p.plans.filter((plan) => plan.active && o.durations.includes(plan.duration));
    if (inDurations.length === 0) {
      warnings.push({ product_id: p.productId, reason: 'no_active_plan', message: `no active plan in ${o.durations.join(', ')}` });
      continue;
    }
    const applicable = inDurations.filter((plan) => appliesToPlan({ allProducts: true, durations: o.durations, discount: o.discount }, plan, true));
    if (applicable.length === 0) {
      const aumOnly = inDurations.every((plan) => plan.pricing === 'aum');
      if (!aumOnly) currencyMismatch = true;
      warnings.push({
        product_id: p.productId,
        reason: aumOnly ? 'aum_plans_take_percent_only' : 'currency_mismatch',
        message: aumOnly ? 'its plans are aum-priced and take percentage discounts only' : 'no plan in the flat discount\'s currency',
      });
      continue;
    }
    kept.push(p.productId);
  }
  if (kept.length === 0) {
    const aumOnly = warnings.length > 0 && warnings.every((w) => w.reason === 'aum_plans_take_percent_only');
    return { kind: 'none_left', warnings, currencyMismatch, aumOnly };
  }
  return { kind: 'covered', productIds: kept, warnings };
}

export interface ListingFacts {
  now: number;
  offer: OfferFacts;
  /** Live redemption count (for `max_redemptions`). */
  redemptionsCount: number;
  onList: boolean;
  signedIn: boolean;
}

/**
 * Whether an offer is listed to this caller: public, live, redemptions left, and meant for
 * them (eligibility `all`, or `list` with the caller on the list). Private offers never are.
 */
export function isListed(f: ListingFacts): boolean {
  const o = f.offer;
  if (o.discoverability !== 'public') return false;
  if (!isRedeemableNow(o, f.now)) return false;
  if (o.maxRedemptions !== null && f.redemptionsCount >= o.maxRedemptions) return false;
  if (o.eligibility === 'list' && !(f.signedIn && f.onList)) return false;
  return true;
}

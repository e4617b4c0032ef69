/**
 * What a checkout does, pure: replay an earlier answer, refuse (with a reason the route names),
 * or create a subscription with these amounts and this status. Routes load the facts (one read
 * batch), ask `decideCheckout`, then persist (one write batch that re-checks every limit).
 */
import { decideRedemption, type PlanFacts, type RedemptionFacts, type RejectReason } from './offer-rules';
import { endedAfterLive, holdEnd, isLive, type HoldView } from './holds';

export interface StoredAnswer {
  requestHash: string;
  status: number;
  body: string;
  /** The subscription it answered still exists and is not a lapsed hold. */
  subscriptionStands: boolean;
}

export interface CheckoutFacts {
  now: number;
  holdMinutes: number;
  /** The hash of this request's body, when it carries an Idempotency-Key. */
  requestHash: string | null;
  stored: StoredAnswer | null;
  plan: PlanFacts | null;
  /** The user's subscriptions on the plan's product. */
  subscriptions: HoldView[];
  /** Null without a code; otherwise the facts of the code's redemption. */
  redemption: RedemptionFacts | null;
}

export type CheckoutRefusal = 'idempotency_key_reuse' | 'plan_not_found' | 'already_subscribed' | RejectReason;

export type CheckoutDecision =
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'refused'; reason: CheckoutRefusal }
  | {
      kind: 'create';
      status: 'pending' | 'active';
      holdExpiresAt: number | null;
      price: number;
      discount: number;
      amountDue: number;
      withOffer: boolean;
      discountedCycles: number;
      reactivation: boolean;
    };

/**
 * The order is fixed: a stored answer for the key (replayed when the request is the same and
 * its subscription still stands; a lapsed one is checked out afresh), the plan, the user's slot
 * on the product, then the code's own checks (decideRedemption). A paid checkout is `pending`
 * with a hold; a free one (free plan, 100% code) is `active` at once.
 */
export function decideCheckout(f: CheckoutFacts): CheckoutDecision {
  if (f.stored && f.requestHash !== null) {
    if (f.stored.requestHash !== f.requestHash) return { kind: 'refused', reason: 'idempotency_key_reuse' };
    if (f.stored.subscriptionStands) return { kind: 'replay', status: f.stored.status, body: f.stored.body };
  }
  if (!f.plan || !f.plan.active) return { kind: 'refused', reason: 'plan_not_found' };
  if (f.subscriptions.some((s) => isLive(s, f.now))) return { kind: 'refused', reason: 'already_subscribed' };
  let price = f.plan.price;
  let discount = 0;
  let withOffer = false;
  if (f.redemption) {
    const d = decideRedemption(f.redemption);
    if (d.kind === 'rejected') return { kind: 'refused', reason: d.reason };
    price = d.price;
    discount = d.discount;
    withOffer = true;
  }
  const amountDue = price - discount;
  const pending = amountDue > 0;
  return {
    kind: 'create',
    status: pending ? 'pending' : 'active',
    holdExpiresAt: pending ? holdEnd(f.now, f.holdMinutes) : null,
    price,
    discount,
    amountDue,
    withOffer,
    discountedCycles: withOffer && discount > 0 ? 1 : 0,
    reactivation: f.subscriptions.some(endedAfterLive),
  };
}

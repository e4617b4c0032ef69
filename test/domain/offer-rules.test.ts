import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decideCoverage,
  decideRedemption,
  decideRenewal,
  isListed,
  offerStatus,
  type OfferFacts,
  type PlanFacts,
  type RedemptionFacts,
} from '../../worker/domain/offer-rules';
import { effectiveStatus, holdEnd, holdIsOver, holdsItsCounts, isLive } from '../../worker/domain/holds';
import { decideCheckout, type CheckoutFacts } from '../../worker/domain/checkout';
import { decideActivate, decideCancel, decideRenew, decideReplay, decideVoid, type Found, type HookSubscription } from '../../worker/domain/billing';

const NOW = Date.UTC(2026, 5, 15);
const DAY = 86_400_000;

const offer = (o: Partial<OfferFacts> = {}): OfferFacts => ({
  id: 'offer_1',
  state: 'published',
  startsAt: NOW - DAY,
  endsAt: NOW + DAY,
  endedAt: null,
  deletedAt: null,
  discount: { type: 'percent', basisPoints: 2000 },
  allProducts: false,
  durations: ['1m', '3m'],
  eligibility: 'all',
  discoverability: 'public',
  maxRedemptions: null,
  availLimitPerProduct: null,
  availLimitTotal: null,
  subscriptionLimit: null,
  ...o,
});

const plan = (p: Partial<PlanFacts> = {}): PlanFacts => ({ id: 'plan_1', productId: 'prod_1', duration: '1m', price: 1000, currency: 'INR', pricing: 'fixed', active: true, ...p });

const facts = (f: Partial<RedemptionFacts> = {}): RedemptionFacts => ({
  now: NOW,
  plan: plan(),
  offer: offer(),
  codeUsed: false,
  productIncluded: true,
  user: { id: 'u1' },
  onList: false,
  redemptionsCount: 0,
  userAvailsOnProduct: 0,
  userAvailsTotal: 0,
  ...f,
});

describe('offerStatus', () => {
  it('derives every status', () => {
    expect(offerStatus(offer(), NOW)).toBe('active');
    expect(offerStatus(offer({ startsAt: NOW + 1 }), NOW)).toBe('scheduled');
    expect(offerStatus(offer({ endsAt: NOW }), NOW)).toBe('inactive');
    expect(offerStatus(offer({ endedAt: NOW - 1 }), NOW)).toBe('inactive');
    expect(offerStatus(offer({ deletedAt: NOW - 1 }), NOW)).toBe('inactive');
    expect(offerStatus(offer({ state: 'in_progress' }), NOW)).toBe('in_progress');
    expect(offerStatus(offer({ state: 'failed' }), NOW)).toBe('failed');
  });
});

describe('decideRedemption', () => {
  it('answers each rejection', () => {
    const reason = (f: Partial<RedemptionFacts>) => {
      const d = decideRedemption(facts(f));
      return d.kind === 'rejected' ? d.reason : 'applied';
    };
    expect(reason({})).toBe('applied');
    expect(reason({ offer: null })).toBe('code_not_found');
    expect(reason({ offer: offer({ startsAt: NOW + 1 }) })).toBe('offer_not_started');
    expect(reason({ offer: offer({ endsAt: NOW - 1 }) })).toBe('offer_expired');
    expect(reason({ productIncluded: false })).toBe('not_applicable');
    expect(reason({ plan: plan({ duration: '1y' }) })).toBe('not_applicable');
    expect(reason({ offer: offer({ discount: { type: 'flat', amount: 100, currency: 'USD' } }) })).toBe('not_applicable');
    expect(reason({ offer: offer({ discount: { type: 'flat', amount: 100, currency: 'INR' } }), plan: plan({ pricing: 'aum' }) })).toBe('not_applicable');
    expect(reason({ codeUsed: true })).toBe('redemptions_exhausted');
    expect(reason({ offer: offer({ maxRedemptions: 5 }), redemptionsCount: 5 })).toBe('redemptions_exhausted');
    expect(reason({ offer: offer({ eligibility: 'list' }), user: null })).toBe('login_required');
    expect(reason({ offer: offer({ availLimitTotal: 1 }), user: null })).toBe('login_required');
    expect(reason({ offer: offer({ eligibility: 'list' }) })).toBe('not_eligible');
    expect(reason({ offer: offer({ eligibility: 'list' }), onList: true })).toBe('applied');
    expect(reason({ offer: offer({ availLimitPerProduct: 2 }), userAvailsOnProduct: 2 })).toBe('avail_limit_reached');
    expect(reason({ offer: offer({ availLimitTotal: 2 }), userAvailsTotal: 2 })).toBe('avail_limit_reached');
  });
});

/**
 * The limit rules against a simple reference model. The "system" keeps incremental counters,
 * as the database does (offers.redemptions_count, per user and product), and asks
 * decideRedemption; the model recomputes everything from the list of live avails. Random
 * sequences of checkouts, cancellations and voids must get the same answers, and no limit is
 * ever exceeded.
 */
describe('limit rules vs a reference model', () => {
  type Op = { kind: 'checkout' | 'cancel' | 'void'; user: number; product: number };
  const op = fc.record({ kind: fc.constantFrom('checkout', 'checkout', 'cancel', 'void'), user: fc.integer({ min: 0, max: 3 }), product: fc.integer({ min: 0, max: 2 }) }) as fc.Arbitrary<Op>;
  const limit = fc.option(fc.integer({ min: 1, max: 4 }), { nil: null });

  it('agrees on every checkout and never exceeds a limit', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), limit, limit, limit, (ops, maxRedemptions, perProduct, total) => {
        const o = offer({ maxRedemptions, availLimitPerProduct: perProduct, availLimitTotal: total, allProducts: true });
        // System: counters.
        let redemptions = 0;
        const perUserProduct = new Map<string, number>();
        const perUser = new Map<number, number>();
        const liveSub = new Map<string, { avail: boolean }>(); // user:product -> live subscription
        // Model: the list of avails still standing (not voided).
        const avails: { user: number; product: number }[] = [];
        for (const step of ops) {
          const key = `${step.user}:${step.product}`;
          if (step.kind === 'checkout') {
            if (liveSub.has(key)) continue; // already subscribed: not a redemption question
            const d = decideRedemption(
              facts({
                offer: o,
                plan: plan({ productId: `p${step.product}` }),
                user: { id: `u${step.user}` },
                redemptionsCount: redemptions,
                userAvailsOnProduct: perUserProduct.get(key) ?? 0,
                userAvailsTotal: perUser.get(step.user) ?? 0,
              }),
            );
            const modelAllows =
              (maxRedemptions === null || avails.length < maxRedemptions) &&
              (perProduct === null || avails.filter((a) => a.user === step.user && a.product === step.product).length < perProduct) &&
              (total === null || avails.filter((a) => a.user === step.user).length < total);
            expect(d.kind === 'applied').toBe(modelAllows);
            if (d.kind === 'applied') {
              redemptions++;
              perUserProduct.set(key, (perUserProduct.get(key) ?? 0) + 1);
              perUser.set(step.user, (perUser.get(step.user) ?? 0) + 1);
              avails.push({ user: step.user, product: step.product });
              liveSub.set(key, { avail: true });
            } else {
              expect(['redemptions_exhausted', 'avail_limit_reached']).toContain(d.reason);
            }
          } else if (step.kind === 'cancel') {
            liveSub.delete(key); // the avail stays counted
          } else {
            const sub = liveSub.get(key);
            if (!sub) continue;
            liveSub.delete(key); // void: the subscription goes and its avail comes back
            redemptions--;
            perUserProduct.set(key, perUserProduct.get(key)! - 1);
            perUser.set(step.user, perUser.get(step.user)! - 1);
            avails.splice(avails.findLastIndex((a) => a.user === step.user && a.product === step.product), 1);
          }
          if (maxRedemptions !== null) expect(avails.length).toBeLessThanOrEqual(maxRedemptions);
          for (let u = 0; u < 4; u++) {
            if (total !== null) expect(avails.filter((a) => a.user === u).length).toBeLessThanOrEqual(total);
            for (let p = 0; p < 3; p++) {
              if (perProduct !== null) expect(avails.filter((a) => a.user === u && a.product === p).length).toBeLessThanOrEqual(perProduct);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('decideRenewal', () => {
  it('discounts exactly the first min(n, subscription_limit) consecutive cycles', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 100_000 }), (limitN, renewals, price) => {
        const o = { discount: { type: 'percent' as const, basisPoints: 5000 }, subscriptionLimit: limitN };
        let cycle = 1;
        let discounted = 1; // the first cycle was discounted at checkout
        const discountedFlags = [true];
        for (let i = 0; i < renewals; i++) {
          const r = decideRenewal({ cycle, discountedCycles: discounted, offer: o, price, currency: 'INR' });
          expect(r.cycle).toBe(cycle + 1);
          expect(r.amountDue).toBe(price - r.discount);
          cycle = r.cycle;
          discounted = r.discountedCycles;
          discountedFlags.push(r.discounted);
        }
        const expected = Array.from({ length: renewals + 1 }, (_, i) => (limitN === null ? true : i < limitN));
        // A price so small that half of it rounds to 0 is not a discount.
        if (price >= 1) expect(discountedFlags).toEqual(expected);
      }),
    );
  });

  it('never discounts a subscription without an offer, nor after a full-price cycle', () => {
    expect(decideRenewal({ cycle: 1, discountedCycles: 0, offer: null, price: 100, currency: 'INR' })).toMatchObject({ discounted: false, amountDue: 100 });
    const o = { discount: { type: 'percent' as const, basisPoints: 5000 }, subscriptionLimit: null };
    expect(decideRenewal({ cycle: 3, discountedCycles: 2, offer: o, price: 100, currency: 'INR' })).toMatchObject({ discounted: false, discountedCycles: 2 });
  });
});

describe('coverage and listing', () => {
  it('leaves out products without an applicable plan and names them', () => {
    const d = decideCoverage(
      [
        { productId: 'a', plans: [plan({ productId: 'a', duration: '1m' })] },
        { productId: 'b', plans: [plan({ productId: 'b', duration: '1y' })] },
        { productId: 'c', plans: [plan({ productId: 'c', duration: '1m', active: false })] },
      ],
      { durations: ['1m'], discount: { type: 'percent', basisPoints: 100 } },
    );
    expect(d).toMatchObject({ kind: 'covered', productIds: ['a'], warnings: [{ product_id: 'b' }, { product_id: 'c' }] });
    const none = decideCoverage([{ productId: 'a', plans: [plan({ currency: 'INR' })] }], { durations: ['1m'], discount: { type: 'flat', amount: 1, currency: 'USD' } });
    expect(none).toMatchObject({ kind: 'none_left', currencyMismatch: true });
  });

  it('lists public offers only, list offers only to listed users', () => {
    const base = { now: NOW, redemptionsCount: 0, onList: false, signedIn: false };
    expect(isListed({ ...base, offer: offer() })).toBe(true);
    expect(isListed({ ...base, offer: offer({ discoverability: 'private' }) })).toBe(false);
    expect(isListed({ ...base, offer: offer({ eligibility: 'list' }) })).toBe(false);
    expect(isListed({ ...base, offer: offer({ eligibility: 'list' }), onList: true, signedIn: true })).toBe(true);
    expect(isListed({ ...base, offer: offer({ maxRedemptions: 1 }), redemptionsCount: 1 })).toBe(false);
    expect(isListed({ ...base, offer: offer({ startsAt: NOW + 1 }) })).toBe(false);
  });
});

describe('holds', () => {
  it('a pending hold is over exactly at hold_expires_at, and shown hold_expired from then on', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * DAY }), fc.integer({ min: -DAY, max: DAY }), (end, offset) => {
        const now = end + offset;
        const s = { status: 'pending' as const, holdExpiresAt: end };
        expect(holdIsOver(s, now)).toBe(now >= end);
        expect(effectiveStatus(s, now)).toBe(now >= end ? 'hold_expired' : 'pending');
        expect(isLive(s, now)).toBe(now < end);
        expect(holdsItsCounts(s, now)).toBe(now < end);
      }),
    );
    expect(isLive({ status: 'active', holdExpiresAt: NOW - DAY }, NOW)).toBe(true);
    expect(isLive({ status: 'cancelled', holdExpiresAt: null }, NOW)).toBe(false);
    expect(holdEnd(NOW, 30)).toBe(NOW + 30 * 60_000);
  });
});

describe('decideCheckout', () => {
  const base = (f: Partial<CheckoutFacts> = {}): CheckoutFacts => ({
    now: NOW,
    holdMinutes: 30,
    requestHash: null,
    stored: null,
    plan: plan(),
    subscriptions: [],
    redemption: null,
    ...f,
  });

  it('paid → pending with a hold, free → active; the amounts are the redemption decision', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 1440 }), (price, bp, minutes) => {
        const p = plan({ price });
        const d = decideCheckout(base({ plan: p, holdMinutes: minutes, redemption: facts({ plan: p, offer: offer({ discount: { type: 'percent', basisPoints: bp } }) }) }));
        const r = decideRedemption(facts({ plan: p, offer: offer({ discount: { type: 'percent', basisPoints: bp } }) }));
        if (d.kind !== 'create' || r.kind !== 'applied') throw new Error('expected both to apply');
        expect([d.price, d.discount, d.amountDue]).toEqual([r.price, r.discount, r.amountDue]);
        expect(d.status).toBe(r.amountDue > 0 ? 'pending' : 'active');
        expect(d.holdExpiresAt).toBe(r.amountDue > 0 ? NOW + minutes * 60_000 : null);
        expect(d.discountedCycles).toBe(r.discount > 0 ? 1 : 0);
      }),
    );
  });

  it('the order: stored answer, plan, the product slot (a live hold too), then the code', () => {
    const stored = { requestHash: 'h', status: 201, body: '{}', subscriptionStands: true };
    expect(decideCheckout(base({ requestHash: 'h', stored, plan: null }))).toEqual({ kind: 'replay', status: 201, body: '{}' });
    expect(decideCheckout(base({ requestHash: 'x', stored }))).toEqual({ kind: 'refused', reason: 'idempotency_key_reuse' });
    // A stored answer whose subscription no longer stands is checked out afresh.
    expect(decideCheckout(base({ requestHash: 'h', stored: { ...stored, subscriptionStands: false } })).kind).toBe('create');
    expect(decideCheckout(base({ plan: plan({ active: false }) }))).toEqual({ kind: 'refused', reason: 'plan_not_found' });
    const hold = { status: 'pending' as const, holdExpiresAt: NOW + 1 };
    expect(decideCheckout(base({ subscriptions: [hold], redemption: facts({ offer: null }) }))).toEqual({ kind: 'refused', reason: 'already_subscribed' });
    const lapsed = decideCheckout(base({ subscriptions: [{ status: 'pending', holdExpiresAt: NOW }] }));
    expect(lapsed).toMatchObject({ kind: 'create', reactivation: false });
    expect(decideCheckout(base({ subscriptions: [{ status: 'cancelled', holdExpiresAt: null }] }))).toMatchObject({ kind: 'create', reactivation: true });
    expect(decideCheckout(base({ redemption: facts({ offer: null }) }))).toEqual({ kind: 'refused', reason: 'code_not_found' });
  });
});

describe('billing hook decisions', () => {
  const sub = (s: Partial<HookSubscription> = {}): Found => ({ kind: 'found', sub: { status: 'active', holdExpiresAt: null, source: 'checkout', cycle: 1, ...s } });

  it('activate', () => {
    expect(decideActivate(sub({ status: 'pending', holdExpiresAt: NOW + 1 }), NOW)).toEqual({ kind: 'go', go: true });
    expect(decideActivate(sub({ status: 'pending', holdExpiresAt: NOW }), NOW)).toEqual({ kind: 'refused', reason: 'hold_expired' });
    expect(decideActivate(sub({ status: 'hold_expired', holdExpiresAt: NOW - 1 }), NOW)).toEqual({ kind: 'refused', reason: 'hold_expired' });
    expect(decideActivate(sub(), NOW)).toEqual({ kind: 'unchanged' });
    expect(decideActivate(sub({ status: 'cancelled' }), NOW)).toEqual({ kind: 'refused', reason: 'subscription_not_pending' });
    expect(decideActivate({ kind: 'voided' }, NOW)).toEqual({ kind: 'voided' });
    expect(decideActivate({ kind: 'unknown' }, NOW)).toEqual({ kind: 'not_found' });
  });

  it('renew with and without cycle: one next cycle, started ones unchanged, skipped ones refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 2, max: 60 }), (current, asked) => {
        const d = decideRenew(sub({ cycle: current }), asked, NOW);
        if (asked <= current) expect(d).toEqual({ kind: 'unchanged' });
        else if (asked === current + 1) expect(d).toEqual({ kind: 'go', go: { cycle: current + 1 } });
        else expect(d).toEqual({ kind: 'refused', reason: 'cycle_mismatch' });
      }),
    );
    expect(decideRenew(sub({ cycle: 3 }), undefined, NOW)).toEqual({ kind: 'go', go: { cycle: 4 } });
    expect(decideRenew(sub({ status: 'pending', holdExpiresAt: NOW + 1 }), 2, NOW)).toEqual({ kind: 'refused', reason: 'subscription_not_active' });
    expect(decideRenew(sub({ status: 'cancelled' }), undefined, NOW)).toEqual({ kind: 'refused', reason: 'subscription_not_renewable' });
  });

  it('cancel, void and replays', () => {
    expect(decideCancel(sub({ status: 'pending', holdExpiresAt: NOW + 1 }), NOW)).toEqual({ kind: 'go', go: true });
    expect(decideCancel(sub({ status: 'pending', holdExpiresAt: NOW }), NOW)).toEqual({ kind: 'refused', reason: 'hold_expired' });
    expect(decideCancel(sub({ status: 'cancelled' }), NOW)).toEqual({ kind: 'unchanged' });
    expect(decideCancel(sub(), NOW)).toEqual({ kind: 'go', go: true });
    expect(decideVoid(sub({ cycle: 2 }))).toEqual({ kind: 'refused', reason: 'not_voidable' });
    expect(decideVoid(sub({ source: 'group' }))).toEqual({ kind: 'refused', reason: 'not_voidable' });
    expect(decideVoid({ kind: 'voided' })).toEqual({ kind: 'unchanged' });
    const stored = { requestHash: 'h', status: 200, body: '{"id":"sub_1"}' };
    expect(decideReplay('renew', stored, 'h', true)).toEqual({ kind: 'replay', status: 200, body: stored.body });
    expect(decideReplay('renew', stored, 'other', true)).toEqual({ kind: 'key_reuse' });
    // Never answer a subscription that no longer exists as if it did.
    expect(decideReplay('activate', stored, 'h', false)).toEqual({ kind: 'fresh' });
    expect(decideReplay('void', stored, 'h', false)).toMatchObject({ kind: 'replay' });
    expect(decideReplay('cancel', null, 'h', true)).toEqual({ kind: 'fresh' });
  });
});

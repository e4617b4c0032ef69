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

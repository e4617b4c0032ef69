import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { admin, createCatalog, createTenant, publicApi, userToken, type TestTenant } from '../helpers';
import { createOffer } from '../offers-helpers';
import { decideCheckout } from '../../worker/domain/checkout';
import { decideActivate, decideCancel, decideRenew, decideVoid, type Found, type HookDecision } from '../../worker/domain/billing';
import { decideRenewal, type OfferFacts, type PlanFacts } from '../../worker/domain/offer-rules';
import { effectiveStatus, holdsItsCounts, type SubscriptionStatus } from '../../worker/domain/holds';

/**
 * The differential test of the checkout and billing rules (issue 10): random sequences of
 * checkouts (with and without the code, several users, products and plans), activations,
 * renewals, cancellations, voids and the passing of time (hold expiry) run through a reference
 * model built on the pure rules of worker/domain and through the real API on real D1; every
 * answer (status and code) and the offer's live counts must agree after every step. The model
 * knows nothing of SQL: it counts from its own list of subscriptions.
 */

const HOLD_MINUTES = 1;
const PRICE = 1000;

type Cmd =
  | { kind: 'checkout'; user: number; plan: number; withCode: boolean }
  | { kind: 'activate' | 'renew' | 'cancel' | 'void'; sub: number }
  | { kind: 'advance'; ms: number };

interface Limits {
  max_redemptions: number | null;
  avail_limit_per_product: number | null;
  avail_limit_total: number | null;
  subscription_limit: number | null;
  percent: 50 | 100;
}

interface ModelSub {
  user: number;
  product: number;
  plan: number;
  status: SubscriptionStatus;
  holdExpiresAt: number | null;
  cycle: number;
  discountedCycles: number;
  withOffer: boolean;
  voided: boolean;
}

/** Plans: 0 and 1 on product 0 (1m, 3m), 2 on product 1 (1m). The offer covers both products, 1m and 3m. */
const PLANS = [
  { product: 0, duration: '1m' },
  { product: 0, duration: '3m' },
  { product: 1, duration: '1m' },
] as const;

class Model {
  subs: ModelSub[] = [];
  renewals = 0;
  constructor(
    readonly limits: Limits,
    readonly offer: OfferFacts,
  ) {}

  private counted(now: number) {
    return this.subs.filter((s) => s.withOffer && !s.voided && holdsItsCounts(s, now));
  }

  stats(now: number) {
    const c = this.counted(now);
    return { redemptions: c.length, users_availed: new Set(c.map((s) => s.user)).size, discounted_renewals: this.renewals };
  }

  planFacts(p: number): PlanFacts {
    return { id: `plan${p}`, productId: `prod${PLANS[p]!.product}`, duration: PLANS[p]!.duration, price: PRICE, currency: 'INR', pricing: 'fixed', active: true };
  }

  checkout(cmd: Extract<Cmd, { kind: 'checkout' }>, now: number): { status: number; code?: string; sub?: SubscriptionStatus } {
    const product = PLANS[cmd.plan]!.product;
    const counted = this.counted(now);
    const d = decideCheckout({
      now,
      holdMinutes: HOLD_MINUTES,
      requestHash: null,
      stored: null,
      plan: this.planFacts(cmd.plan),
      subscriptions: this.subs.filter((s) => !s.voided && s.user === cmd.user && s.product === product),
      redemption: cmd.withCode
        ? {
            now,
            plan: this.planFacts(cmd.plan),
            offer: this.offer,
            codeUsed: false,
            productIncluded: true,
            user: { id: `u${cmd.user}` },
            onList: false,
            redemptionsCount: counted.length,
            userAvailsOnProduct: counted.filter((s) => s.user === cmd.user && s.product === product).length,
            userAvailsTotal: counted.filter((s) => s.user === cmd.user).length,
          }
        : null,
    });
    if (d.kind === 'refused') return { status: d.reason === 'already_subscribed' ? 409 : 422, code: d.reason };
    if (d.kind !== 'create') throw new Error('no replay in this model');
    this.subs.push({
      user: cmd.user,
      product,
      plan: cmd.plan,
      status: d.status,
      holdExpiresAt: d.holdExpiresAt,
      cycle: 1,
      discountedCycles: d.discountedCycles,
      withOffer: d.withOffer,
      voided: false,
    });
    return { status: 201, sub: d.status };
  }

  private found(i: number): Found {
    const s = this.subs[i]!;
    return s.voided ? { kind: 'voided' } : { kind: 'found', sub: { status: s.status, holdExpiresAt: s.holdExpiresAt, source: 'checkout', cycle: s.cycle } };
  }

  hook(kind: 'activate' | 'renew' | 'cancel' | 'void', i: number, now: number): { status: number; code?: string; sub?: SubscriptionStatus } {
    const f = this.found(i);
    const d: HookDecision<unknown> =
      kind === 'activate' ? decideActivate(f, now) : kind === 'renew' ? decideRenew(f, undefined, now) : kind === 'cancel' ? decideCancel(f, now) : decideVoid(f);
    const s = this.subs[i]!;
    if (d.kind === 'voided') return { status: 409, code: 'subscription_voided' };
    if (d.kind === 'not_found') return { status: 404, code: 'not_found' };
    if (d.kind === 'refused') return { status: 409, code: d.reason };
    if (d.kind === 'go') {
      if (kind === 'activate') s.status = 'active';
      if (kind === 'cancel') s.status = 'cancelled';
      if (kind === 'void') s.voided = true;
      if (kind === 'renew') {
        const r = decideRenewal({
          cycle: s.cycle,
          discountedCycles: s.discountedCycles,
          offer: s.withOffer ? { discount: this.offer.discount, subscriptionLimit: this.offer.subscriptionLimit } : null,
          price: PRICE,
          currency: 'INR',
        });
        s.cycle = r.cycle;
        s.discountedCycles = r.discountedCycles;
        s.status = 'active';
        if (r.discounted) this.renewals++;
      }
    }
    if (kind === 'void') return { status: 200 };
    return { status: 200, sub: s.voided ? undefined : effectiveStatus(s, now) };
  }
}

const limitsArb: fc.Arbitrary<Limits> = fc.record({
  max_redemptions: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  avail_limit_per_product: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null, freq: 3 }),
  avail_limit_total: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null, freq: 3 }),
  subscription_limit: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null }),
  percent: fc.constantFrom(50 as const, 100 as const),
});

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('checkout' as const), user: fc.integer({ min: 0, max: 1 }), plan: fc.integer({ min: 0, max: 2 }), withCode: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('activate' as const), sub: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('renew' as const), sub: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), sub: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), sub: fc.nat(20) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(1_000, 30_000, 59_999, 60_000, 61_000) }) },
);

let clock = 0;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  clock = Date.parse('2031-06-01T08:00:00.000Z');
  vi.setSystemTime(clock);
});
afterEach(() => {
  vi.useRealTimers();
});

async function world(limits: Limits) {
  const tenant: TestTenant = await createTenant();
  expect((await admin(tenant).patch('/tenant', { checkout_hold_minutes: HOLD_MINUTES })).status).toBe(200);
  const p0 = await createCatalog(tenant, { durations: ['1m', '3m'], price: PRICE, name: 'p0' });
  const p1 = await createCatalog(tenant, { durations: ['1m'], price: PRICE, name: 'p1' });
  const planIds = [p0.plans['1m'].id, p0.plans['3m'].id, p1.plans['1m'].id] as string[];
  const offer = await createOffer(tenant, {
    applies_to: { product_ids: [p0.product.id, p1.product.id], durations: ['1m', '3m'] },
    discount: { type: 'percent', value: limits.percent },
    max_redemptions: limits.max_redemptions,
    avail_limit_per_product: limits.avail_limit_per_product,
    avail_limit_total: limits.avail_limit_total,
    subscription_limit: limits.subscription_limit,
  });
  const users = await Promise.all([0, 1, 2].map(async (u) => publicApi(tenant, { userToken: await userToken(tenant, { sub: `u${u}` }), ip: `192.0.2.${u + 1}` })));
  const facts: OfferFacts = {
    id: offer.id,
    state: 'published',
    startsAt: Date.parse(offer.starts_at),
    endsAt: Date.parse(offer.ends_at),
    endedAt: null,
    deletedAt: null,
    discount: { type: 'percent', basisPoints: limits.percent * 100 },
    allProducts: false,
    durations: ['1m', '3m'],
    eligibility: 'all',
    discoverability: 'public',
    maxRedemptions: limits.max_redemptions,
    availLimitPerProduct: limits.avail_limit_per_product,
    availLimitTotal: limits.avail_limit_total,
    subscriptionLimit: limits.subscription_limit,
  };
  return { tenant, api: admin(tenant), planIds, offer, users, model: new Model(limits, facts) };
}

describe('differential: domain rules vs HTTP API + D1', () => {
  it('random sequences of checkout, activate, renew, cancel, void and hold expiry agree in answers and counts', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(limitsArb, fc.array(cmdArb, { minLength: 4, maxLength: 14 }), async (limits, cmds) => {
        const w = await world(limits);
        const ids: string[] = [];
        for (const [step, cmd] of cmds.entries()) {
          const now = Date.now();
          let expected: { status: number; code?: string; sub?: SubscriptionStatus };
          let res: { status: number; json: any; text: string };
          if (cmd.kind === 'advance') {
            clock += cmd.ms;
            vi.setSystemTime(clock);
            continue;
          } else if (cmd.kind === 'checkout') {
            expected = w.model.checkout(cmd, now);
            res = await w.users[cmd.user]!.post('/subscriptions', { plan_id: w.planIds[cmd.plan], ...(cmd.withCode ? { code: w.offer.code } : {}) });
            if (res.status === 201) ids.push(res.json.id);
          } else {
            if (ids.length === 0) continue;
            const i = cmd.sub % ids.length;
            expected = w.model.hook(cmd.kind, i, now);
            res = await w.api.post(`/subscriptions/${ids[i]}/${cmd.kind}`, cmd.kind === 'activate' || cmd.kind === 'renew' ? {} : undefined);
          }
          const got = { status: res.status, ...(res.status >= 400 ? { code: res.json?.code } : {}), ...(expected.sub ? { sub: res.json?.status } : {}) };
          expect(got, `step ${step}: ${JSON.stringify(cmd)} → ${res.text}`).toEqual(expected);
          const stats = (await w.api.get(`/offers/${w.offer.id}/stats`)).json;
          expect({ redemptions: stats.redemptions, users_availed: stats.users_availed, discounted_renewals: stats.discounted_renewals }, `stats after step ${step}`).toEqual(
            w.model.stats(Date.now()),
          );
        }
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });
});

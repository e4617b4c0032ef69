import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { validate } from '../validation';
import { commonProblems, iso, json } from '../schemas/common';
import { PublicOffer, PublicOffersQuery } from '../schemas/offer';
import { appliesToPlan, isListed } from '../domain/offer-rules';
import { priceWithDiscount } from '../domain/money';
import { planFacts, type OfferRow } from '../db/offer-rows';
import { readForListing, type PublicCatalog } from '../db/offer-listing';
import { discountJson } from '../schemas/offer-json';

/** `GET /v1/offers`: the offers listed to this caller, priced on each plan they apply to. One D1 round trip. */
export const publicOffers = new Hono<AppEnv>().get(
  '/',
  describeRoute({
    tags: ['Public'],
    summary: 'Offers listed to this caller',
    description:
      'Public, live offers with redemptions left: those for all users, and list-targeted ones only to signed-in users on the list. Private offers are never listed. Each comes with the plans it applies to, priced.',
    responses: { 200: json('Listed offers', z.object({ data: z.array(PublicOffer) })), ...commonProblems },
  }),
  validate('query', PublicOffersQuery),
  async (c) => {
    const q = c.req.valid('query');
    const tenant = c.get('tenant');
    const user = c.get('user');
    const now = Date.now();
    // Only offers that could show for this filter need their live parts read.
    const candidate = (o: OfferRow, catalog: PublicCatalog) => {
      if (!q.product_id && !q.plan_id) return true;
      const products = catalog.productsByOffer.get(o.id);
      return catalog.plans.some(
        (p) => (!q.product_id || p.product_id === q.product_id) && (!q.plan_id || p.id === q.plan_id) && (o.all_products === 1 || (products?.has(p.product_id) ?? false)),
      );
    };
    const reads = await readForListing(
      c.get('d1Replica'),
      { tenantId: tenant.id, now, user: user ? { id: user.id, email: user.emailVerified ? user.email : null } : null },
      candidate,
    );
    const { catalog } = reads;
    const plans = catalog.plans.filter((p) => (!q.product_id || p.product_id === q.product_id) && (!q.plan_id || p.id === q.plan_id)).map(planFacts);
    const data: z.infer<typeof PublicOffer>[] = [];
    catalog.facts.forEach((facts, i) => {
      const row = catalog.offers[i]!;
      if (!isListed({ now, offer: facts, redemptionsCount: reads.liveCounts.get(facts.id) ?? 0, onList: reads.listedOfferIds.has(facts.id), signedIn: user !== null })) return;
      const products = catalog.productsByOffer.get(facts.id);
      const priced: z.infer<typeof PublicOffer>['plans'] = [];
      for (const plan of plans) {
        if (!appliesToPlan(facts, plan, products?.has(plan.productId) ?? false)) continue;
        const p = priceWithDiscount(plan.price, plan.currency, facts.discount);
        if (p.kind !== 'priced') continue;
        priced.push({ plan_id: plan.id, product_id: plan.productId, price: p.price, discount: p.discount, amount_due: p.amountDue, currency: plan.currency });
      }
      if (priced.length === 0) return;
      data.push({
        id: row.id,
        code: row.code,
        discount: discountJson(row),
        durations: facts.durations as z.infer<typeof PublicOffer>['durations'],
        ends_at: iso(row.ends_at)!,
        subscription_limit: row.subscription_limit,
        plans: priced,
      });
    });
    c.header('Cache-Control', 'private, no-store');
    return c.json({ data });
  },
);

import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { validate } from '../validation';
import { IdParam, commonProblems, json, problem } from '../schemas/common';
import { Offer } from '../schemas/offer';
import { liveOffersForPlan } from '../db/offer-queries';
import { offerFacts, planFacts } from '../db/offer-rows';
import { appliesToPlan } from '../domain/offer-rules';
import { offerJson } from '../schemas/offer-json';

/** `GET /admin/v1/plans/{id}/offers`: the plan's live offers (published, within validity), live. */
export const planOffers = new Hono<AppEnv>().get(
  '/:id/offers',
  describeRoute({
    tags: ['Offers'],
    summary: 'Live offers of a plan',
    responses: { 200: json('Live offers that apply to the plan', z.object({ data: z.array(Offer) })), 404: problem('Unknown plan'), ...commonProblems },
  }),
  validate('param', IdParam('plan')),
  async (c) => {
    const now = Date.now();
    const found = await liveOffersForPlan(c.get('d1'), c.get('tenant').id, c.req.valid('param').id, now);
    if (!found) throw notFound('plan', 'id');
    const plan = planFacts(found.plan);
    const data = found.offers.flatMap((o) => {
      const productIds = (JSON.parse(o.product_ids_json || '[]') as string[]).sort();
      // The one rule of the domain (product, duration, pricing, currency).
      return appliesToPlan(offerFacts(o), plan, productIds.includes(plan.productId)) ? [offerJson(o, productIds, now)] : [];
    });
    return c.json({ data });
  },
);

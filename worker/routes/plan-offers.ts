import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { validate } from '../validation';
import { IdParam, commonProblems, json, problem } from '../schemas/common';
import { Offer } from '../schemas/offer';
import { liveOffersForPlan, primaryDb } from '../db/offers';
import { offerJson } from './offers';

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
    const found = await liveOffersForPlan(primaryDb(c.env.DB, c.get('d1RoundTrips')), c.get('tenant').id, c.req.valid('param').id, now);
    if (!found) throw notFound('plan', 'id');
    // Flat offers in another currency or on aum plans do not apply.
    const plan = found.plan;
    const data = found.offers
      .filter((o) => o.discount_type === 'percent' || (plan.pricing === 'fixed' && o.discount_currency === plan.currency))
      .map((o) => offerJson(o, (JSON.parse(o.product_ids_json || '[]') as string[]).sort(), now));
    return c.json({ data });
  },
);

import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { validate } from '../validation';
import { Id, commonProblems, json } from '../schemas/common';
import { Subscription, subscriptionRawJson } from '../schemas/subscription';
import { requireUser } from '../middleware/auth';
import { liveSubscriptionsOf } from '../db/my-subscriptions';

const MySubscriptionsQuery = z.object({ product_id: Id('prod') }).meta({ id: 'MySubscriptionsQuery' });

const MySubscriptions = z
  .object({ data: z.array(Subscription) })
  .meta({ id: 'MySubscriptions', description: "The caller's live subscriptions on the product, newest first" });

/** `GET /v1/subscriptions?product_id=`: what the signed-in caller already has on a product. */
export const mySubscriptions = new Hono<AppEnv>().get(
  '/',
  describeRoute({
    tags: ['Public'],
    summary: "The caller's live subscriptions on a product",
    description:
      'User token required (401 `login_required` without one). Answers only the subscriptions of the user named by the token, in this tenant: `active`, `grace`, and `pending` until its `hold_expires_at`. Lets a checkout show an existing subscription before the form.',
    responses: { 200: json("The caller's live subscriptions", MySubscriptions), ...commonProblems },
  }),
  validate('query', MySubscriptionsQuery),
  async (c) => {
    const user = requireUser(c);
    const { product_id } = c.req.valid('query');
    const rows = await liveSubscriptionsOf(c.get('d1'), { tenantId: c.get('tenant').id, userId: user.id, productId: product_id, now: Date.now() });
    return c.json({ data: rows.map(subscriptionRawJson) });
  },
);

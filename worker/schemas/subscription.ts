import { z } from 'zod';
import type { subscriptions } from '../db/schema';
import { iso } from './common';

/** The one JSON shape of a subscription, shared by checkout, group claims, imports and billing hooks. */
export const Subscription = z
  .object({
    id: z.string(),
    user_id: z.string(),
    product_id: z.string(),
    plan_id: z.string(),
    status: z.enum(['active', 'grace', 'cancelled', 'expired']),
    source: z.enum(['checkout', 'group', 'import']),
    collection: z.enum(['charge_card', 'send_invoice']),
    group_id: z.string().nullable(),
    offer_id: z.string().nullable(),
    code: z.string().nullable(),
    reactivation: z.boolean(),
    cycle: z.number().int().meta({ description: 'Billing cycle number, 1 for the first' }),
    discounted_cycles: z.number().int().meta({ description: 'Consecutive cycles that got the discount so far, the first included' }),
    price: z.number().int(),
    discount: z.number().int(),
    amount_due: z.number().int(),
    currency: z.string(),
    current_period_start: z.string(),
    current_period_end: z.string(),
    cancelled_at: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'Subscription' });

export type SubscriptionRow = typeof subscriptions.$inferSelect;

export const subscriptionJson = (s: SubscriptionRow): z.infer<typeof Subscription> => ({
  id: s.id,
  user_id: s.userId,
  product_id: s.productId,
  plan_id: s.planId,
  status: s.status,
  source: s.source,
  collection: s.collection,
  group_id: s.groupId,
  offer_id: s.offerId,
  code: s.code,
  reactivation: s.reactivation,
  cycle: s.cycle,
  discounted_cycles: s.discountedCycles,
  price: s.price,
  discount: s.discount,
  amount_due: s.amountDue,
  currency: s.currency,
  current_period_start: iso(s.currentPeriodStart)!,
  current_period_end: iso(s.currentPeriodEnd)!,
  cancelled_at: iso(s.cancelledAt),
  created_at: iso(s.createdAt)!,
});

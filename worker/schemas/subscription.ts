import { z } from 'zod';
import { SUBSCRIPTION_STATUSES, type subscriptions } from '../db/schema';
import { iso } from './common';

/** The one JSON shape of a subscription, shared by checkout, group claims, imports and billing hooks. */
export const Subscription = z
  .object({
    id: z.string(),
    user_id: z.string(),
    product_id: z.string(),
    plan_id: z.string(),
    status: z.enum(SUBSCRIPTION_STATUSES),
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
    hold_expires_at: z.string().nullable().meta({ description: 'A pending checkout holds its counts until this instant' }),
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
  hold_expires_at: iso(s.holdExpiresAt),
  cancelled_at: iso(s.cancelledAt),
  created_at: iso(s.createdAt)!,
});

/** A `subscriptions` row as raw D1 statements return it. */
export interface SubscriptionRaw {
  id: string;
  tenant_id: string;
  user_id: string;
  product_id: string;
  plan_id: string;
  status: (typeof SUBSCRIPTION_STATUSES)[number];
  source: 'checkout' | 'group' | 'import';
  collection: 'charge_card' | 'send_invoice';
  group_id: string | null;
  offer_id: string | null;
  code: string | null;
  reactivation: number;
  cycle: number;
  discounted_cycles: number;
  price: number;
  discount: number;
  amount_due: number;
  currency: string;
  current_period_start: number;
  current_period_end: number;
  hold_expires_at: number | null;
  cancelled_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A raw D1 row (snake_case, 0/1 booleans) as the drizzle-shaped row that `subscriptionJson` takes. */
export const subscriptionRow = (r: SubscriptionRaw): SubscriptionRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  userId: r.user_id,
  productId: r.product_id,
  planId: r.plan_id,
  status: r.status,
  source: r.source,
  collection: r.collection,
  groupId: r.group_id,
  offerId: r.offer_id,
  code: r.code,
  reactivation: r.reactivation === 1 || (r.reactivation as unknown) === true,
  cycle: r.cycle,
  discountedCycles: r.discounted_cycles,
  price: r.price,
  discount: r.discount,
  amountDue: r.amount_due,
  currency: r.currency,
  currentPeriodStart: r.current_period_start,
  currentPeriodEnd: r.current_period_end,
  holdExpiresAt: r.hold_expires_at ?? null,
  cancelledAt: r.cancelled_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});


/** The JSON shape of a raw D1 subscription row. */
export const subscriptionRawJson = (r: SubscriptionRaw) => subscriptionJson(subscriptionRow(r));

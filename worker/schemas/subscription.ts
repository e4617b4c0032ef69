import { z } from 'zod';
import { SUBSCRIPTION_STATUSES } from '../db/schema';
import type { SubscriptionRaw } from '../db/rows';
import { effectiveStatus } from '../domain/holds';
import { iso } from './common';

export type { SubscriptionRaw } from '../db/rows';

/** The one JSON shape of a subscription, shared by checkout, group claims, imports, billing hooks and webhook events. */
export const Subscription = z
  .object({
    id: z.string(),
    user_id: z.string(),
    product_id: z.string(),
    plan_id: z.string(),
    status: z.enum(SUBSCRIPTION_STATUSES).meta({
      description: '`pending` until paid (activate) or until `hold_expires_at`, then `hold_expired` (shown so at that instant, whether or not the sweep ran)',
    }),
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
    payment_reference: z.string().nullable().meta({ description: 'The payment reference given to `activate`' }),
    cancelled_at: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'Subscription' });

export type SubscriptionJson = z.infer<typeof Subscription>;

/**
 * The JSON of a raw subscription row as seen at `now`: a pending subscription whose hold has
 * passed is shown `hold_expired` (domain/holds.ts), whether or not the sweep has marked it.
 */
export const subscriptionJsonAt = (r: SubscriptionRaw, now: number): SubscriptionJson => ({
  id: r.id,
  user_id: r.user_id,
  product_id: r.product_id,
  plan_id: r.plan_id,
  status: effectiveStatus({ status: r.status, holdExpiresAt: r.hold_expires_at ?? null }, now),
  source: r.source,
  collection: r.collection,
  group_id: r.group_id,
  offer_id: r.offer_id,
  code: r.code,
  reactivation: r.reactivation === 1 || (r.reactivation as unknown) === true,
  cycle: r.cycle,
  discounted_cycles: r.discounted_cycles,
  price: r.price,
  discount: r.discount,
  amount_due: r.amount_due,
  currency: r.currency,
  current_period_start: iso(r.current_period_start)!,
  current_period_end: iso(r.current_period_end)!,
  hold_expires_at: iso(r.hold_expires_at ?? null),
  payment_reference: r.payment_reference ?? null,
  cancelled_at: iso(r.cancelled_at),
  created_at: iso(r.created_at)!,
});

/** The JSON of a raw D1 subscription row, now (one argument: safe to pass to `Array.map`). */
export const subscriptionRawJson = (r: SubscriptionRaw): SubscriptionJson => subscriptionJsonAt(r, Date.now());

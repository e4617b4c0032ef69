import { z } from 'zod';
import { Currency, Duration, Id, MinorUnits } from './common';
import { CODE_PATTERN, REJECT_REASONS } from '../domain/offer-rules';
import { hasAtMostTwoDecimals } from '../domain/money';
import { CodeSetInput } from './job';

export const OfferCode = z
  .string()
  .regex(CODE_PATTERN, 'must be 3–32 letters and digits (no spaces or other characters)')
  .meta({ example: 'SAVE20', description: 'Case-insensitive; stored upper-case.' });

const Limit = z.number().int('must be an integer').min(1, 'must be at least 1').max(1_000_000_000, 'is too large');

export const Discount = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('percent'),
      value: z
        .number()
        .gt(0, 'must be more than 0')
        // The smallest percentage with two decimals: 1e-9 is not "more than 0" once stored.
        .min(0.01, 'must be at least 0.01 (two decimals at most)')
        .max(100, 'must be at most 100')
        .refine(hasAtMostTwoDecimals, 'must have at most two decimals'),
    }),
    z.strictObject({
      type: z.literal('flat'),
      amount: MinorUnits.min(1, 'must be at least 1 (minor units)'),
      currency: Currency,
    }),
  ])
  .meta({ id: 'Discount', description: '`percent` (0 < value ≤ 100, two decimals at most) or `flat` (minor units, in a currency).' });

const DateOrInstant = z
  .string()
  .max(40)
  .meta({ description: '`YYYY-MM-DD` (start of that day, or end of that day for `ends_at`, in the tenant time zone) or an ISO 8601 instant.', example: '2026-12-01' });

export const AppliesTo = z
  .strictObject({
    product_ids: z.array(Id('prod')).min(1, 'must name at least one product').max(500).optional(),
    all_products: z.boolean().optional(),
    durations: z.array(Duration).min(1, 'must name at least one duration').max(4),
  })
  .superRefine((a, ctx) => {
    if (a.product_ids === undefined && a.all_products !== true) {
      ctx.addIssue({ code: 'custom', path: ['product_ids'], message: 'give product_ids or all_products: true' });
    }
    if (a.product_ids !== undefined && a.all_products === true) {
      ctx.addIssue({ code: 'custom', path: ['all_products'], message: 'give product_ids or all_products, not both' });
    }
    if (new Set(a.durations).size !== a.durations.length) ctx.addIssue({ code: 'custom', path: ['durations'], message: 'must not repeat a duration' });
    if (a.product_ids && new Set(a.product_ids).size !== a.product_ids.length) {
      ctx.addIssue({ code: 'custom', path: ['product_ids'], message: 'must not repeat a product' });
    }
  });

/** `code_set` of an offer: strict like every other body (an unknown key is named, not ignored). */
const OfferCodeSet = z.strictObject(CodeSetInput.shape).meta({ description: CodeSetInput.meta()?.description });

export const OfferCreate = z
  .strictObject({
    code: OfferCode.optional(),
    code_set: OfferCodeSet.optional(),
    discount: Discount,
    applies_to: AppliesTo,
    starts_at: DateOrInstant,
    ends_at: DateOrInstant,
    eligibility: z.enum(['all', 'list']),
    discoverability: z.enum(['private', 'public']),
    max_redemptions: Limit.nullable().optional(),
    avail_limit_per_product: Limit.nullable().optional(),
    avail_limit_total: Limit.nullable().optional(),
    subscription_limit: Limit.nullable().optional(),
  })
  .superRefine((o, ctx) => {
    if (o.code === undefined && o.code_set === undefined) ctx.addIssue({ code: 'custom', path: ['code'], message: 'give a code or a code_set' });
    if (o.code !== undefined && o.code_set !== undefined) ctx.addIssue({ code: 'custom', path: ['code_set'], message: 'give a code or a code_set, not both' });
  })
  .meta({ id: 'OfferCreate' });

export const OfferUpdate = z
  .strictObject({
    ends_at: DateOrInstant.optional(),
    discoverability: z.enum(['private', 'public']).optional(),
  })
  .meta({ id: 'OfferUpdate', description: 'Only `ends_at` and `discoverability` of a live offer may change.' });

const Warning = z.object({
  product_id: z.string(),
  plan_id: z.string().optional().meta({ description: 'The plan, for a warning about one plan (`discount_makes_plan_free`)' }),
  reason: z.string(),
  message: z.string(),
});

export const OfferStatusEnum = z.enum(['in_progress', 'scheduled', 'active', 'inactive', 'failed']);

export const Offer = z
  .object({
    id: z.string(),
    code: z.string().nullable(),
    code_set: z.object({ count: z.number().int(), prefix: z.string() }).nullable(),
    discount: z.union([
      z.object({ type: z.literal('percent'), value: z.number() }),
      z.object({ type: z.literal('flat'), amount: z.number().int(), currency: z.string() }),
    ]),
    applies_to: z.object({ product_ids: z.array(z.string()), all_products: z.boolean(), durations: z.array(Duration) }),
    starts_at: z.string(),
    ends_at: z.string(),
    eligibility: z.enum(['all', 'list']),
    discoverability: z.enum(['private', 'public']),
    max_redemptions: z.number().int().nullable(),
    avail_limit_per_product: z.number().int().nullable(),
    avail_limit_total: z.number().int().nullable(),
    subscription_limit: z.number().int().nullable(),
    status: OfferStatusEnum,
    warnings: z.array(Warning),
    redemptions: z.number().int(),
    users_availed: z.number().int(),
    eligible_users: z.number().int(),
    discounted_renewals: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
    job: z.any().optional(),
  })
  .meta({ id: 'Offer' });

export const OfferListQuery = z.object({
  status: OfferStatusEnum.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  starting_after: z.string().max(64).optional(),
});

export const OfferStats = z
  .object({
    offer_id: z.string(),
    eligible_users: z.number().int(),
    users_availed: z.number().int(),
    redemptions: z.number().int(),
    discounted_renewals: z.number().int(),
    by_plan: z.array(z.object({ plan_id: z.string(), product_id: z.string(), redemptions: z.number().int(), users_availed: z.number().int(), discounted_renewals: z.number().int() })),
  })
  .meta({ id: 'OfferStats' });

/** An offer as the public API lists it: no counters, no limits beyond what the widget shows. */
export const PublicOffer = z
  .object({
    id: z.string(),
    code: z.string().nullable(),
    discount: Offer.shape.discount,
    durations: z.array(Duration),
    ends_at: z.string(),
    subscription_limit: z.number().int().nullable(),
    plans: z.array(z.object({ plan_id: z.string(), product_id: z.string(), price: z.number().int(), discount: z.number().int(), amount_due: z.number().int(), currency: z.string() })),
  })
  .meta({ id: 'PublicOffer' });

export const PublicOffersQuery = z.object({ product_id: Id('prod').optional(), plan_id: Id('plan').optional() });

export const QuoteRequest = z
  .strictObject({
    plan_id: Id('plan'),
    // Any string: a code with other characters answers 422 code_invalid_format, not 400.
    code: z.string().max(200).nullable().optional(),
  })
  .meta({ id: 'QuoteRequest' });

export const Quote = z
  .object({
    plan_id: z.string(),
    price: z.number().int(),
    discount: z.number().int(),
    amount_due: z.number().int(),
    currency: z.string(),
    discounted_cycles: z.number().int().nullable().meta({ description: 'Cycles that get the discount, the first included; null: every cycle; 0 without an offer.' }),
    offer: PublicOffer.omit({ plans: true }).optional(),
  })
  .meta({ id: 'Quote' });

export const CheckoutRequest = z
  .strictObject({
    plan_id: Id('plan'),
    code: z.string().max(200).nullable().optional(),
    collection: z.enum(['charge_card', 'send_invoice']).optional(),
  })
  .meta({ id: 'CheckoutRequest' });

export const RenewRequest = z
  .strictObject({
    grace: z.boolean().optional(),
    cycle: z.number().int('must be an integer').min(1, 'must be at least 1').max(100_000, 'is too large').optional().meta({
      description: 'The number of the cycle being started: a cycle already started answers 200 unchanged, a skipped one 409 `cycle_mismatch`',
    }),
  })
  .meta({ id: 'RenewRequest' });

export const ActivateRequest = z
  .strictObject({
    collection: z.enum(['charge_card', 'send_invoice']).optional(),
    payment_reference: z.string().min(1, 'must not be empty').max(255, 'is at most 255 characters').optional(),
  })
  .meta({ id: 'ActivateRequest' });

export const RejectReasonEnum = z.enum(REJECT_REASONS);

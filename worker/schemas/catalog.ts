import { z } from 'zod';
import { Currency, Duration, Id, MinorUnits } from './common';

const Name = z.string().trim().min(1, 'must not be empty').max(200);
const Description = z.string().max(5000).nullable().optional();

export const ProductCreate = z.strictObject({ name: Name, description: Description }).meta({ id: 'ProductCreate' });
export const ProductUpdate = z.strictObject({ name: Name.optional(), description: Description }).meta({ id: 'ProductUpdate' });
export const Product = z
  .object({ id: z.string(), name: z.string(), description: z.string().nullable(), created_at: z.string(), updated_at: z.string() })
  .meta({ id: 'Product' });

export const PlanCreate = z
  .strictObject({
    product_id: Id('prod'),
    name: Name,
    description: Description,
    duration: Duration,
    price: MinorUnits,
    currency: Currency,
    pricing: z.enum(['fixed', 'aum']).default('fixed'),
    active: z.boolean().default(true),
  })
  .superRefine((plan, ctx) => {
    if (plan.pricing === 'aum' && plan.duration !== '1m') {
      ctx.addIssue({ code: 'custom', path: ['duration'], message: 'an aum plan is billed monthly: duration must be 1m' });
    }
  })
  .meta({ id: 'PlanCreate' });

export const PlanUpdate = z
  .strictObject({ name: Name.optional(), description: Description, price: MinorUnits.optional(), active: z.boolean().optional() })
  .meta({ id: 'PlanUpdate' });

export const Plan = z
  .object({
    id: z.string(),
    product_id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    duration: Duration,
    price: z.number().int(),
    currency: z.string(),
    pricing: z.enum(['fixed', 'aum']),
    active: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Plan' });

export const PlansQuery = z.object({ product_id: Id('prod').optional() });

/** The JSON of products and plans in API answers, from their drizzle rows. */
import { iso } from './common';
import type { PlanRow, ProductRow } from '../db/catalog';

export const productJson = (p: ProductRow) => ({
  id: p.id,
  name: p.name,
  description: p.description,
  created_at: iso(p.createdAt)!,
  updated_at: iso(p.updatedAt)!,
});

export const planJson = (p: PlanRow) => ({
  id: p.id,
  product_id: p.productId,
  name: p.name,
  description: p.description,
  duration: p.duration,
  price: p.price,
  currency: p.currency,
  pricing: p.pricing,
  active: p.active,
  created_at: iso(p.createdAt)!,
  updated_at: iso(p.updatedAt)!,
});

/**
 * Raw rows of offers and plans as the raw-SQL queries select them (OFFER_COLUMNS over alias
 * `o`, PLAN_COLUMNS), and their mappers to the domain's facts. Used by the offer queries, the
 * redemption reads, the checkout write and the caches alike: one mapper each.
 */
import type { DiscountDef } from '../domain/money';
import type { OfferFacts, PlanFacts } from '../domain/offer-rules';
import type { offers, plans } from './schema';

export const OFFER_COLUMNS = `o.id, o.tenant_id, o.code, o.code_set_count, o.code_set_prefix, o.discount_type, o.discount_basis_points,
  o.discount_amount, o.discount_currency, o.all_products, o.durations, o.starts_at, o.ends_at, o.eligibility, o.discoverability,
  o.max_redemptions, o.avail_limit_per_product, o.avail_limit_total, o.subscription_limit, o.state, o.ended_at, o.deleted_at,
  o.redemptions_count, o.users_availed_count, o.discounted_renewals_count, o.eligible_users_count, o.warnings, o.created_at, o.updated_at`;

/** An offer row as raw SQL returns it (snake_case columns, booleans as 0/1). Checked against the schema below. */
export interface OfferRow {
  id: string;
  tenant_id: string;
  code: string | null;
  code_set_count: number | null;
  code_set_prefix: string | null;
  discount_type: 'percent' | 'flat';
  discount_basis_points: number | null;
  discount_amount: number | null;
  discount_currency: string | null;
  all_products: number;
  durations: string;
  starts_at: number;
  ends_at: number;
  eligibility: 'all' | 'list';
  discoverability: 'private' | 'public';
  max_redemptions: number | null;
  avail_limit_per_product: number | null;
  avail_limit_total: number | null;
  subscription_limit: number | null;
  state: 'in_progress' | 'published' | 'failed';
  ended_at: number | null;
  deleted_at: number | null;
  redemptions_count: number;
  users_availed_count: number;
  discounted_renewals_count: number;
  eligible_users_count: number;
  warnings: string;
  created_at: number;
  updated_at: number;
}

export interface PlanRowRaw {
  id: string;
  product_id: string;
  duration: string;
  price: number;
  currency: string;
  pricing: 'fixed' | 'aum';
  active: number;
}

export const discountOf = (r: Pick<OfferRow, 'discount_type' | 'discount_basis_points' | 'discount_amount' | 'discount_currency'>): DiscountDef =>
  r.discount_type === 'percent'
    ? { type: 'percent', basisPoints: r.discount_basis_points ?? 0 }
    : { type: 'flat', amount: r.discount_amount ?? 0, currency: r.discount_currency ?? '' };

export function offerFacts(r: OfferRow): OfferFacts {
  return {
    id: r.id,
    state: r.state,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    endedAt: r.ended_at,
    deletedAt: r.deleted_at,
    discount: discountOf(r),
    allProducts: r.all_products === 1,
    durations: JSON.parse(r.durations) as string[],
    eligibility: r.eligibility,
    discoverability: r.discoverability,
    maxRedemptions: r.max_redemptions,
    availLimitPerProduct: r.avail_limit_per_product,
    availLimitTotal: r.avail_limit_total,
    subscriptionLimit: r.subscription_limit,
  };
}

export const planFacts = (p: PlanRowRaw): PlanFacts => ({
  id: p.id,
  productId: p.product_id,
  duration: p.duration,
  price: p.price,
  currency: p.currency,
  pricing: p.pricing,
  active: p.active === 1,
});

export const PLAN_COLUMNS = 'id, product_id, duration, price, currency, pricing, active';


// The raw rows must name exactly the schema's columns: a column added to worker/db/schema.ts
// without its raw twin here (or the other way round) fails the typecheck.
type SnakeCase<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}` : S;
type RawKeys<T> = { [K in keyof T & string as SnakeCase<K>]: true };
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : { missing: Exclude<keyof B, keyof A>; extra: Exclude<keyof A, keyof B> };
const offerRowMatchesSchema: SameKeys<OfferRow, RawKeys<typeof offers.$inferSelect>> = true;
const planRowIsSchema: Exclude<keyof PlanRowRaw, keyof RawKeys<typeof plans.$inferSelect>> extends never ? true : false = true;
void offerRowMatchesSchema;
void planRowIsSchema;

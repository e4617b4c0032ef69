/**
 * Row types of raw D1 statements, derived from the drizzle schema (worker/db/schema.ts) rather
 * than written by hand: the column names in snake_case, booleans as the 0/1 integers D1 returns.
 */
import type { subscriptions } from './schema';

type Snake<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${Snake<T>}` : S;

/** A drizzle row type as a raw D1 row: snake_case keys, booleans as 0/1. */
export type RawRow<T> = {
  [K in keyof T & string as Snake<K>]: T[K] extends boolean ? number : T[K] extends boolean | null ? number | null : T[K];
};

/** A `subscriptions` row as raw D1 statements return it. */
export type SubscriptionRaw = RawRow<typeof subscriptions.$inferSelect>;

/** Every column of `subscriptions`, for statements that answer a whole row (`RETURNING`, reads). */
export const SUBSCRIPTION_COLUMNS = `id, tenant_id, user_id, product_id, plan_id, status, source, collection, group_id, offer_id, code, reactivation, cycle,
  discounted_cycles, price, discount, amount_due, currency, current_period_start, current_period_end, hold_expires_at, payment_reference,
  hold_expiry_notified, write_id, cancelled_at, created_at, updated_at`;

/**
 * Checkout holds, pure (SPEC "Checkout holds", docs/billing.md). A paid checkout starts
 * `pending` and holds every count it takes until `hold_expires_at`; from that instant on it is
 * over (`hold_expired`) and its counts are back, whether or not the sweep has marked it. The SQL
 * twins of these predicates are in worker/db/hold-sql.ts; test/db/differential.test.ts holds
 * the two together.
 */

export type SubscriptionStatus = 'pending' | 'active' | 'grace' | 'cancelled' | 'expired' | 'hold_expired';

export interface HoldView {
  status: SubscriptionStatus;
  holdExpiresAt: number | null;
}

/** The end of a hold started at `now` (the tenant's `checkout_hold_minutes`). */
export const holdEnd = (now: number, holdMinutes: number): number => now + holdMinutes * 60_000;

/** A pending subscription whose hold has passed, or one the sweep already marked. */
export const holdIsOver = (s: HoldView, now: number): boolean =>
  s.status === 'hold_expired' || (s.status === 'pending' && s.holdExpiresAt !== null && s.holdExpiresAt <= now);

/** The status as the API shows it at `now`: a passed hold is `hold_expired` even before the sweep. */
export const effectiveStatus = (s: HoldView, now: number): SubscriptionStatus => (s.status === 'pending' && holdIsOver(s, now) ? 'hold_expired' : s.status);

/** Takes the user's one slot on its product ("already subscribed"): active, grace, or pending within its hold. */
export const isLive = (s: HoldView, now: number): boolean => {
  const status = effectiveStatus(s, now);
  return status === 'active' || status === 'grace' || status === 'pending';
};

/** Whether the counts a subscription took (redemption, avail, single-use code) are still taken. */
export const holdsItsCounts = (s: HoldView, now: number): boolean => !holdIsOver(s, now);

/** An earlier subscription that makes a new checkout on the product a reactivation: one that was once live and ended. */
export const endedAfterLive = (s: HoldView): boolean => s.status === 'cancelled' || s.status === 'expired';

/**
 * Whether a write at `now` must first give back an expired hold among these subscriptions: one
 * that is over but still `pending` (no sweep or write has marked it yet). Between a read and a
 * write at the same `now` no such hold can appear (a new hold ends at least a minute after it
 * starts, and nothing becomes `pending` again), so a scope a read at `now` saw without one needs
 * no release in the write.
 */
export const hasUnreleasedHold = (subs: readonly HoldView[], now: number): boolean => subs.some((s) => s.status === 'pending' && holdIsOver(s, now));

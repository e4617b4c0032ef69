/**
 * When an offer is live: the pure rules. Their SQL twins are in worker/db/offer-status-sql.ts
 * (one fragment per rule, same names); test/db/offer-status-sql.test.ts drives random offers
 * through both and requires the same answers. Change one, change the other.
 */
import type { OfferFacts, OfferStatus } from './offer-rules';

type Lifecycle = Pick<OfferFacts, 'state' | 'startsAt' | 'endsAt' | 'endedAt' | 'deletedAt'>;

/** Deleted, or ended by hand: inactive whatever its state or dates. */
export const isGone = (o: Lifecycle, now: number): boolean => o.deletedAt !== null || (o.endedAt !== null && o.endedAt <= now);

/**
 * Status, derived: `in_progress`/`failed` as stored; a published offer is `scheduled` before
 * `starts_at`, `inactive` from `ends_at` on or once ended by hand or deleted, `active` otherwise.
 */
export function offerStatus(o: Lifecycle, now: number): OfferStatus {
  if (isGone(o, now)) return 'inactive';
  if (o.state === 'failed') return 'failed';
  if (o.state === 'in_progress') return 'in_progress';
  if (now < o.startsAt) return 'scheduled';
  if (now >= o.endsAt) return 'inactive';
  return 'active';
}

/** Whether new avails may happen now (listing and redemption): within validity, not ended, deleted or failed. */
export function isRedeemableNow(o: Lifecycle, now: number): boolean {
  const status = offerStatus(o, now);
  if (status === 'active') return true;
  return status === 'in_progress' && now >= o.startsAt && now < o.endsAt;
}

/** Not over yet: redeemable now or later (before `ends_at`); the listing cache holds these. */
export const isNotOver = (o: Lifecycle, now: number): boolean => !isGone(o, now) && o.state !== 'failed' && now < o.endsAt;

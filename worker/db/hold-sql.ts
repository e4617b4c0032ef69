/**
 * The SQL twins of worker/domain/holds.ts: each fragment binds `now` (`?`) once per use and
 * takes a table alias. Reads (quotes, stats, the checkout's read) use them to see an expired
 * hold's counts as returned at its instant; writes that take a count first release the expired
 * holds in their scope in the same batch (worker/db/subscriptions.ts `releaseExpiredHolds`), so
 * that the database itself records which holds were given back (docs/billing.md).
 */

/** `isLive`: takes the user's slot on the product (binds now). */
export const LIVE_SQL = (s: string) => `(${s}.status IN ('active', 'grace') OR (${s}.status = 'pending' AND ${s}.hold_expires_at > ?))`;

/** `holdIsOver` for a pending row (binds now): its counts are back, swept or not. */
export const EXPIRED_HOLD_SQL = (s: string) => `(${s}.status = 'pending' AND ${s}.hold_expires_at <= ?)`;

/** The subscription `s` an answer was given for still stands: not a lapsed hold, swept or not (binds now). */
export const STANDS_SQL = (s: string) => `(${s}.status <> 'hold_expired' AND NOT ${EXPIRED_HOLD_SQL(s)})`;

/** A redemption row `r` still counts: its subscription is not an expired, unswept hold (binds now). */
export const REDEMPTION_COUNTS_SQL = (r: string) =>
  `NOT EXISTS (SELECT 1 FROM subscriptions hs WHERE hs.id = ${r}.subscription_id AND hs.status = 'pending' AND hs.hold_expires_at <= ?)`;

/** A single-use code row `c` is used: redeemed by a subscription that still holds it (binds now). */
export const CODE_USED_SQL = (c: string) =>
  `(${c}.redeemed_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM subscriptions hs WHERE hs.id = ${c}.redeemed_by AND hs.status = 'pending' AND hs.hold_expires_at <= ?))`;

/**
 * The offer's live redemptions: its counter (kept by the write batches) minus the avails of its
 * expired holds that no sweep or checkout has released yet (binds now). A partial index
 * (`subscriptions_pending_offer_idx`) makes the subtraction a range scan over those few rows.
 */
export const LIVE_REDEMPTIONS_SQL = (o: string) =>
  `(${o}.redemptions_count - (SELECT count(*) FROM subscriptions hs WHERE hs.offer_id = ${o}.id AND hs.status = 'pending' AND hs.hold_expires_at <= ?))`;

/** Users of the offer `o` whose every avail is an expired, unreleased hold (binds now twice): subtracted from `users_availed_count`. */
export const LAPSED_USERS_SQL = (o: string) =>
  `(SELECT count(DISTINCT r.user_id) FROM redemptions r JOIN subscriptions hs ON hs.id = r.subscription_id
     WHERE r.offer_id = ${o}.id AND r.kind = 'avail' AND hs.status = 'pending' AND hs.hold_expires_at <= ?
       AND NOT EXISTS (SELECT 1 FROM redemptions r2 WHERE r2.offer_id = r.offer_id AND r2.user_id = r.user_id AND r2.kind = 'avail' AND ${REDEMPTION_COUNTS_SQL('r2')}))`;

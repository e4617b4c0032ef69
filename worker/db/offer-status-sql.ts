/**
 * The SQL twins of worker/domain/offer-status.ts, over an `offers` row aliased `o`. Each takes
 * the SQL expression of "now" (a placeholder such as `?3`, so one bound value serves every use
 * in a statement). test/db/offer-status-sql.test.ts checks each against its pure twin.
 */
import type { OfferStatus } from '../domain/offer-rules';

type Now = string;

/** isGone: deleted, or ended by hand. */
export const goneSql = (now: Now) => `(o.deleted_at IS NOT NULL OR (o.ended_at IS NOT NULL AND o.ended_at <= ${now}))`;
const presentSql = (now: Now) => `o.deleted_at IS NULL AND (o.ended_at IS NULL OR o.ended_at > ${now})`;

/** offerStatus(o, now) = status, one fragment per status. */
export const statusSql: Record<OfferStatus, (now: Now) => string> = {
  in_progress: (now) => `(o.state = 'in_progress' AND ${presentSql(now)})`,
  failed: (now) => `(o.state = 'failed' AND ${presentSql(now)})`,
  scheduled: (now) => `(o.state = 'published' AND ${presentSql(now)} AND o.starts_at > ${now})`,
  active: (now) => `(o.state = 'published' AND ${presentSql(now)} AND o.starts_at <= ${now} AND o.ends_at > ${now})`,
  inactive: (now) => `(${goneSql(now)} OR (o.state = 'published' AND o.starts_at <= ${now} AND o.ends_at <= ${now}))`,
};

/** isRedeemableNow: live now (published or still generating codes, within validity). */
export const redeemableSql = (now: Now) => `(o.state <> 'failed' AND ${presentSql(now)} AND o.starts_at <= ${now} AND o.ends_at > ${now})`;

/** isNotOver: redeemable now or later, before `ends_at`. */
export const notOverSql = (now: Now) => `(o.state <> 'failed' AND ${presentSql(now)} AND o.ends_at > ${now})`;

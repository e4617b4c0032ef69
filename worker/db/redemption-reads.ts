/**
 * The redemption reads: ONE implementation of the facts a quote and a checkout decide on (the
 * plan, the code and its offer with its live redemptions, whether the plan's product is
 * covered, the caller's list membership and avails), as a single statement of scalar
 * subqueries and left joins. A checkout adds its own facts (the user's subscriptions on the
 * product, a stored Idempotency-Key answer) in the same round trip, and the checkout's write
 * batch ends with the same statements again (worker/db/checkout-write.ts). Every count sees an
 * expired hold as returned (worker/db/hold-sql.ts).
 */
import type { D1 } from './guard';
import { OFFER_COLUMNS, offerFacts, planFacts, type OfferRow, type PlanRowRaw } from './offer-rows';
import { CODE_USED_SQL, LIVE_REDEMPTIONS_SQL, REDEMPTION_COUNTS_SQL, STANDS_SQL } from './hold-sql';
import type { RedemptionFacts } from '../domain/offer-rules';
import { hasUnreleasedHold, type SubscriptionStatus } from '../domain/holds';

export interface RedemptionQuery {
  tenantId: string;
  planId: string;
  code: string | null;
  user: { id: string; email: string | null } | null;
  /** The instant the counts are judged at (default: now). */
  now?: number;
}

export interface RedemptionReads {
  plan: PlanRowRaw | null;
  offer: (OfferRow & { code_kind: 'shared' | 'set'; code_used: number; live_redemptions: number }) | null;
  productIncluded: boolean;
  onList: boolean;
  userAvailsTotal: number;
  userAvailsOnProduct: number;
}

export interface CheckoutReads extends RedemptionReads {
  /** The user's subscriptions on the plan's product. */
  subscriptions: { id: string; status: SubscriptionStatus; hold_expires_at: number | null }[];
  /** The stored answer for this Idempotency-Key, and whether its subscription still stands. */
  idempotency: { request_hash: string; status: number; response: string; stands: number } | null;
  /** The tenant has an enabled webhook endpoint (else the write batch carries no outbox statements). */
  hasWebhookEndpoint: boolean;
}

const PLAN_ALIASED = 'p.id AS p_id, p.product_id AS p_product_id, p.duration AS p_duration, p.price AS p_price, p.currency AS p_currency, p.pricing AS p_pricing, p.active AS p_active';

/** An SQL condition with its parameters (bound after the statement's own). */
export interface OnlyIf {
  sql: string;
  params: unknown[];
}

/** Extra columns of the facts statement (a checkout's own facts) with their parameters. */
interface ExtraColumns {
  sql: string;
  params: unknown[];
}

/**
 * The facts statement: always one row (the plan and code joined to a constant row, so a missing
 * plan or code is a row of NULLs), or none when `onlyIf` is given and false.
 */
export function redemptionStatement(db: D1, q: RedemptionQuery, onlyIf?: OnlyIf, extra?: ExtraColumns): D1PreparedStatement {
  const { tenantId, planId, code, user } = q;
  const now = q.now ?? Date.now();
  const where = onlyIf ? ` WHERE ${onlyIf.sql}` : '';
  const whereParams = onlyIf?.params ?? [];
  const extraCols = extra ? `, ${extra.sql}` : '';
  const extraParams = extra?.params ?? [];
  if (!code) {
    return db
      .prepare(`SELECT ${PLAN_ALIASED}${extraCols} FROM (SELECT 1) AS one LEFT JOIN plans p ON p.tenant_id = ? AND p.id = ?${where}`)
      .bind(...extraParams, tenantId, planId, ...whereParams);
  }
  // Two EXISTS for the list, not one OR: each is an index search (an OR over the two partial
  // indexes made SQLite scan them).
  const userCols = user
    ? `, (EXISTS (SELECT 1 FROM eligible_users e WHERE e.offer_id = c.offer_id AND e.user_id = ?)
         OR EXISTS (SELECT 1 FROM eligible_users e WHERE e.offer_id = c.offer_id AND e.email = ?)) AS listed,
       (SELECT count(*) FROM redemptions r WHERE r.offer_id = c.offer_id AND r.user_id = ? AND r.kind = 'avail' AND ${REDEMPTION_COUNTS_SQL('r')}) AS avails_total,
       (SELECT count(*) FROM redemptions r WHERE r.offer_id = c.offer_id AND r.user_id = ? AND r.kind = 'avail' AND r.product_id = p.product_id AND ${REDEMPTION_COUNTS_SQL('r')}) AS avails_on_product`
    : '';
  return db
    .prepare(
      `SELECT ${PLAN_ALIASED}, c.kind AS code_kind, ${CODE_USED_SQL('c')} AS code_used, ${OFFER_COLUMNS}, ${LIVE_REDEMPTIONS_SQL('o')} AS live_redemptions,
         EXISTS (SELECT 1 FROM offer_products op WHERE op.offer_id = c.offer_id AND op.product_id = p.product_id) AS included
         ${userCols}${extraCols}
       FROM (SELECT 1) AS one
       LEFT JOIN plans p ON p.tenant_id = ? AND p.id = ?
       LEFT JOIN codes c ON c.tenant_id = ? AND c.code = ?
       LEFT JOIN offers o ON o.id = c.offer_id AND o.tenant_id = ?${where}`,
    )
    .bind(now, now, ...(user ? [user.id, user.email, user.id, now, user.id, now] : []), ...extraParams, tenantId, planId, tenantId, code, tenantId, ...whereParams);
}

/** The facts from the statement's row. */
export function parseRedemption(result: D1Result<Record<string, unknown>>): RedemptionReads {
  const row = result.results[0] as Record<string, unknown> | undefined;
  const plan: PlanRowRaw | null =
    row && row.p_id != null
      ? {
          id: row.p_id as string,
          product_id: row.p_product_id as string,
          duration: row.p_duration as string,
          price: row.p_price as number,
          currency: row.p_currency as string,
          pricing: row.p_pricing as 'fixed' | 'aum',
          active: row.p_active as number,
        }
      : null;
  return {
    plan,
    offer: row && row.id != null ? (row as unknown as RedemptionReads['offer']) : null,
    productIncluded: row?.included === 1,
    onList: row?.listed === 1,
    userAvailsTotal: (row?.avails_total as number | undefined) ?? 0,
    userAvailsOnProduct: (row?.avails_on_product as number | undefined) ?? 0,
  };
}


/**
 * A checkout's reads, as ONE statement: the facts, plus the user's subscriptions on the plan's
 * product, whether the tenant has an enabled webhook endpoint, and the stored answer of its
 * Idempotency-Key as JSON columns (every statement of a
 * batch costs D1 its own execution and metadata, so the checkout's facts ride in one). With
 * `onlyIf` it answers a row only when that condition holds: the re-read at the end of the
 * write batch passes "the new subscription does not exist", so a successful checkout carries
 * no row back.
 */
export function checkoutReads(
  db: D1,
  q: RedemptionQuery & { user: { id: string; email: string | null }; idempotencyKey: string | null; now: number },
  onlyIf?: OnlyIf,
): { stmts: D1PreparedStatement[]; parse: (results: D1Result<Record<string, unknown>>[]) => CheckoutReads } {
  const subscriptions = `(SELECT json_group_array(json_array(s.id, s.status, s.hold_expires_at)) FROM subscriptions s
       WHERE s.tenant_id = ? AND s.user_id = ? AND s.product_id = p.product_id) AS subs,
     EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.tenant_id = ? AND w.disabled_at IS NULL) AS has_endpoint`;
  const idempotency = q.idempotencyKey
    ? `, (SELECT json_array(k.request_hash, k.status, k.response, (s.id IS NOT NULL AND ${STANDS_SQL('s')}))
         FROM idempotency_keys k LEFT JOIN subscriptions s ON s.id = k.subscription_id
         WHERE k.tenant_id = ? AND k.user_id = ? AND k.key = ?) AS idem`
    : '';
  const extra = {
    sql: subscriptions + idempotency,
    params: [q.tenantId, q.user.id, q.tenantId, ...(q.idempotencyKey ? [q.now, q.tenantId, q.user.id, q.idempotencyKey] : [])],
  };
  const stmts = [redemptionStatement(db, q, onlyIf, extra)];
  const parse = (results: D1Result<Record<string, unknown>>[]): CheckoutReads => {
    const row = results[0]!.results[0] as { subs?: string | null; idem?: string | null; has_endpoint?: number } | undefined;
    const subs = row?.subs ? (JSON.parse(row.subs) as [string, SubscriptionStatus, number | null][]) : [];
    const idem = row?.idem ? (JSON.parse(row.idem) as [string, number, string, number]) : null;
    return {
      ...parseRedemption(results[0]!),
      subscriptions: subs.map(([id, status, hold_expires_at]) => ({ id, status, hold_expires_at })),
      idempotency: idem ? { request_hash: idem[0], status: idem[1], response: idem[2], stands: idem[3] } : null,
      hasWebhookEndpoint: row?.has_endpoint === 1,
    };
  };
  return { stmts, parse };
}


/** The expired holds still counted in the scopes of a checkout, as its read saw them at `now` (checkout-write.ts releases only those). */
export const unreleasedHolds = (reads: CheckoutReads, now: number) => ({
  // The offer's live count is its counter less its expired holds: lower means some are unreleased.
  onOffer: reads.offer !== null && reads.offer.live_redemptions < reads.offer.redemptions_count,
  onUserProduct: hasUnreleasedHold(reads.subscriptions.map((s) => ({ status: s.status, holdExpiresAt: s.hold_expires_at })), now),
});

/** The domain facts of a quote or checkout from its reads. */
export function redemptionFacts(r: RedemptionReads, user: { id: string } | null, now: number): RedemptionFacts {
  return {
    now,
    plan: planFacts(r.plan!),
    offer: r.offer ? offerFacts(r.offer) : null,
    codeUsed: r.offer?.code_kind === 'set' && r.offer.code_used === 1,
    productIncluded: r.productIncluded,
    user,
    onList: r.onList,
    redemptionsCount: r.offer?.live_redemptions ?? 0,
    userAvailsOnProduct: r.userAvailsOnProduct,
    userAvailsTotal: r.userAvailsTotal,
  };
}

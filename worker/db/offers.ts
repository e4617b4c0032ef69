/**
 * Queries of the offer engine, in raw SQL on a guarded D1 handle: the hot paths (quote,
 * listing, checkout) are single batches whose statements are chosen by hand, and every limit
 * is enforced by conditional writes inside one batch (one transaction), never read-then-write.
 */
import type { SubscriptionRaw } from '../schemas/subscription';

export type { D1 } from './guard';
import type { D1 } from './guard';

// Handles, rows and the offer aggregate's admin reads moved out; re-exported for the
// checkout code below and its callers.
export { primaryD1 as primaryDb, replicaD1 as replicaDb } from './handles';
export * from './offer-rows';
export { DEFINITIONS_VERSION_SQL, definitionsVersionSql, getOffer, listOffers, liveOffersForPlan, loadCoverage, offerStats } from './offer-queries';
import { OFFER_COLUMNS, PLAN_COLUMNS, offerFacts, planFacts, type OfferRow, type PlanRowRaw } from './offer-rows';

// ---------------------------------------------------------------------------------------------
// Quote and checkout: one read batch
// ---------------------------------------------------------------------------------------------

export interface RedemptionReads {
  plan: PlanRowRaw | null;
  offer: (OfferRow & { code_kind: 'shared' | 'set'; redeemed_by: string | null }) | null;
  productIncluded: boolean;
  onList: boolean;
  userAvailsTotal: number;
  userAvailsOnProduct: number;
  /** Checkout only: the user's subscriptions on the plan's product. */
  subscriptions: { id: string; status: string }[];
  /** Checkout only: a stored answer for this Idempotency-Key. */
  idempotency: { request_hash: string; status: number; response: string } | null;
}

/**
 * Everything a quote or a checkout needs to decide, in ONE round trip: the plan, the code and
 * its offer with live counters, whether the plan's product is covered, the list membership and
 * avail counts of the user, and for a checkout the user's subscriptions on the product and the
 * stored idempotent answer.
 */
export type RedemptionQuery = { tenantId: string; planId: string; code: string | null; user: { id: string; email: string | null } | null; checkout: boolean; idempotencyKey?: string | null };

export async function readForRedemption(
  db: D1,
  q: RedemptionQuery,
  extra: D1PreparedStatement[] = [],
): Promise<RedemptionReads & { extra: D1Result<Record<string, unknown>>[] }> {
  const reads = redemptionReads(db, q);
  const results = await db.batch<Record<string, unknown>>([...reads.stmts, ...extra]);
  return { ...reads.parse(results), extra: results.slice(reads.stmts.length) };
}

/** The statements of readForRedemption and the parser of their results (also run at the end of the checkout's write batch). */
export function redemptionReads(db: D1, q: RedemptionQuery): { stmts: D1PreparedStatement[]; parse: (results: D1Result<Record<string, unknown>>[]) => RedemptionReads } {
  const { tenantId, planId, code, user } = q;
  const stmts: D1PreparedStatement[] = [];
  const idx: Record<string, number> = {};
  const add = (name: string, s: D1PreparedStatement) => {
    idx[name] = stmts.length;
    stmts.push(s);
  };
  const PLAN_PRODUCT = '(SELECT product_id FROM plans WHERE tenant_id = ? AND id = ?)';
  const CODE_OFFER = '(SELECT offer_id FROM codes WHERE tenant_id = ? AND code = ?)';
  add('plan', db.prepare(`SELECT ${PLAN_COLUMNS} FROM plans WHERE tenant_id = ? AND id = ?`).bind(tenantId, planId));
  if (code) {
    add(
      'offer',
      db
        .prepare(`SELECT c.kind AS code_kind, c.redeemed_by, ${OFFER_COLUMNS} FROM codes c JOIN offers o ON o.id = c.offer_id WHERE c.tenant_id = ? AND c.code = ? AND o.tenant_id = ?`)
        .bind(tenantId, code, tenantId),
    );
    add(
      'included',
      db
        .prepare(`SELECT 1 AS included FROM offer_products WHERE offer_id = ${CODE_OFFER} AND product_id = ${PLAN_PRODUCT}`)
        .bind(tenantId, code, tenantId, planId),
    );
    if (user) {
      add(
        'list',
        db
          // Two EXISTS, not one OR: each is an index search (an OR over the two partial
          // indexes made SQLite scan them).
          .prepare(
            `SELECT 1 AS listed WHERE EXISTS (SELECT 1 FROM eligible_users WHERE offer_id = ${CODE_OFFER} AND user_id = ?)
               OR EXISTS (SELECT 1 FROM eligible_users WHERE offer_id = ${CODE_OFFER} AND email = ?)`,
          )
          .bind(tenantId, code, user.id, tenantId, code, user.email),
      );
      add(
        'avails',
        db
          .prepare(
            `SELECT count(*) AS total, coalesce(sum(product_id = ${PLAN_PRODUCT}), 0) AS on_product
             FROM redemptions WHERE offer_id = ${CODE_OFFER} AND user_id = ? AND kind = 'avail'`,
          )
          .bind(tenantId, planId, tenantId, code, user.id),
      );
    }
  }
  if (q.checkout && user) {
    add(
      'subs',
      db
        .prepare(`SELECT id, status FROM subscriptions WHERE tenant_id = ? AND user_id = ? AND product_id = ${PLAN_PRODUCT}`)
        .bind(tenantId, user.id, tenantId, planId),
    );
    if (q.idempotencyKey) {
      add(
        'idem',
        db.prepare('SELECT request_hash, status, response FROM idempotency_keys WHERE tenant_id = ? AND user_id = ? AND key = ?').bind(tenantId, user.id, q.idempotencyKey),
      );
    }
  }
  const parse = (results: D1Result<Record<string, unknown>>[]): RedemptionReads => {
    const rows = (name: string) => (idx[name] === undefined ? [] : (results[idx[name]!]!.results as Record<string, unknown>[]));
    const avails = rows('avails')[0] as { total: number; on_product: number } | undefined;
    return {
      plan: (rows('plan')[0] as unknown as PlanRowRaw) ?? null,
      offer: (rows('offer')[0] as unknown as RedemptionReads['offer']) ?? null,
      productIncluded: rows('included').length > 0,
      onList: rows('list').length > 0,
      userAvailsTotal: avails?.total ?? 0,
      userAvailsOnProduct: avails?.on_product ?? 0,
      subscriptions: rows('subs') as { id: string; status: string }[],
      idempotency: (rows('idem')[0] as RedemptionReads['idempotency']) ?? null,
    };
  };
  return { stmts, parse };
}

// ---------------------------------------------------------------------------------------------
// Checkout: one write batch that enforces every limit
// ---------------------------------------------------------------------------------------------

export interface CheckoutWrite {
  tenantId: string;
  now: number;
  user: { id: string; email: string | null; emailVerified: boolean };
  subscription: {
    id: string;
    productId: string;
    planId: string;
    collection: 'charge_card' | 'send_invoice';
    reactivation: boolean;
    price: number;
    discount: number;
    amountDue: number;
    currency: string;
    periodStart: number;
    periodEnd: number;
  };
  /** The offer applied, with the limits to enforce. */
  offer: {
    id: string;
    code: string;
    codeKind: 'shared' | 'set';
    redemptionId: string;
  } | null;
  idempotency: { key: string; requestHash: string; response: string } | null;
}

/**
 * One batch, one transaction. The subscription is inserted only when every limit still holds
 * (no live subscription on the product, the offer live with redemptions left, the user's avails
 * under the limits, the single-use code unused, the idempotency key unused); every other
 * statement only writes when that subscription row exists. So a refused checkout writes
 * nothing, and concurrent checkouts can never exceed a limit: D1 runs batches one at a time.
 * Returns whether the subscription was created.
 */
export async function writeCheckout(db: D1, w: CheckoutWrite, recheck?: ReturnType<typeof redemptionReads>): Promise<{ created: boolean; after: RedemptionReads | null }> {
  const s = w.subscription;
  const guards: string[] = ["NOT EXISTS (SELECT 1 FROM subscriptions WHERE tenant_id = ? AND user_id = ? AND product_id = ? AND status IN ('active', 'grace'))"];
  const guardParams: unknown[] = [w.tenantId, w.user.id, s.productId];
  if (w.idempotency) {
    guards.push('NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE tenant_id = ? AND user_id = ? AND key = ?)');
    guardParams.push(w.tenantId, w.user.id, w.idempotency.key);
  }
  const o = w.offer;
  if (o) {
    // Every limit as the offer row says it now (not as the read saw it).
    guards.push(
      `EXISTS (SELECT 1 FROM offers o WHERE o.id = ? AND o.tenant_id = ? AND o.state <> 'failed' AND o.deleted_at IS NULL
         AND (o.ended_at IS NULL OR o.ended_at > ?) AND o.starts_at <= ? AND o.ends_at > ?
         AND (o.max_redemptions IS NULL OR o.redemptions_count < o.max_redemptions)
         AND (o.avail_limit_per_product IS NULL
              OR (SELECT count(*) FROM redemptions r WHERE r.offer_id = o.id AND r.user_id = ? AND r.product_id = ? AND r.kind = 'avail') < o.avail_limit_per_product)
         AND (o.avail_limit_total IS NULL
              OR (SELECT count(*) FROM redemptions r WHERE r.offer_id = o.id AND r.user_id = ? AND r.kind = 'avail') < o.avail_limit_total))`,
    );
    guardParams.push(o.id, w.tenantId, w.now, w.now, w.now, w.user.id, s.productId, w.user.id);
    if (o.codeKind === 'set') {
      guards.push('EXISTS (SELECT 1 FROM codes WHERE tenant_id = ? AND code = ? AND offer_id = ? AND redeemed_by IS NULL)');
      guardParams.push(w.tenantId, o.code, o.id);
    }
  }
  const SUB_EXISTS = 'EXISTS (SELECT 1 FROM subscriptions WHERE id = ?)';
  const stmts: D1PreparedStatement[] = [
    db
      .prepare(
        `INSERT INTO users (tenant_id, id, email, email_verified, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, id) DO UPDATE SET email = coalesce(excluded.email, users.email), email_verified = excluded.email_verified, updated_at = excluded.updated_at`,
      )
      .bind(w.tenantId, w.user.id, w.user.email, w.user.emailVerified ? 1 : 0, w.now, w.now),
    db
      .prepare(
        `INSERT INTO subscriptions (id, tenant_id, user_id, product_id, plan_id, status, source, collection, group_id, offer_id, code, reactivation,
           cycle, discounted_cycles, price, discount, amount_due, currency, current_period_start, current_period_end, cancelled_at, created_at, updated_at)
         SELECT ?, ?, ?, ?, ?, 'active', 'checkout', ?, NULL, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?
         WHERE ${guards.join(' AND ')}`,
      )
      .bind(
        s.id,
        w.tenantId,
        w.user.id,
        s.productId,
        s.planId,
        s.collection,
        o?.id ?? null,
        o?.code ?? null,
        s.reactivation ? 1 : 0,
        o && s.discount > 0 ? 1 : 0,
        s.price,
        s.discount,
        s.amountDue,
        s.currency,
        s.periodStart,
        s.periodEnd,
        w.now,
        w.now,
        ...guardParams,
      ),
    db
      .prepare(
        `INSERT INTO subscription_cycles (subscription_id, cycle, tenant_id, price, discount, amount_due, grace, period_start, period_end, created_at)
         SELECT ?, 1, ?, ?, ?, ?, 0, ?, ?, ? WHERE ${SUB_EXISTS}`,
      )
      .bind(s.id, w.tenantId, s.price, s.discount, s.amountDue, s.periodStart, s.periodEnd, w.now, s.id),
  ];
  if (o) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO redemptions (id, tenant_id, offer_id, subscription_id, user_id, product_id, plan_id, code, kind, cycle, discount, created_at)
           SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'avail', 1, ?, ? WHERE ${SUB_EXISTS}`,
        )
        .bind(o.redemptionId, w.tenantId, o.id, s.id, w.user.id, s.productId, s.planId, o.code, s.discount, w.now, s.id),
      db
        .prepare(
          `UPDATE offers SET redemptions_count = redemptions_count + 1,
             users_availed_count = users_availed_count + (SELECT count(*) = 1 FROM redemptions WHERE offer_id = ? AND user_id = ? AND kind = 'avail')
           WHERE id = ? AND EXISTS (SELECT 1 FROM redemptions WHERE id = ?)`,
        )
        .bind(o.id, w.user.id, o.id, o.redemptionId),
    );
    if (o.codeKind === 'set') {
      stmts.push(
        db
          .prepare(`UPDATE codes SET redeemed_by = ?, redeemed_at = ? WHERE tenant_id = ? AND code = ? AND redeemed_by IS NULL AND ${SUB_EXISTS}`)
          .bind(s.id, w.now, w.tenantId, o.code, s.id),
      );
    }
  }
  if (w.idempotency) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO idempotency_keys (tenant_id, user_id, key, request_hash, status, response, created_at) SELECT ?, ?, ?, ?, 201, ?, ? WHERE ${SUB_EXISTS}`,
        )
        .bind(w.tenantId, w.user.id, w.idempotency.key, w.idempotency.requestHash, w.idempotency.response, w.now, s.id),
    );
  }
  // The reads again, after the writes and in the same transaction: when a guard refused, they
  // say why, without another round trip.
  const own = stmts.length;
  if (recheck) stmts.push(...recheck.stmts);
  const results = await db.batch<Record<string, unknown>>(stmts);
  const created = (results[1]!.meta.changes ?? 0) === 1;
  return { created, after: recheck && !created ? recheck.parse(results.slice(own)) : null };
}

// ---------------------------------------------------------------------------------------------
// Billing hooks
// ---------------------------------------------------------------------------------------------

export const SUBSCRIPTION_COLUMNS = `id, tenant_id, user_id, product_id, plan_id, status, source, collection, group_id, offer_id, code, reactivation, cycle,
  discounted_cycles, price, discount, amount_due, currency, current_period_start, current_period_end, hold_expires_at, cancelled_at, created_at, updated_at`;

export async function readForRenewal(db: D1, tenantId: string, id: string) {
  const [sub, offer, plan, voided] = await db.batch<Record<string, unknown>>([
    db.prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE tenant_id = ? AND id = ?`).bind(tenantId, id),
    db
      .prepare(
        `SELECT ${OFFER_COLUMNS} FROM offers o WHERE o.tenant_id = ? AND o.id = (SELECT offer_id FROM subscriptions WHERE tenant_id = ? AND id = ?)`,
      )
      .bind(tenantId, tenantId, id),
    db
      .prepare(`SELECT ${PLAN_COLUMNS} FROM plans WHERE tenant_id = ? AND id = (SELECT plan_id FROM subscriptions WHERE tenant_id = ? AND id = ?)`)
      .bind(tenantId, tenantId, id),
    db.prepare('SELECT id FROM voided_subscriptions WHERE tenant_id = ? AND id = ?').bind(tenantId, id),
  ]);
  return {
    subscription: (sub!.results[0] as unknown as SubscriptionRaw) ?? null,
    offer: (offer!.results[0] as unknown as OfferRow) ?? null,
    plan: (plan!.results[0] as unknown as PlanRowRaw) ?? null,
    voided: voided!.results.length > 0,
  };
}

export interface RenewalWrite {
  tenantId: string;
  now: number;
  sub: SubscriptionRaw;
  next: { cycle: number; discounted: boolean; discountedCycles: number; price: number; discount: number; amountDue: number; periodStart: number; periodEnd: number; grace: boolean };
  redemptionId: string;
}

/** Renews a subscription if it is still at the cycle that was read (a concurrent renewal loses). */
export async function writeRenewal(db: D1, w: RenewalWrite): Promise<SubscriptionRaw | null> {
  const n = w.next;
  const RENEWED = 'EXISTS (SELECT 1 FROM subscriptions WHERE id = ? AND cycle = ? AND updated_at = ?)';
  const stmts: D1PreparedStatement[] = [
    db
      .prepare(
        `UPDATE subscriptions SET status = 'active', cycle = ?, discounted_cycles = ?, price = ?, discount = ?, amount_due = ?,
           current_period_start = ?, current_period_end = ?, updated_at = ?
         WHERE tenant_id = ? AND id = ? AND cycle = ? AND status IN ('active', 'grace') RETURNING ${SUBSCRIPTION_COLUMNS}`,
      )
      .bind(n.cycle, n.discountedCycles, n.price, n.discount, n.amountDue, n.periodStart, n.periodEnd, w.now, w.tenantId, w.sub.id, w.sub.cycle),
    db
      .prepare(
        `INSERT INTO subscription_cycles (subscription_id, cycle, tenant_id, price, discount, amount_due, grace, period_start, period_end, created_at)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${RENEWED}`,
      )
      .bind(w.sub.id, n.cycle, w.tenantId, n.price, n.discount, n.amountDue, n.grace ? 1 : 0, n.periodStart, n.periodEnd, w.now, w.sub.id, n.cycle, w.now),
  ];
  if (n.discounted && w.sub.offer_id) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO redemptions (id, tenant_id, offer_id, subscription_id, user_id, product_id, plan_id, code, kind, cycle, discount, created_at)
           SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'renewal', ?, ?, ? WHERE ${RENEWED}`,
        )
        .bind(w.redemptionId, w.tenantId, w.sub.offer_id, w.sub.id, w.sub.user_id, w.sub.product_id, w.sub.plan_id, w.sub.code, n.cycle, n.discount, w.now, w.sub.id, n.cycle, w.now),
      db
        .prepare('UPDATE offers SET discounted_renewals_count = discounted_renewals_count + 1 WHERE id = ? AND EXISTS (SELECT 1 FROM redemptions WHERE id = ?)')
        .bind(w.sub.offer_id, w.redemptionId),
    );
  }
  const results = await db.batch<Record<string, unknown>>(stmts);
  return (results[0]!.results[0] as unknown as SubscriptionRaw) ?? null;
}

export async function cancelSubscription(db: D1, tenantId: string, id: string, now: number): Promise<SubscriptionRaw | null> {
  // A group member's cancellation frees the seat (and the claim, so the user may claim again
  // later within the seat limit). Only the first cancel does: later ones find it cancelled.
  const live = "EXISTS (SELECT 1 FROM subscriptions WHERE tenant_id = ?1 AND id = ?2 AND status <> 'cancelled')";
  const [, , cancelled] = await db.batch<SubscriptionRaw>([
    db
      .prepare(
        `UPDATE groups SET seats_used = max(seats_used - 1, 0), updated_at = ?3
         WHERE tenant_id = ?1 AND id = (SELECT group_id FROM group_claims WHERE tenant_id = ?1 AND subscription_id = ?2) AND ${live}`,
      )
      .bind(tenantId, id, now),
    db.prepare(`DELETE FROM group_claims WHERE tenant_id = ?1 AND subscription_id = ?2 AND ${live}`).bind(tenantId, id),
    db
      .prepare(
        `UPDATE subscriptions SET status = 'cancelled', cancelled_at = coalesce(cancelled_at, ?3), updated_at = CASE WHEN status = 'cancelled' THEN updated_at ELSE ?3 END
         WHERE tenant_id = ?1 AND id = ?2 RETURNING ${SUBSCRIPTION_COLUMNS}`,
      )
      .bind(tenantId, id, now),
  ]);
  return cancelled!.results[0] ?? null;
}

export async function getSubscription(db: D1, tenantId: string, id: string): Promise<SubscriptionRaw | null> {
  return (await db.prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE tenant_id = ? AND id = ?`).bind(tenantId, id).first<SubscriptionRaw>()) ?? null;
}

/**
 * Voids a first-cycle subscription: deletes it, its cycle and its avail, frees its single-use
 * code and gives the offer's counts back, all in one batch, each statement conditional on the
 * rows still being there, so a repeated or concurrent void gives nothing back twice.
 */
export async function writeVoid(db: D1, tenantId: string, sub: SubscriptionRaw, now: number): Promise<boolean> {
  const STILL = 'EXISTS (SELECT 1 FROM subscriptions WHERE id = ? AND tenant_id = ? AND cycle = 1)';
  const stmts: D1PreparedStatement[] = [
    db
      .prepare(
        `INSERT INTO voided_subscriptions (id, tenant_id, user_id, plan_id, offer_id, code, voided_at)
         SELECT id, tenant_id, user_id, plan_id, offer_id, code, ? FROM subscriptions WHERE id = ? AND tenant_id = ? AND cycle = 1`,
      )
      .bind(now, sub.id, tenantId),
  ];
  if (sub.offer_id) {
    stmts.push(
      db
        .prepare(
          `UPDATE offers SET redemptions_count = redemptions_count - 1,
             users_availed_count = users_availed_count - (SELECT count(*) = 1 FROM redemptions WHERE offer_id = ? AND user_id = ? AND kind = 'avail')
           WHERE id = ? AND EXISTS (SELECT 1 FROM redemptions WHERE subscription_id = ? AND kind = 'avail') AND ${STILL}`,
        )
        .bind(sub.offer_id, sub.user_id, sub.offer_id, sub.id, sub.id, tenantId),
      db
        .prepare('UPDATE codes SET redeemed_by = NULL, redeemed_at = NULL WHERE tenant_id = ? AND offer_id = ? AND code = ? AND redeemed_by = ?')
        .bind(tenantId, sub.offer_id, sub.code ?? '', sub.id),
      db.prepare(`DELETE FROM redemptions WHERE subscription_id = ? AND ${STILL}`).bind(sub.id, sub.id, tenantId),
    );
  }
  stmts.push(
    db.prepare(`DELETE FROM subscription_cycles WHERE subscription_id = ? AND ${STILL}`).bind(sub.id, sub.id, tenantId),
    db.prepare('DELETE FROM subscriptions WHERE id = ? AND tenant_id = ? AND cycle = 1').bind(sub.id, tenantId),
  );
  const results = await db.batch(stmts);
  return (results[results.length - 1]!.meta.changes ?? 0) === 1;
}

/** The domain facts of a quote or checkout from its read batch. */
export function redemptionFacts(r: RedemptionReads, user: { id: string } | null, now: number) {
  return {
    now,
    plan: planFacts(r.plan!),
    offer: r.offer ? offerFacts(r.offer) : null,
    codeUsed: r.offer?.code_kind === 'set' && r.offer.redeemed_by !== null,
    productIncluded: r.productIncluded,
    user,
    onList: r.onList,
    redemptionsCount: r.offer?.redemptions_count ?? 0,
    userAvailsOnProduct: r.userAvailsOnProduct,
    userAvailsTotal: r.userAvailsTotal,
  };
}

const PLAN_ALIASED = 'p.id AS p_id, p.product_id AS p_product_id, p.duration AS p_duration, p.price AS p_price, p.currency AS p_currency, p.pricing AS p_pricing, p.active AS p_active';

/**
 * A quote's live reads as ONE statement (one row of scalar subqueries and left joins) rather
 * than one statement per fact: the same answers as readForRedemption, for less work per round
 * trip. `extra` statements (the cache re-check) ride in the same batch.
 */
export async function readForQuote(
  db: D1,
  q: { tenantId: string; planId: string; code: string | null; user: { id: string; email: string | null } | null },
  extra: D1PreparedStatement[] = [],
): Promise<RedemptionReads & { extra: D1Result<Record<string, unknown>>[] }> {
  const { tenantId, planId, code, user } = q;
  let stmt: D1PreparedStatement;
  if (!code) {
    stmt = db.prepare(`SELECT ${PLAN_ALIASED} FROM plans p WHERE p.tenant_id = ? AND p.id = ?`).bind(tenantId, planId);
  } else {
    const userCols = user
      ? `, (EXISTS (SELECT 1 FROM eligible_users e WHERE e.offer_id = c.offer_id AND e.user_id = ?)
           OR EXISTS (SELECT 1 FROM eligible_users e WHERE e.offer_id = c.offer_id AND e.email = ?)) AS listed,
         (SELECT count(*) FROM redemptions r WHERE r.offer_id = c.offer_id AND r.user_id = ? AND r.kind = 'avail') AS avails_total,
         (SELECT count(*) FROM redemptions r WHERE r.offer_id = c.offer_id AND r.user_id = ? AND r.kind = 'avail' AND r.product_id = p.product_id) AS avails_on_product`
      : '';
    stmt = db
      .prepare(
        `SELECT ${PLAN_ALIASED}, c.kind AS code_kind, c.redeemed_by, ${OFFER_COLUMNS},
           EXISTS (SELECT 1 FROM offer_products op WHERE op.offer_id = c.offer_id AND op.product_id = p.product_id) AS included
           ${userCols}
         FROM (SELECT 1) AS one
         LEFT JOIN plans p ON p.tenant_id = ? AND p.id = ?
         LEFT JOIN codes c ON c.tenant_id = ? AND c.code = ?
         LEFT JOIN offers o ON o.id = c.offer_id AND o.tenant_id = ?`,
      )
      .bind(...(user ? [user.id, user.email, user.id, user.id] : []), tenantId, planId, tenantId, code, tenantId);
  }
  const results = await db.batch<Record<string, unknown>>([stmt, ...extra]);
  const row = results[0]!.results[0] as Record<string, unknown> | undefined;
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
    subscriptions: [],
    idempotency: null,
    extra: results.slice(1),
  };
}

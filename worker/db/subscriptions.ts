/**
 * THE writer of `subscriptions` and `subscription_cycles`: every statement that inserts or
 * changes a subscription is built here, and composed into batches by the checkout
 * (checkout-write.ts), the billing hooks (billing-hooks.ts), group claims (groups.ts
 * `claimSeat`), plan imports (bulk.ts `importStatements`) and the hold sweep. Builders return
 * statements; callers put them into ONE batch with the rest of their change.
 */
import type { D1 } from './guard';
import { SUBSCRIPTION_COLUMNS, type SubscriptionRaw } from './rows';
import { LIVE_SQL } from './hold-sql';

export interface Condition {
  sql: string;
  params: unknown[];
}

/** The row a subscription starts with. */
export interface NewSubscription {
  id: string;
  tenantId: string;
  userId: string;
  productId: string;
  planId: string;
  status: 'pending' | 'active';
  source: 'checkout' | 'group' | 'import';
  collection: 'charge_card' | 'send_invoice';
  groupId: string | null;
  offerId: string | null;
  code: string | null;
  reactivation: boolean;
  discountedCycles: number;
  price: number;
  discount: number;
  amountDue: number;
  currency: string;
  periodStart: number;
  periodEnd: number;
  holdExpiresAt: number | null;
  now: number;
}

/** The raw row a NewSubscription becomes (what the API answers and the events carry). */
export const newSubscriptionRow = (s: NewSubscription): SubscriptionRaw => ({
  id: s.id,
  tenant_id: s.tenantId,
  user_id: s.userId,
  product_id: s.productId,
  plan_id: s.planId,
  status: s.status,
  source: s.source,
  collection: s.collection,
  group_id: s.groupId,
  offer_id: s.offerId,
  code: s.code,
  reactivation: s.reactivation ? 1 : 0,
  cycle: 1,
  discounted_cycles: s.discountedCycles,
  price: s.price,
  discount: s.discount,
  amount_due: s.amountDue,
  currency: s.currency,
  current_period_start: s.periodStart,
  current_period_end: s.periodEnd,
  hold_expires_at: s.holdExpiresAt,
  payment_reference: null,
  hold_expiry_notified: 0,
  write_id: null,
  cancelled_at: null,
  created_at: s.now,
  updated_at: s.now,
});

/** `EXISTS` the subscription `?` (binds the id): the condition of everything that follows a new row. */
export const subscriptionExists = (id: string): Condition => ({ sql: 'EXISTS (SELECT 1 FROM subscriptions WHERE id = ?)', params: [id] });

/** The subscription carries this write id: the batch's compare-and-set won (binds id, writeId). */
export const wroteIt = (id: string, writeId: string): Condition => ({ sql: 'EXISTS (SELECT 1 FROM subscriptions WHERE id = ? AND write_id = ?)', params: [id, writeId] });

/** The user has a live subscription on the product (binds tenant, user, product, now). */
export const liveOnProduct = (tenantId: string, userId: string, productId: string, now: number): Condition => ({
  sql: `EXISTS (SELECT 1 FROM subscriptions ls WHERE ls.tenant_id = ? AND ls.user_id = ? AND ls.product_id = ? AND ${LIVE_SQL('ls')})`,
  params: [tenantId, userId, productId, now],
});

/** The end user as a token shows them (checkout, claim): the email kept when the token has none. */
export function upsertUserStatement(db: D1, u: { tenantId: string; userId: string; email: string | null; emailVerified: boolean; now: number }) {
  return db
    .prepare(
      `INSERT INTO users (tenant_id, id, email, email_verified, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, id) DO UPDATE SET email = coalesce(excluded.email, users.email), email_verified = excluded.email_verified, updated_at = excluded.updated_at`,
    )
    .bind(u.tenantId, u.userId, u.email, u.emailVerified ? 1 : 0, u.now, u.now);
}

/**
 * A new subscription and its first cycle, only when `onlyIf` holds (the guards of a checkout,
 * the claim of a seat). The first statement's `meta.changes` says whether it was created.
 */
export function insertSubscription(db: D1, s: NewSubscription, onlyIf: Condition): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `INSERT INTO subscriptions (id, tenant_id, user_id, product_id, plan_id, status, source, collection, group_id, offer_id, code, reactivation,
           cycle, discounted_cycles, price, discount, amount_due, currency, current_period_start, current_period_end, hold_expires_at, created_at, updated_at)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${onlyIf.sql}`,
      )
      .bind(
        s.id, s.tenantId, s.userId, s.productId, s.planId, s.status, s.source, s.collection, s.groupId, s.offerId, s.code, s.reactivation ? 1 : 0,
        s.discountedCycles, s.price, s.discount, s.amountDue, s.currency, s.periodStart, s.periodEnd, s.holdExpiresAt, s.now, s.now,
        ...onlyIf.params,
      ),
    db
      .prepare(
        `INSERT INTO subscription_cycles (subscription_id, cycle, tenant_id, price, discount, amount_due, grace, period_start, period_end, created_at)
         SELECT ?, 1, ?, ?, ?, ?, 0, ?, ?, ? WHERE EXISTS (SELECT 1 FROM subscriptions WHERE id = ?)`,
      )
      .bind(s.id, s.tenantId, s.price, s.discount, s.amountDue, s.periodStart, s.periodEnd, s.now, s.id),
  ];
}

/**
 * A plan import's subscriptions (rows `[user_id, email, subscription_id]` as one JSON array),
 * active at no charge, each unless the user already has one on that plan from an import or a
 * live one (a pending one within its hold included); `onlyIf` is the job's cursor condition.
 */
export function importSubscriptions(
  db: D1,
  p: { tenantId: string; planId: string; productId: string; currency: string; periodStart: number; periodEnd: number; now: number },
  json: string,
  onlyIf: Condition,
): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `INSERT INTO subscriptions (id, tenant_id, user_id, product_id, plan_id, status, source, collection, group_id,
           offer_id, code, reactivation, cycle, discounted_cycles, price, discount, amount_due, currency,
           current_period_start, current_period_end, cancelled_at, created_at, updated_at)
         SELECT json_extract(j.value, '$[2]'), ?1, json_extract(j.value, '$[0]'), ?2, ?3, 'active', 'import', 'charge_card', NULL,
           NULL, NULL, 0, 1, 0, 0, 0, 0, ?4, ?5, ?6, NULL, ?7, ?7
         FROM json_each(?8) j
         WHERE NOT EXISTS (
             SELECT 1 FROM subscriptions s
             WHERE s.tenant_id = ?1 AND s.user_id = json_extract(j.value, '$[0]')
               AND s.plan_id = ?3 AND (s.source = 'import' OR s.status IN ('active', 'grace') OR (s.status = 'pending' AND s.hold_expires_at > ?7)))
           AND ${onlyIf.sql}`, // anonymous ? after ?8 number on from 9

      )
      .bind(p.tenantId, p.productId, p.planId, p.currency, p.periodStart, p.periodEnd, p.now, json, ...onlyIf.params),
    db
      .prepare(
        `INSERT OR IGNORE INTO subscription_cycles (subscription_id, cycle, tenant_id, price, discount, amount_due, grace, period_start, period_end, created_at)
         SELECT s.id, 1, s.tenant_id, 0, 0, 0, 0, s.current_period_start, s.current_period_end, s.created_at
         FROM json_each(?) j JOIN subscriptions s ON s.id = json_extract(j.value, '$[2]')
         WHERE s.tenant_id = ? AND ${onlyIf.sql}`,
      )
      .bind(json, p.tenantId, ...onlyIf.params),
  ];
}

// ---------------------------------------------------------------------------------------------
// Holds: giving back what an expired hold took
// ---------------------------------------------------------------------------------------------

/** Which expired holds to release: those on an offer, those of a user on a product, or these ids. */
export interface HoldScope {
  offerId?: string | null;
  userProduct?: { userId: string; productId: string } | null;
  ids?: string[];
}

function expiredSet(tenantId: string, now: number, scope: HoldScope): Condition | null {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (scope.offerId) {
    parts.push("SELECT id FROM subscriptions WHERE offer_id = ? AND status = 'pending' AND hold_expires_at <= ? AND tenant_id = ?");
    params.push(scope.offerId, now, tenantId);
  }
  if (scope.userProduct) {
    parts.push("SELECT id FROM subscriptions WHERE tenant_id = ? AND user_id = ? AND product_id = ? AND status = 'pending' AND hold_expires_at <= ?");
    params.push(tenantId, scope.userProduct.userId, scope.userProduct.productId, now);
  }
  if (scope.ids && scope.ids.length > 0) {
    parts.push("SELECT id FROM subscriptions WHERE id IN (SELECT value FROM json_each(?)) AND tenant_id = ? AND status = 'pending' AND hold_expires_at <= ?");
    params.push(JSON.stringify(scope.ids), tenantId, now);
  }
  return parts.length === 0 ? null : { sql: `(${parts.join(' UNION ')})`, params };
}

/**
 * Releases the expired holds in `scope` (pending, `hold_expires_at <= now`): the offers'
 * counters, the single-use codes and the avails they took come back, and they become
 * `hold_expired`. Each statement is set-based on the same condition, the status last, so a
 * hold is released once: a later or concurrent release finds it no longer pending.
 */
export function releaseExpiredHolds(db: D1, tenantId: string, now: number, scope: HoldScope): D1PreparedStatement[] {
  const x = expiredSet(tenantId, now, scope);
  if (!x) return [];
  const X = x.sql;
  const p = x.params;
  return [
    db
      .prepare(
        `UPDATE offers SET
           redemptions_count = redemptions_count - (SELECT count(*) FROM redemptions r WHERE r.offer_id = offers.id AND r.kind = 'avail' AND r.subscription_id IN ${X}),
           users_availed_count = users_availed_count - (
             SELECT count(DISTINCT r.user_id) FROM redemptions r WHERE r.offer_id = offers.id AND r.kind = 'avail' AND r.subscription_id IN ${X}
               AND NOT EXISTS (SELECT 1 FROM redemptions r2 WHERE r2.offer_id = offers.id AND r2.user_id = r.user_id AND r2.kind = 'avail' AND r2.subscription_id NOT IN ${X}))
         WHERE tenant_id = ? AND id IN (SELECT offer_id FROM subscriptions WHERE id IN ${X} AND offer_id IS NOT NULL)`,
      )
      .bind(...p, ...p, ...p, tenantId, ...p),
    db
      .prepare(
        `UPDATE codes SET redeemed_by = NULL, redeemed_at = NULL
         WHERE tenant_id = ? AND code IN (SELECT code FROM subscriptions WHERE id IN ${X} AND code IS NOT NULL) AND redeemed_by IN ${X}`,
      )
      .bind(tenantId, ...p, ...p),
    db.prepare(`DELETE FROM redemptions WHERE kind = 'avail' AND subscription_id IN ${X}`).bind(...p),
    db.prepare(`UPDATE subscriptions SET status = 'hold_expired', updated_at = ? WHERE id IN ${X}`).bind(now, ...p),
  ];
}

// ---------------------------------------------------------------------------------------------
// Billing hooks: compare-and-set updates (each writes its own write_id; see wroteIt)
// ---------------------------------------------------------------------------------------------

/** pending → active while the hold lasts. */
export function activateStatement(db: D1, x: { tenantId: string; id: string; writeId: string; now: number; collection: string | null; paymentReference: string | null }) {
  return db
    .prepare(
      `UPDATE subscriptions SET status = 'active', collection = coalesce(?, collection), payment_reference = coalesce(?, payment_reference), write_id = ?, updated_at = ?
       WHERE tenant_id = ? AND id = ? AND status = 'pending' AND hold_expires_at > ?`,
    )
    .bind(x.collection, x.paymentReference, x.writeId, x.now, x.tenantId, x.id, x.now);
}

export interface NextCycle {
  cycle: number;
  discountedCycles: number;
  price: number;
  discount: number;
  amountDue: number;
  periodStart: number;
  periodEnd: number;
  grace: boolean;
}

/**
 * Starts cycle `next.cycle` only if the subscription is still live at `next.cycle - 1`: the
 * compare-and-set is on the cycle number, so of concurrent renewals of one cycle exactly one
 * moves it; the cycle row follows only for that one.
 */
export function renewStatements(db: D1, x: { tenantId: string; id: string; writeId: string; now: number; next: NextCycle }): D1PreparedStatement[] {
  const n = x.next;
  const mine = wroteIt(x.id, x.writeId);
  return [
    db
      .prepare(
        `UPDATE subscriptions SET status = 'active', cycle = ?, discounted_cycles = ?, price = ?, discount = ?, amount_due = ?,
           current_period_start = ?, current_period_end = ?, write_id = ?, updated_at = ?
         WHERE tenant_id = ? AND id = ? AND cycle = ? AND status IN ('active', 'grace')`,
      )
      .bind(n.cycle, n.discountedCycles, n.price, n.discount, n.amountDue, n.periodStart, n.periodEnd, x.writeId, x.now, x.tenantId, x.id, n.cycle - 1),
    db
      .prepare(
        `INSERT INTO subscription_cycles (subscription_id, cycle, tenant_id, price, discount, amount_due, grace, period_start, period_end, created_at)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${mine.sql}
         ON CONFLICT (subscription_id, cycle) DO NOTHING`,
      )
      .bind(x.id, n.cycle, x.tenantId, n.price, n.discount, n.amountDue, n.grace ? 1 : 0, n.periodStart, n.periodEnd, x.now, ...mine.params),
  ];
}

/** active/grace/expired, or pending within its hold → cancelled. */
export function cancelStatement(db: D1, x: { tenantId: string; id: string; writeId: string; now: number }) {
  return db
    .prepare(
      `UPDATE subscriptions SET status = 'cancelled', cancelled_at = coalesce(cancelled_at, ?), write_id = ?, updated_at = ?
       WHERE tenant_id = ? AND id = ? AND (status IN ('active', 'grace', 'expired') OR (status = 'pending' AND hold_expires_at > ?))`,
    )
    .bind(x.now, x.writeId, x.now, x.tenantId, x.id, x.now);
}

/** The first step of a void: claims the first-cycle checkout subscription for this write. */
export function claimForVoidStatement(db: D1, x: { tenantId: string; id: string; writeId: string }) {
  return db.prepare("UPDATE subscriptions SET write_id = ? WHERE tenant_id = ? AND id = ? AND cycle = 1 AND source = 'checkout'").bind(x.writeId, x.tenantId, x.id);
}

/** The last steps of a void: its cycle and the row itself (only the claimed row). */
export function deleteVoidedStatements(db: D1, x: { tenantId: string; id: string; writeId: string }): D1PreparedStatement[] {
  const mine = wroteIt(x.id, x.writeId);
  return [
    db.prepare(`DELETE FROM subscription_cycles WHERE tenant_id = ? AND subscription_id = ? AND ${mine.sql}`).bind(x.tenantId, x.id, ...mine.params),
    db.prepare('DELETE FROM subscriptions WHERE tenant_id = ? AND id = ? AND write_id = ?').bind(x.tenantId, x.id, x.writeId),
  ];
}

/** The sweep marks that it announced an expired hold (once: the marker is a compare-and-set). */
export function markHoldNotifiedStatement(db: D1, x: { tenantId: string; id: string }) {
  return db
    .prepare("UPDATE subscriptions SET hold_expiry_notified = 1 WHERE tenant_id = ? AND id = ? AND status = 'hold_expired' AND hold_expiry_notified = 0")
    .bind(x.tenantId, x.id);
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

export function subscriptionStatement(db: D1, tenantId: string, id: string) {
  return db.prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE tenant_id = ? AND id = ?`).bind(tenantId, id);
}

export async function getSubscription(db: D1, tenantId: string, id: string): Promise<SubscriptionRaw | null> {
  return (await subscriptionStatement(db, tenantId, id).first<SubscriptionRaw>()) ?? null;
}

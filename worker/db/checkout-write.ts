/**
 * The checkout's write: ONE batch (one transaction) that enforces every limit. It first gives
 * back the expired holds this checkout could compete with (its offer's, and the user's on the
 * product; only where its read saw any), then inserts the subscription only when every guard
 * still holds — no live subscription of the user on the product, the Idempotency-Key not
 * standing for another subscription, the offer live with redemptions left, the user's avails
 * under the limits, the single-use code free — and every other statement (cycle, avail,
 * counters, code, key record, webhook event) writes only if that row exists. D1 runs batches
 * one at a time, so no interleaving can exceed a limit, and a refused checkout writes nothing.
 * The batch ends with the checkout's reads again, so a refusal is explained without another
 * round trip.
 */
import type { D1 } from './guard';
import { insertSubscription, liveOnProduct, releaseExpiredHolds, subscriptionExists, upsertUserStatement, type NewSubscription } from './subscriptions';
import { EXPIRED_HOLD_SQL, STANDS_SQL } from './hold-sql';
import { checkoutReads, type CheckoutReads } from './redemption-reads';
import { outboxStatements, type WebhookEventType } from './webhook-outbox';
import type { PlanRowRaw } from './offer-rows';

export interface CheckoutWrite {
  subscription: NewSubscription;
  user: { email: string | null; emailVerified: boolean };
  /** The offer applied: the code and its kind, and the id of the avail row. */
  offer: { id: string; code: string; codeKind: 'shared' | 'set'; redemptionId: string } | null;
  idempotency: { key: string; requestHash: string; response: string } | null;
  /**
   * The webhook event, or null when the checkout's read saw no enabled endpoint of the tenant:
   * an endpoint receives the events of checkouts that read after it existed (docs/webhooks.md).
   */
  event: { type: WebhookEventType; object: unknown } | null;
  /**
   * The expired, unreleased holds the checkout's read saw at the same instant (`now`): the
   * offer's, and the user's on the product. Only those scopes are released before the guards
   * (none can appear in between: `hasUnreleasedHold` in worker/domain/holds.ts); the common
   * checkout has none and its batch carries no release statements.
   */
  unreleasedHolds: { onOffer: boolean; onUserProduct: boolean };
  /**
   * The facts this checkout was decided on came from the isolate's cache, not a read
   * (worker/db/quote-cache.ts `checkoutFromCache`): the plan as the decision priced it, and the
   * user's facts assumed. The batch then also requires that plan unchanged, no earlier
   * subscription of the user on the product (no reactivation, nothing to release), no
   * unreleased expired hold on the offer, and no record of the Idempotency-Key.
   */
  assumed: { plan: PlanRowRaw } | null;
}

export async function writeCheckout(
  db: D1,
  w: CheckoutWrite,
  recheck?: ReturnType<typeof checkoutReads>,
): Promise<{ created: boolean; evented: boolean; after: CheckoutReads | null }> {
  const s = w.subscription;
  const now = s.now;
  const live = liveOnProduct(s.tenantId, s.userId, s.productId, now);
  const guards: string[] = [`NOT ${live.sql}`];
  const guardParams: unknown[] = [...live.params];
  if (w.idempotency) {
    guards.push(
      `NOT EXISTS (SELECT 1 FROM idempotency_keys k JOIN subscriptions ks ON ks.id = k.subscription_id
         WHERE k.tenant_id = ? AND k.user_id = ? AND k.key = ? AND ${STANDS_SQL('ks')})`,
    );
    guardParams.push(s.tenantId, s.userId, w.idempotency.key, now);
  }
  const o = w.offer;
  if (o) {
    // Every limit as the offer row says it now (not as the read saw it); the expired holds of
    // this offer were released by the statements before, so the counters are exact.
    guards.push(
      `EXISTS (SELECT 1 FROM offers o WHERE o.id = ? AND o.tenant_id = ? AND o.state <> 'failed' AND o.deleted_at IS NULL
         AND (o.ended_at IS NULL OR o.ended_at > ?) AND o.starts_at <= ? AND o.ends_at > ?
         AND (o.max_redemptions IS NULL OR o.redemptions_count < o.max_redemptions)
         AND (o.avail_limit_per_product IS NULL
              OR (SELECT count(*) FROM redemptions r WHERE r.offer_id = o.id AND r.user_id = ? AND r.product_id = ? AND r.kind = 'avail') < o.avail_limit_per_product)
         AND (o.avail_limit_total IS NULL
              OR (SELECT count(*) FROM redemptions r WHERE r.offer_id = o.id AND r.user_id = ? AND r.kind = 'avail') < o.avail_limit_total))`,
    );
    guardParams.push(o.id, s.tenantId, now, now, now, s.userId, s.productId, s.userId);
    if (o.codeKind === 'set') {
      guards.push('EXISTS (SELECT 1 FROM codes WHERE tenant_id = ? AND code = ? AND offer_id = ? AND redeemed_by IS NULL)');
      guardParams.push(s.tenantId, o.code, o.id);
    }
  }
  if (w.assumed) {
    const p = w.assumed.plan;
    guards.push(
      `EXISTS (SELECT 1 FROM plans ap WHERE ap.tenant_id = ? AND ap.id = ? AND ap.active = 1 AND ap.product_id = ? AND ap.duration = ?
         AND ap.price = ? AND ap.currency = ? AND ap.pricing = ?)`,
      `NOT EXISTS (SELECT 1 FROM subscriptions es WHERE es.tenant_id = ? AND es.user_id = ? AND es.product_id = ?
         AND (es.status IN ('cancelled', 'expired') OR ${EXPIRED_HOLD_SQL('es')}))`,
    );
    guardParams.push(s.tenantId, p.id, p.product_id, p.duration, p.price, p.currency, p.pricing, s.tenantId, s.userId, s.productId, now);
    if (o) {
      guards.push(`NOT EXISTS (SELECT 1 FROM subscriptions hs WHERE hs.offer_id = ? AND ${EXPIRED_HOLD_SQL('hs')})`);
      guardParams.push(o.id, now);
    }
    if (w.idempotency) {
      guards.push('NOT EXISTS (SELECT 1 FROM idempotency_keys ak WHERE ak.tenant_id = ? AND ak.user_id = ? AND ak.key = ?)');
      guardParams.push(s.tenantId, s.userId, w.idempotency.key);
    }
  }
  const exists = subscriptionExists(s.id);
  const stmts: D1PreparedStatement[] = [
    upsertUserStatement(db, { tenantId: s.tenantId, userId: s.userId, email: w.user.email, emailVerified: w.user.emailVerified, now }),
    ...releaseExpiredHolds(db, s.tenantId, now, {
      offerId: o && w.unreleasedHolds.onOffer ? o.id : null,
      userProduct: w.unreleasedHolds.onUserProduct ? { userId: s.userId, productId: s.productId } : null,
    }),
  ];
  const created = stmts.length;
  stmts.push(...insertSubscription(db, s, { sql: guards.join(' AND '), params: guardParams }));
  if (o) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO redemptions (id, tenant_id, offer_id, subscription_id, user_id, product_id, plan_id, code, kind, cycle, discount, created_at)
           SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'avail', 1, ?, ? WHERE ${exists.sql}`,
        )
        .bind(o.redemptionId, s.tenantId, o.id, s.id, s.userId, s.productId, s.planId, o.code, s.discount, now, ...exists.params),
      db
        .prepare(
          `UPDATE offers SET redemptions_count = redemptions_count + 1,
             users_availed_count = users_availed_count + (SELECT count(*) = 1 FROM redemptions WHERE offer_id = ? AND user_id = ? AND kind = 'avail')
           WHERE id = ? AND EXISTS (SELECT 1 FROM redemptions WHERE id = ?)`,
        )
        .bind(o.id, s.userId, o.id, o.redemptionId),
    );
    if (o.codeKind === 'set') {
      stmts.push(
        db
          .prepare(`UPDATE codes SET redeemed_by = ?, redeemed_at = ? WHERE tenant_id = ? AND code = ? AND redeemed_by IS NULL AND ${exists.sql}`)
          .bind(s.id, now, s.tenantId, o.code, ...exists.params),
      );
    }
  }
  if (w.idempotency) {
    // A key whose subscription was voided or whose hold lapsed is taken over by this checkout.
    stmts.push(
      db
        .prepare(
          `INSERT INTO idempotency_keys (tenant_id, user_id, key, request_hash, subscription_id, status, response, created_at)
           SELECT ?, ?, ?, ?, ?, 201, ?, ? WHERE ${exists.sql}
           ON CONFLICT (tenant_id, user_id, key) DO UPDATE SET request_hash = excluded.request_hash, subscription_id = excluded.subscription_id,
             status = excluded.status, response = excluded.response, created_at = excluded.created_at`,
        )
        .bind(s.tenantId, s.userId, w.idempotency.key, w.idempotency.requestHash, s.id, w.idempotency.response, now, ...exists.params),
    );
  }
  const eventAt = stmts.length;
  if (w.event) stmts.push(...outboxStatements(db, { tenantId: s.tenantId, type: w.event.type, object: w.event.object, now, onlyIf: exists }));
  const own = stmts.length;
  if (recheck) stmts.push(...recheck.stmts);
  const results = await db.batch<Record<string, unknown>>(stmts);
  const ok = (results[created]!.meta.changes ?? 0) === 1;
  return { created: ok, evented: w.event !== null && (results[eventAt]!.meta.changes ?? 0) > 0, after: ok || !recheck ? null : recheck.parse(results.slice(own)) };
}

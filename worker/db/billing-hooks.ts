/**
 * The billing hooks' batches (activate, renew, cancel, void; docs/billing.md). Each is ONE
 * batch: a compare-and-set on the subscription that writes this request's own `write_id`, then
 * every other statement (cycle, renewal redemption, counters, seat, Idempotency-Key record,
 * webhook event) only where the row carries that id, then the hook's reads again. So a
 * concurrent duplicate that lost the race writes nothing and is answered from the state that
 * won, in the same round trip — never a 500, never a second cycle.
 */
import type { D1 } from './guard';
import { OFFER_COLUMNS, PLAN_COLUMNS, type OfferRow, type PlanRowRaw } from './offer-rows';
import type { SubscriptionRaw } from './rows';
import { SUBSCRIPTION_COLUMNS } from './rows';
import { wroteIt, type Condition } from './subscriptions';
import { outboxStatements, type WebhookEventType } from './webhook-outbox';

export interface HookReads {
  subscription: SubscriptionRaw | null;
  offer: OfferRow | null;
  plan: PlanRowRaw | null;
  voided: boolean;
  stored: { request_hash: string; status: number; response: string } | null;
}

/** The subscription, its offer and plan, its void tombstone and the key's stored answer: one round trip. */
export function hookReads(db: D1, tenantId: string, id: string, key: string | null): { stmts: D1PreparedStatement[]; parse: (r: D1Result<Record<string, unknown>>[]) => HookReads } {
  const stmts = [
    db.prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE tenant_id = ? AND id = ?`).bind(tenantId, id),
    db
      .prepare(`SELECT ${OFFER_COLUMNS} FROM offers o WHERE o.tenant_id = ? AND o.id = (SELECT offer_id FROM subscriptions WHERE tenant_id = ? AND id = ?)`)
      .bind(tenantId, tenantId, id),
    db.prepare(`SELECT ${PLAN_COLUMNS} FROM plans WHERE tenant_id = ? AND id = (SELECT plan_id FROM subscriptions WHERE tenant_id = ? AND id = ?)`).bind(tenantId, tenantId, id),
    db.prepare('SELECT id FROM voided_subscriptions WHERE tenant_id = ? AND id = ?').bind(tenantId, id),
    db.prepare('SELECT request_hash, status, response FROM billing_idempotency_keys WHERE tenant_id = ? AND key = ?').bind(tenantId, key ?? ''),
  ];
  const parse = (r: D1Result<Record<string, unknown>>[]): HookReads => ({
    subscription: (r[0]!.results[0] as unknown as SubscriptionRaw) ?? null,
    offer: (r[1]!.results[0] as unknown as OfferRow) ?? null,
    plan: (r[2]!.results[0] as unknown as PlanRowRaw) ?? null,
    voided: r[3]!.results.length > 0,
    stored: key ? ((r[4]!.results[0] as unknown as HookReads['stored']) ?? null) : null,
  });
  return { stmts, parse };
}

export async function readForHook(db: D1, tenantId: string, id: string, key: string | null): Promise<HookReads> {
  const r = hookReads(db, tenantId, id, key);
  return r.parse(await db.batch<Record<string, unknown>>(r.stmts));
}

export interface HookAnswer {
  key: string;
  requestHash: string;
  status: number;
  response: string;
}

function storeAnswer(db: D1, tenantId: string, id: string, a: HookAnswer, now: number, onlyIf: Condition | null) {
  return db
    .prepare(
      `INSERT INTO billing_idempotency_keys (tenant_id, key, request_hash, subscription_id, status, response, created_at)
       SELECT ?, ?, ?, ?, ?, ?, ? WHERE ${onlyIf ? onlyIf.sql : 'true'}
       ON CONFLICT (tenant_id, key) DO NOTHING`,
    )
    .bind(tenantId, a.key, a.requestHash, id, a.status, a.response, now, ...(onlyIf ? onlyIf.params : []));
}

/** Records the answer of a hook that changed nothing (e.g. activate on an active subscription), so the key replays it. */
export async function storeUnchangedAnswer(db: D1, tenantId: string, id: string, a: HookAnswer, now: number): Promise<void> {
  await storeAnswer(db, tenantId, id, a, now, null).run();
}

export interface HookWrite {
  tenantId: string;
  id: string;
  writeId: string;
  now: number;
  /** The compare-and-set first (its `meta.changes` says whether this request won), then its own follow-ups. */
  change: D1PreparedStatement[];
  /** Statements that run only if this request won: put before `final`. */
  follow?: (mine: Condition) => D1PreparedStatement[];
  /** Statements after everything else (a void's deletes). */
  final?: D1PreparedStatement[];
  answer: HookAnswer | null;
  event: { type: WebhookEventType; object: unknown };
  key: string | null;
}

export async function writeHook(db: D1, w: HookWrite): Promise<{ won: boolean; evented: boolean; after: HookReads }> {
  const mine = wroteIt(w.id, w.writeId);
  const stmts: D1PreparedStatement[] = [...w.change, ...(w.follow ? w.follow(mine) : [])];
  if (w.answer) stmts.push(storeAnswer(db, w.tenantId, w.id, w.answer, w.now, mine));
  const eventAt = stmts.length;
  stmts.push(...outboxStatements(db, { tenantId: w.tenantId, type: w.event.type, object: w.event.object, now: w.now, onlyIf: mine }));
  stmts.push(...(w.final ?? []));
  const recheck = hookReads(db, w.tenantId, w.id, w.key);
  const own = stmts.length;
  stmts.push(...recheck.stmts);
  const results = await db.batch<Record<string, unknown>>(stmts);
  return { won: (results[0]!.meta.changes ?? 0) === 1, evented: (results[eventAt]!.meta.changes ?? 0) > 0, after: recheck.parse(results.slice(own)) };
}

/** A discounted renewal's redemption (kind `renewal`) and the offer's counter, only for the winner. */
export function renewalRedemption(db: D1, mine: Condition, x: { redemptionId: string; sub: SubscriptionRaw; cycle: number; discount: number; now: number }): D1PreparedStatement[] {
  const s = x.sub;
  return [
    db
      .prepare(
        `INSERT INTO redemptions (id, tenant_id, offer_id, subscription_id, user_id, product_id, plan_id, code, kind, cycle, discount, created_at)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'renewal', ?, ?, ? WHERE ${mine.sql}`,
      )
      .bind(x.redemptionId, s.tenant_id, s.offer_id, s.id, s.user_id, s.product_id, s.plan_id, s.code, x.cycle, x.discount, x.now, ...mine.params),
    db
      .prepare('UPDATE offers SET discounted_renewals_count = discounted_renewals_count + 1 WHERE id = ? AND EXISTS (SELECT 1 FROM redemptions WHERE id = ?)')
      .bind(s.offer_id, x.redemptionId),
  ];
}

/** A cancelled group member frees the seat and the claim (so the user may claim again within the limit). */
export function releaseSeat(db: D1, mine: Condition, x: { tenantId: string; id: string; now: number }): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `UPDATE groups SET seats_used = max(seats_used - 1, 0), updated_at = ?
         WHERE tenant_id = ? AND id = (SELECT group_id FROM group_claims WHERE tenant_id = ? AND subscription_id = ?) AND ${mine.sql}`,
      )
      .bind(x.now, x.tenantId, x.tenantId, x.id, ...mine.params),
    db.prepare(`DELETE FROM group_claims WHERE tenant_id = ? AND subscription_id = ? AND ${mine.sql}`).bind(x.tenantId, x.id, ...mine.params),
  ];
}

/**
 * What a void gives back, for the winner only, before the row is deleted: a tombstone (a second
 * void answers the same), the offer's counts, the single-use code and the avail.
 */
export function voidGiveBacks(db: D1, mine: Condition, x: { tenantId: string; sub: SubscriptionRaw; now: number }): D1PreparedStatement[] {
  const s = x.sub;
  const stmts = [
    db
      .prepare(
        `INSERT INTO voided_subscriptions (id, tenant_id, user_id, plan_id, offer_id, code, voided_at)
         SELECT id, tenant_id, user_id, plan_id, offer_id, code, ? FROM subscriptions WHERE id = ? AND tenant_id = ? AND ${mine.sql}
         ON CONFLICT (id) DO NOTHING`,
      )
      .bind(x.now, s.id, x.tenantId, ...mine.params),
  ];
  if (s.offer_id) {
    stmts.push(
      // The avail may already be gone: an expired hold released by a sweep or a checkout.
      db
        .prepare(
          `UPDATE offers SET redemptions_count = redemptions_count - 1,
             users_availed_count = users_availed_count - (SELECT count(*) = 1 FROM redemptions WHERE offer_id = ? AND user_id = ? AND kind = 'avail')
           WHERE id = ? AND tenant_id = ? AND EXISTS (SELECT 1 FROM redemptions WHERE subscription_id = ? AND kind = 'avail') AND ${mine.sql}`,
        )
        .bind(s.offer_id, s.user_id, s.offer_id, x.tenantId, s.id, ...mine.params),
      db
        .prepare(`UPDATE codes SET redeemed_by = NULL, redeemed_at = NULL WHERE tenant_id = ? AND offer_id = ? AND code = ? AND redeemed_by = ? AND ${mine.sql}`)
        .bind(x.tenantId, s.offer_id, s.code ?? '', s.id, ...mine.params),
      db.prepare(`DELETE FROM redemptions WHERE subscription_id = ? AND ${mine.sql}`).bind(s.id, ...mine.params),
    );
  }
  return stmts;
}

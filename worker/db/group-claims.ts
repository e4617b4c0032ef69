/**
 * Claiming a seat of a group (`POST /v1/access/claim`): ONE batch. The claim row is inserted
 * only while a seat is free and the user has no live subscription on the plan's product (the
 * same "already subscribed" rule as checkout, with the user's expired holds there released
 * first); the seat count, the subscription (built by worker/db/subscriptions.ts) and the
 * `group.claimed` event follow only when that claim row is ours.
 */
import type { D1 } from './guard';
import type { SubscriptionRaw } from './rows';
import { insertSubscription, liveOnProduct, releaseExpiredHolds, upsertUserStatement, type NewSubscription } from './subscriptions';
import { outboxStatements } from './webhook-outbox';

export interface ClaimInput {
  groupId: string;
  via: 'ip' | 'domain';
  email: string | null;
  emailVerified: boolean;
  /** The subscription a new claim creates (group plan, no charge, active). */
  subscription: NewSubscription;
  /** The `group.claimed` event's object (the subscription JSON). */
  eventObject: unknown;
  /**
   * The claim's read saw an expired, unreleased hold of the user on the product at the same
   * instant: the batch releases it first (none can appear in between: `hasUnreleasedHold`).
   */
  unreleasedHold: boolean;
}

export type ClaimResult =
  | { kind: 'claimed'; row: SubscriptionRaw; created: boolean; evented: boolean }
  | { kind: 'seats_exhausted' }
  | { kind: 'already_subscribed' };

export async function claimSeat(db: D1, x: ClaimInput): Promise<ClaimResult> {
  const s = x.subscription;
  const ours = { sql: 'EXISTS (SELECT 1 FROM group_claims WHERE group_id = ? AND user_id = ? AND subscription_id = ?)', params: [x.groupId, s.userId, s.id] };
  const live = liveOnProduct(s.tenantId, s.userId, s.productId, s.now);
  const stmts: D1PreparedStatement[] = [
    ...(x.unreleasedHold ? releaseExpiredHolds(db, s.tenantId, s.now, { userProduct: { userId: s.userId, productId: s.productId } }) : []),
    db
      .prepare(
        `INSERT INTO group_claims (group_id, user_id, tenant_id, subscription_id, via, created_at)
         SELECT g.id, ?, g.tenant_id, ?, ?, ? FROM groups g
         WHERE g.id = ? AND g.tenant_id = ? AND g.deleted_at IS NULL
           AND (g.seat_limit IS NULL OR g.seats_used < g.seat_limit)
           AND NOT ${live.sql}
         ON CONFLICT (group_id, user_id) DO NOTHING`,
      )
      .bind(s.userId, s.id, x.via, s.now, x.groupId, s.tenantId, ...live.params),
    db.prepare(`UPDATE groups SET seats_used = seats_used + 1, updated_at = ? WHERE id = ? AND ${ours.sql}`).bind(s.now, x.groupId, ...ours.params),
    ...insertSubscription(db, s, ours),
    upsertUserStatement(db, { tenantId: s.tenantId, userId: s.userId, email: x.email, emailVerified: x.emailVerified, now: s.now }),
  ];
  const eventAt = stmts.length;
  stmts.push(...outboxStatements(db, { tenantId: s.tenantId, type: 'group.claimed', object: x.eventObject, now: s.now, onlyIf: ours }));
  // The outcome in one statement: the claim's subscription (ours or an earlier one), else
  // whether the user's slot on the product is taken (already subscribed) or the seats are.
  stmts.push(
    db
      .prepare(
        `SELECT s.*, ${live.sql} AS live_on_product FROM (SELECT 1) AS one
         LEFT JOIN group_claims gc ON gc.group_id = ? AND gc.user_id = ? AND gc.tenant_id = ?
         LEFT JOIN subscriptions s ON s.id = gc.subscription_id`,
      )
      .bind(...live.params, x.groupId, s.userId, s.tenantId),
  );
  const results = await db.batch<Record<string, unknown>>(stmts);
  const { live_on_product: liveOnProductNow, ...row } = results[results.length - 1]!.results[0] as SubscriptionRaw & { live_on_product: number };
  if (row.id) return { kind: 'claimed', row: row as SubscriptionRaw, created: row.id === s.id, evented: (results[eventAt]!.meta.changes ?? 0) > 0 };
  return liveOnProductNow === 1 ? { kind: 'already_subscribed' } : { kind: 'seats_exhausted' };
}

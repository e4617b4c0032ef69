/**
 * The hold sweep (a SWEEPS entry, every minute; docs/billing.md). Correctness never waits for
 * it: every count already sees an expired hold as returned at its instant, and a checkout or
 * claim that competes with one releases it in its own batch. The sweep catches up: it releases
 * the remaining expired holds (status `hold_expired`, counters, codes, avails) and writes one
 * `subscription.hold_expired` event per hold, whoever released it. Each batch is conditional on
 * the rows as they are when it runs, so the sweep is idempotent and safe beside a concurrent
 * activate (one of the two wins, the other finds the row changed) or a second sweep.
 */
import type { Bindings } from '../env';
import { bulkD1 } from '../db/handles';
import { SUBSCRIPTION_COLUMNS, type SubscriptionRaw } from '../db/rows';
import { markHoldNotifiedStatement, releaseExpiredHolds } from '../db/subscriptions';
import { kickDeliveries, outboxStatements } from '../db/webhook-outbox';
import { subscriptionJsonAt } from '../schemas/subscription';

/** Holds per batch (each adds three statements; the release is set-based). */
const PER_BATCH = 50;
/** Batches per run: the rest waits for the next minute. */
const MAX_BATCHES = 20;

export async function sweepExpiredHolds(env: Bindings, now: number): Promise<{ released: number; announced: number }> {
  const db = bulkD1(env.DB);
  let released = 0;
  let announced = 0;
  for (let round = 0; round < MAX_BATCHES; round++) {
    const { results } = await db
      .prepare(
        `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE status = 'pending' AND hold_expires_at <= ?
         UNION ALL
         SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE status = 'hold_expired' AND hold_expiry_notified = 0
         LIMIT ?`,
      )
      .bind(now, PER_BATCH)
      .all<SubscriptionRaw>();
    if (results.length === 0) break;
    const byTenant = new Map<string, SubscriptionRaw[]>();
    for (const r of results) byTenant.set(r.tenant_id, [...(byTenant.get(r.tenant_id) ?? []), r]);
    for (const [tenantId, subs] of byTenant) {
      const stmts = releaseExpiredHolds(db, tenantId, now, { ids: subs.map((s) => s.id) });
      const eventAt: number[] = [];
      for (const s of subs) {
        const object = subscriptionJsonAt({ ...s, status: 'hold_expired', updated_at: s.status === 'pending' ? now : s.updated_at }, now);
        eventAt.push(stmts.length);
        stmts.push(
          ...outboxStatements(db, {
            tenantId,
            type: 'subscription.hold_expired',
            object,
            now,
            onlyIf: { sql: "EXISTS (SELECT 1 FROM subscriptions WHERE id = ? AND status = 'hold_expired' AND hold_expiry_notified = 0)", params: [s.id] },
          }),
          markHoldNotifiedStatement(db, { tenantId, id: s.id }),
        );
      }
      const out = await db.batch(stmts);
      released += out[3]?.meta.changes ?? 0;
      const evented = eventAt.filter((i) => (out[i]!.meta.changes ?? 0) > 0).length;
      announced += subs.length;
      if (evented > 0) await kickDeliveries(env, undefined, tenantId);
    }
    if (results.length < PER_BATCH) break;
  }
  return { released, announced };
}

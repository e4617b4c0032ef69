/**
 * The signed-in caller's own subscriptions on one product (`GET /v1/subscriptions`): one
 * statement on the tenant/user/product index, scoped to the tenant and to the user of the token.
 */
import type { D1 } from './guard';
import type { SubscriptionRaw } from './rows';

/**
 * Live subscriptions of `userId` on `productId`: `active`, `grace`, and `pending` while its hold
 * lasts (a pending one whose `hold_expires_at` has passed is over, whether or not a sweep ran).
 * Newest first.
 */
export async function liveSubscriptionsOf(db: D1, q: { tenantId: string; userId: string; productId: string; now: number }): Promise<SubscriptionRaw[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM subscriptions
       WHERE tenant_id = ?1 AND user_id = ?2 AND product_id = ?3
         AND (status IN ('active', 'grace') OR (status = 'pending' AND hold_expires_at > ?4))
       ORDER BY created_at DESC, id DESC
       LIMIT 20`,
    )
    .bind(q.tenantId, q.userId, q.productId, q.now)
    .all<SubscriptionRaw>();
  return results;
}

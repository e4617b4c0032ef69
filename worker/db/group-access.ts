/**
 * Group access lookups in D1: which groups a caller qualifies for, by address and verified
 * email domain. Used by claims (always) and by `GET /v1/access` for tenants too large for the
 * per-isolate table (worker/db/access-table.ts, which answers the same from memory).
 *
 * Invariant (kept by writeGroup in worker/db/groups.ts): the IP ranges of one tenant never
 * overlap, whatever their group, so a lookup is one index seek on (tenant_id, start).
 */
import type { D1 } from './guard';
import type { Duration } from './schema';
import { EXPIRED_HOLD_SQL } from './hold-sql';

export interface AccessMatch {
  id: string;
  name: string;
  plan_id: string;
  product_id: string;
  duration: Duration;
  currency: string;
  seat_limit: number | null;
  seats_used: number;
  via: 'ip' | 'domain';
  subscription_id: string | null;
  /**
   * 1 when the user (`userId`) has an expired, unreleased hold on the group plan's product at
   * `now` (a claim's batch then releases it first; hold-sql.ts, `hasUnreleasedHold`).
   */
  unreleased_hold: number;
}

/**
 * The groups a caller qualifies for, in ONE statement (one D1 round trip): the range holding
 * the address (an index seek: the last range starting at or before it), and the group holding
 * the domain (a primary-key lookup). `address` is 16 bytes or null; a group matched both ways
 * comes once, as `ip`. With `groupId`, only that group. With `userId`, each match says whether
 * that user holds an expired, unreleased hold on the group plan's product at `now`.
 */
export async function lookupAccess(
  db: D1,
  q: { tenantId: string; address: Uint8Array | null; domain: string | null; userId: string | null; groupId?: string; now?: number },
): Promise<AccessMatch[]> {
  const { results } = await db
    .prepare(
      `SELECT g.id, g.name, g.plan_id, p.product_id, p.duration, p.currency, g.seat_limit, g.seats_used, m.via,
              c.subscription_id,
              EXISTS (SELECT 1 FROM subscriptions s WHERE s.tenant_id = ?1 AND s.user_id = ?4 AND s.product_id = p.product_id
                        AND ${EXPIRED_HOLD_SQL('s').replace('?', '?6')}) AS unreleased_hold
       FROM (
         SELECT group_id, 'ip' AS via, 0 AS rank FROM (
           SELECT group_id, "end" FROM group_ip_ranges
           WHERE tenant_id = ?1 AND start <= ?2 ORDER BY start DESC LIMIT 1
         ) WHERE "end" >= ?2
         UNION ALL
         SELECT group_id, 'domain', 1 FROM group_domains WHERE tenant_id = ?1 AND domain = ?3
       ) m
       JOIN groups g ON g.id = m.group_id AND g.tenant_id = ?1 AND g.deleted_at IS NULL
       JOIN plans p ON p.id = g.plan_id
       LEFT JOIN group_claims c ON c.group_id = g.id AND c.user_id = ?4
       WHERE ?5 IS NULL OR g.id = ?5
       ORDER BY m.rank`,
    )
    .bind(q.tenantId, q.address, q.domain, q.userId, q.groupId ?? null, q.now ?? Date.now())
    .all<AccessMatch>();
  const seen = new Set<string>();
  return results.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

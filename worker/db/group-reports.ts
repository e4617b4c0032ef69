/**
 * Group reporting: a group's members, and owners and users apart by product and plan with
 * seats per group. Read-only, live (never cached).
 */
import type { D1 } from './guard';

export interface MemberRow {
  user_id: string;
  via: string;
  claimed_at: number;
  subscription_id: string;
  status: string;
  product_id: string;
  plan_id: string;
}

/** A group's members (keyset on user id). */
export async function listMembers(db: D1, tenantId: string, groupId: string, limit: number, after?: string): Promise<MemberRow[]> {
  const { results } = await db
    .prepare(
      `SELECT gc.user_id, gc.via, gc.created_at AS claimed_at, s.id AS subscription_id, s.status, s.product_id, s.plan_id
       FROM group_claims gc JOIN subscriptions s ON s.id = gc.subscription_id
       WHERE gc.tenant_id = ?1 AND gc.group_id = ?2 AND gc.user_id > ?3
       ORDER BY gc.user_id LIMIT ?4`,
    )
    .bind(tenantId, groupId, after ?? '', limit + 1)
    .all<MemberRow>();
  return results;
}

export interface ReportRow {
  role: 'owner' | 'user';
  product_id: string;
  plan_id: string;
  subscriptions: number;
  active: number;
}

/**
 * Owners and users of groups, apart, by product and plan, live; and seats per group. Owners are
 * the subscriptions linked as a group's `owner_subscription_id`; users are group claims.
 */
export async function groupReport(db: D1, tenantId: string, groupId?: string) {
  const c = db;
  const [byPlan, seats] = await c.batch([
    c
      .prepare(
        `SELECT 'owner' AS role, s.product_id, s.plan_id, count(DISTINCT s.id) AS subscriptions,
                count(DISTINCT CASE WHEN s.status IN ('active', 'grace') THEN s.id END) AS active
         FROM groups g JOIN subscriptions s ON s.id = g.owner_subscription_id AND s.tenant_id = ?1
         WHERE g.tenant_id = ?1 AND g.deleted_at IS NULL AND (?2 IS NULL OR g.id = ?2)
         GROUP BY s.product_id, s.plan_id
         UNION ALL
         SELECT 'user', s.product_id, s.plan_id, count(*), sum(CASE WHEN s.status IN ('active', 'grace') THEN 1 ELSE 0 END)
         FROM group_claims gc JOIN subscriptions s ON s.id = gc.subscription_id
         WHERE gc.tenant_id = ?1 AND (?2 IS NULL OR gc.group_id = ?2)
         GROUP BY s.product_id, s.plan_id
         ORDER BY 1, 2, 3`,
      )
      .bind(tenantId, groupId ?? null),
    c
      .prepare(
        `SELECT g.id, g.name, g.plan_id, g.seat_limit, g.seats_used, g.owner_subscription_id FROM groups g
         WHERE g.tenant_id = ?1 AND g.deleted_at IS NULL AND (?2 IS NULL OR g.id = ?2) ORDER BY g.id LIMIT 1000`,
      )
      .bind(tenantId, groupId ?? null),
  ]);
  return {
    byPlan: byPlan!.results as unknown as ReportRow[],
    groups: seats!.results as unknown as {
      id: string;
      name: string;
      plan_id: string;
      seat_limit: number | null;
      seats_used: number;
      owner_subscription_id: string | null;
    }[],
  };
}


/**
 * The group aggregate: reads, the one write (create/update with ranges and domains, one batch),
 * conflicts, delete, and a user's earlier claim. Raw D1 statements (through the guarded client)
 * because ranges are 16-byte blobs built from hex with `unhex()` and bulk rows are one JSON
 * array per statement. Access lookups: group-access.ts; reports: group-reports.ts.
 *
 * Invariant: the IP ranges of one tenant never overlap, whatever their group. A lookup is then
 * one index seek on (tenant_id, start): the last range starting at or before the address is
 * the only candidate. Writes keep the invariant with a guard statement inside their batch.
 */
import type { D1 } from './guard';
import type { Duration, groups } from './schema';
import { toHex, type IpRange } from '../domain/ip-ranges';
import type { RawRow, SubscriptionRaw } from './rows';
import { bumpCatalogStatement } from './catalog';

/** Ranges per INSERT statement: keeps the bound JSON well under D1's limits. */
const RANGES_PER_STATEMENT = 2_000;

/** A group row as raw SQL returns it (derived from the schema), with its plan's product. */
export type GroupRow = RawRow<typeof groups.$inferSelect> & { product_id: string };

export interface GroupDetails extends GroupRow {
  ip_ranges: string[];
  email_domains: string[];
}

const GROUP_COLUMNS = `g.id, g.tenant_id, g.name, g.plan_id, g.seat_limit, g.seats_used, g.owner_subscription_id, g.deleted_at, g.created_at, g.updated_at, p.product_id`;

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

/** One group with its ranges (ordered by address) and domains: one round trip. */
export async function findGroup(db: D1, tenantId: string, id: string): Promise<GroupDetails | null> {
  const c = db;
  const [groups, ranges, domains] = await c.batch([
    c.prepare(`SELECT ${GROUP_COLUMNS} FROM groups g JOIN plans p ON p.id = g.plan_id WHERE g.tenant_id = ?1 AND g.id = ?2 AND g.deleted_at IS NULL`).bind(tenantId, id),
    c.prepare('SELECT label FROM group_ip_ranges WHERE tenant_id = ?1 AND group_id = ?2 ORDER BY start').bind(tenantId, id),
    c.prepare('SELECT domain FROM group_domains WHERE tenant_id = ?1 AND group_id = ?2 ORDER BY domain').bind(tenantId, id),
  ]);
  const g = groups!.results[0] as GroupRow | undefined;
  if (!g) return null;
  return {
    ...g,
    ip_ranges: (ranges!.results as { label: string }[]).map((r) => r.label),
    email_domains: (domains!.results as { domain: string }[]).map((r) => r.domain),
  };
}

/** A page of groups (keyset on id) with their ranges and domains: one round trip. */
export async function listGroups(db: D1, tenantId: string, limit: number, after?: string): Promise<GroupDetails[]> {
  const c = db;
  const page = `SELECT g.id FROM groups g WHERE g.tenant_id = ?1 AND g.deleted_at IS NULL AND g.id > ?2 ORDER BY g.id LIMIT ?3`;
  const [groups, ranges, domains] = await c.batch([
    c.prepare(`SELECT ${GROUP_COLUMNS} FROM groups g JOIN plans p ON p.id = g.plan_id WHERE g.id IN (${page}) ORDER BY g.id`).bind(tenantId, after ?? '', limit + 1),
    c.prepare(`SELECT group_id, label FROM group_ip_ranges WHERE tenant_id = ?1 AND group_id IN (${page}) ORDER BY group_id, start`).bind(tenantId, after ?? '', limit + 1),
    c.prepare(`SELECT group_id, domain FROM group_domains WHERE tenant_id = ?1 AND group_id IN (${page}) ORDER BY group_id, domain`).bind(tenantId, after ?? '', limit + 1),
  ]);
  const byGroup = new Map<string, GroupDetails>();
  for (const g of groups!.results as unknown as GroupRow[]) byGroup.set(g.id, { ...g, ip_ranges: [], email_domains: [] });
  for (const r of ranges!.results as { group_id: string; label: string }[]) byGroup.get(r.group_id)?.ip_ranges.push(r.label);
  for (const d of domains!.results as { group_id: string; domain: string }[]) byGroup.get(d.group_id)?.email_domains.push(d.domain);
  return [...byGroup.values()];
}

export interface PlanRef {
  id: string;
  product_id: string;
  duration: Duration;
  currency: string;
}

export interface OwnerSubscriptionRef {
  id: string;
  product_id: string;
  plan_id: string;
  collection: 'charge_card' | 'send_invoice';
  status: string;
}

/** The plan a group grants and the owner's subscription, for validation: one round trip. */
export async function loadGroupRefs(db: D1, tenantId: string, planId: string | null, ownerSubscriptionId: string | null) {
  const c = db;
  const [plan, owner] = await c.batch([
    c.prepare('SELECT id, product_id, duration, currency FROM plans WHERE tenant_id = ?1 AND id = ?2').bind(tenantId, planId),
    c.prepare('SELECT id, product_id, plan_id, collection, status FROM subscriptions WHERE tenant_id = ?1 AND id = ?2').bind(tenantId, ownerSubscriptionId),
  ]);
  return {
    plan: (plan!.results[0] as PlanRef | undefined) ?? null,
    owner: (owner!.results[0] as OwnerSubscriptionRef | undefined) ?? null,
  };
}

export async function findOwnerSubscription(db: D1, tenantId: string, id: string): Promise<OwnerSubscriptionRef | null> {
  return (await db
    .prepare('SELECT id, product_id, plan_id, collection, status FROM subscriptions WHERE tenant_id = ?1 AND id = ?2')
    .bind(tenantId, id)
    .first<OwnerSubscriptionRef>()) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

export interface GroupWrite {
  tenantId: string;
  id: string;
  now: number;
  /** Present on create. */
  create?: { name: string; planId: string; seatLimit: number | null; ownerSubscriptionId: string | null };
  /** Present on update: only the given columns change. */
  update?: { name?: string; planId?: string; seatLimit?: number | null; ownerSubscriptionId?: string | null };
  /** When present, replaces the group's ranges (sorted, validated, non-overlapping). */
  ranges?: IpRange[];
  /** When present, replaces the group's domains (normalised, distinct). */
  domains?: string[];
}

/** What a group write did: written, or refused by a guard of its batch (nothing was written). */
export type GroupWriteResult = { kind: 'written' } | { kind: 'conflict'; what: 'ip_range' | 'email_domain' | 'not_found' };

const rangesJson = (ranges: IpRange[]) => ranges.map((r) => [toHex(r.start), toHex(r.end), r.label]);

/**
 * Creates or updates a group, its ranges and its domains in one batch (one transaction). A
 * guard statement fails the batch when a new range overlaps another group's; a domain held by
 * another group fails it through the (tenant_id, domain) primary key.
 */
export async function writeGroup(db: D1, w: GroupWrite): Promise<GroupWriteResult> {
  const c = db;
  const stmts: D1PreparedStatement[] = [];
  if (w.create) {
    stmts.push(
      c
        .prepare(
          `INSERT INTO groups (id, tenant_id, name, plan_id, seat_limit, seats_used, owner_subscription_id, created_at, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?7)`,
        )
        .bind(w.id, w.tenantId, w.create.name, w.create.planId, w.create.seatLimit, w.create.ownerSubscriptionId, w.now),
    );
  } else {
    const u = w.update ?? {};
    // Fails the batch (NOT NULL on name) when the group does not exist or is deleted.
    stmts.push(
      c
        .prepare(
          `UPDATE groups SET
             name = CASE WHEN ?3 THEN ?4 ELSE name END,
             plan_id = CASE WHEN ?5 THEN ?6 ELSE plan_id END,
             seat_limit = CASE WHEN ?7 THEN ?8 ELSE seat_limit END,
             owner_subscription_id = CASE WHEN ?9 THEN ?10 ELSE owner_subscription_id END,
             updated_at = ?11
           WHERE tenant_id = ?1 AND id = ?2 AND deleted_at IS NULL`,
        )
        .bind(
          w.tenantId,
          w.id,
          u.name !== undefined ? 1 : 0,
          u.name ?? null,
          u.planId !== undefined ? 1 : 0,
          u.planId ?? null,
          u.seatLimit !== undefined ? 1 : 0,
          u.seatLimit ?? null,
          u.ownerSubscriptionId !== undefined ? 1 : 0,
          u.ownerSubscriptionId ?? null,
          w.now,
        ),
      c
        .prepare(`INSERT INTO group_domains (tenant_id, domain, group_id) SELECT ?1, NULL, ?2 WHERE changes() = 0`)
        .bind(w.tenantId, w.id),
    );
  }
  if (w.ranges) {
    stmts.push(c.prepare('DELETE FROM group_ip_ranges WHERE tenant_id = ?1 AND group_id = ?2').bind(w.tenantId, w.id));
    const all = rangesJson(w.ranges);
    for (let i = 0; i < all.length; i += RANGES_PER_STATEMENT) {
      const chunk = JSON.stringify(all.slice(i, i + RANGES_PER_STATEMENT));
      stmts.push(
        c
          .prepare(
            `INSERT INTO group_ip_ranges (tenant_id, group_id, start, "end", label)
             SELECT ?1, ?2, unhex(json_extract(value, '$[0]')), unhex(json_extract(value, '$[1]')), json_extract(value, '$[2]')
             FROM json_each(?3)`,
          )
          .bind(w.tenantId, w.id, chunk),
      );
    }
    for (let i = 0; i < all.length; i += RANGES_PER_STATEMENT) {
      const chunk = JSON.stringify(all.slice(i, i + RANGES_PER_STATEMENT));
      // The guard: a row with a NULL label (refused by NOT NULL) exactly when a new range
      // overlaps another group's. For a new range N, an overlapping range either starts inside
      // N, or is the range starting last before N (ranges of other groups never overlap each
      // other, and N's own group's new ranges never overlap each other). Two index seeks per N.
      stmts.push(
        c
          .prepare(
            `INSERT INTO group_ip_ranges (tenant_id, group_id, start, "end", label)
             SELECT ?1, ?2, x'', x'', NULL WHERE EXISTS (
               SELECT 1 FROM json_each(?3) j WHERE
                 EXISTS (SELECT 1 FROM group_ip_ranges r
                         WHERE r.tenant_id = ?1 AND r.start >= unhex(json_extract(j.value, '$[0]'))
                           AND r.start <= unhex(json_extract(j.value, '$[1]')) AND r.group_id <> ?2)
                 OR (SELECT r."end" FROM group_ip_ranges r
                     WHERE r.tenant_id = ?1 AND r.start < unhex(json_extract(j.value, '$[0]'))
                     ORDER BY r.start DESC LIMIT 1) >= unhex(json_extract(j.value, '$[0]'))
             )`,
          )
          .bind(w.tenantId, w.id, chunk),
      );
    }
  }
  if (w.domains) {
    stmts.push(
      c.prepare('DELETE FROM group_domains WHERE tenant_id = ?1 AND group_id = ?2').bind(w.tenantId, w.id),
      c
        .prepare('INSERT INTO group_domains (tenant_id, domain, group_id) SELECT ?1, value, ?2 FROM json_each(?3)')
        .bind(w.tenantId, w.id, JSON.stringify(w.domains)),
    );
  }
  stmts.push(bumpCatalogStatement(c, w.tenantId));
  try {
    await c.batch(stmts);
    return { kind: 'written' };
  } catch (e) {
    const message = String((e as Error)?.message ?? e);
    if (message.includes('NOT NULL constraint failed: group_ip_ranges.label')) return { kind: 'conflict', what: 'ip_range' };
    if (message.includes('NOT NULL constraint failed: group_domains.domain')) return { kind: 'conflict', what: 'not_found' };
    if (message.includes('UNIQUE constraint failed: group_domains')) return { kind: 'conflict', what: 'email_domain' };
    throw e;
  }
}

export interface RangeConflict {
  range: string;
  group_id: string;
  group_name: string;
  conflicting_range: string;
}

/** Explains an `ip_range` write conflict: the first new range that overlaps another group's. */
export async function findRangeConflict(db: D1, tenantId: string, groupId: string, ranges: IpRange[]): Promise<RangeConflict | null> {
  const c = db;
  const all = rangesJson(ranges);
  for (let i = 0; i < all.length; i += RANGES_PER_STATEMENT) {
    const chunk = JSON.stringify(all.slice(i, i + RANGES_PER_STATEMENT));
    // After the failed batch rolled back, the stored ranges do not overlap one another: a
    // stored range overlapping N is the last one starting before N, or one starting inside N.
    const row = await c
      .prepare(
        `WITH n AS (
           SELECT j.key AS k, json_extract(j.value, '$[2]') AS label,
                  unhex(json_extract(j.value, '$[0]')) AS s, unhex(json_extract(j.value, '$[1]')) AS e
           FROM json_each(?3) j
         ), cand AS (
           SELECT n.k, n.label, n.s, n.e,
                  (SELECT x.id FROM group_ip_ranges x WHERE x.tenant_id = ?1 AND x.start < n.s ORDER BY x.start DESC LIMIT 1) AS rid
           FROM n
           UNION ALL
           SELECT n.k, n.label, n.s, n.e,
                  (SELECT x.id FROM group_ip_ranges x WHERE x.tenant_id = ?1 AND x.start >= n.s AND x.start <= n.e
                     AND x.group_id <> ?2 ORDER BY x.start LIMIT 1)
           FROM n
         )
         SELECT cand.label AS range, r.group_id, g.name AS group_name, r.label AS conflicting_range
         FROM cand JOIN group_ip_ranges r ON r.id = cand.rid JOIN groups g ON g.id = r.group_id
         WHERE r.group_id <> ?2 AND r."end" >= cand.s AND r.start <= cand.e
         ORDER BY cand.k LIMIT 1`,
      )
      .bind(tenantId, groupId, chunk)
      .first<RangeConflict>();
    if (row) return row;
  }
  return null;
}

/** Explains an `email_domain` write conflict: a domain of the list held by another group. */
export async function findDomainConflict(db: D1, tenantId: string, groupId: string, domains: string[]) {
  return db
    .prepare(
      `SELECT d.domain, d.group_id, g.name AS group_name FROM group_domains d JOIN groups g ON g.id = d.group_id
       WHERE d.tenant_id = ?1 AND d.group_id <> ?2 AND d.domain IN (SELECT value FROM json_each(?3)) LIMIT 1`,
    )
    .bind(tenantId, groupId, JSON.stringify(domains))
    .first<{ domain: string; group_id: string; group_name: string }>();
}

/** Deletes a group: its ranges and domains go (freeing them for others), its claims stay. */
export async function deleteGroup(db: D1, tenantId: string, id: string, now: number): Promise<boolean> {
  const c = db;
  const [updated] = await c.batch([
    c.prepare('UPDATE groups SET deleted_at = ?3, updated_at = ?3 WHERE tenant_id = ?1 AND id = ?2 AND deleted_at IS NULL').bind(tenantId, id, now),
    c.prepare('DELETE FROM group_ip_ranges WHERE tenant_id = ?1 AND group_id = ?2').bind(tenantId, id),
    c.prepare('DELETE FROM group_domains WHERE tenant_id = ?1 AND group_id = ?2').bind(tenantId, id),
    bumpCatalogStatement(c, tenantId),
  ]);
  return (updated!.meta.changes ?? 0) > 0;
}

// ---------------------------------------------------------------------------------------------
// Access: lookup and claim
// ---------------------------------------------------------------------------------------------

// The access lookup is in group-access.ts, reporting in group-reports.ts.

// Claiming a seat (claimSeat) is in ./group-claims: it writes a subscription (./subscriptions).

/**
 * A group of the tenant (not deleted) and the user's earlier claim of it, if any: one round
 * trip. Null when the group does not exist.
 */
export async function findClaim(db: D1, tenantId: string, groupId: string, userId: string) {
  const c = db;
  const [group, claim] = await c.batch([
    c.prepare('SELECT id FROM groups WHERE tenant_id = ?1 AND id = ?2 AND deleted_at IS NULL').bind(tenantId, groupId),
    c
      .prepare(
        `SELECT s.* FROM group_claims gc JOIN subscriptions s ON s.id = gc.subscription_id
         WHERE gc.tenant_id = ?1 AND gc.group_id = ?2 AND gc.user_id = ?3`,
      )
      .bind(tenantId, groupId, userId),
  ]);
  if (group!.results.length === 0) return null;
  return { subscription: (claim!.results[0] as SubscriptionRaw | undefined) ?? null };
}

/**
 * Per-isolate table of a tenant's group access rules: every IP range (sorted, non-overlapping)
 * and every email domain, with the group each grants. `GET /v1/access` answers from it with a
 * binary search, without a D1 round trip while the table is fresh.
 *
 * Freshness: the table carries the tenant's `catalog_version` (bumped by every write to groups,
 * plans and offers). The isolate that writes a group drops its table at once; any other
 * isolate re-checks the version at most every `CHECK_MS`, in the same single statement batch
 * that reloads the rules only if the version moved (so a request makes at most one round trip).
 * Claims never trust this table: `POST /v1/access/claim` re-checks qualification in D1.
 */
import type { Db } from './client';
import { lookup } from '../domain/ip-ranges';

/** How long an isolate trusts its table before re-checking the version. */
export const CHECK_MS = 5_000;
/** Above this many ranges a tenant is looked up in D1 per request instead (memory bound). */
export const MAX_CACHED_RANGES = 250_000;
/** Tenants whose tables one isolate holds (the oldest is dropped first). */
export const MAX_CACHED_TENANTS = 100;

export interface AccessGroupInfo {
  id: string;
  name: string;
  plan_id: string;
  product_id: string;
}

export interface AccessTable {
  version: number;
  checkedAt: number;
  /** More ranges than `MAX_CACHED_RANGES`: nothing is held, lookups go to D1. */
  tooLarge: boolean;
  /** Ranges sorted by start; `group` indexes `groups`. */
  ranges: { start: bigint; end: bigint; group: number }[];
  domains: Map<string, number>;
  groups: AccessGroupInfo[];
}

const tables = new Map<string, AccessTable>();
const loading = new Map<string, Promise<AccessTable>>();

/** Bumped on every forget, so a load that raced with a write is not kept. */
const generations = new Map<string, number>();

/** Forgets a tenant's table on this isolate (after a write to its groups). */
export function forgetAccessTable(tenantId: string): void {
  tables.delete(tenantId);
  loading.delete(tenantId);
  generations.set(tenantId, (generations.get(tenantId) ?? 0) + 1);
}

const d1 = (db: Db) => (db as unknown as { $client: D1Database }).$client;

async function refresh(db: Db, tenantId: string, known: AccessTable | undefined, now: number): Promise<AccessTable> {
  const c = d1(db);
  const knownVersion = known?.version ?? -1;
  // One batch (one round trip, one snapshot): the version, and the rules only when it moved.
  const changed = `(SELECT catalog_version FROM tenants WHERE id = ?1) IS NOT ?2`;
  const [version, count, groups, ranges, domains] = await c.batch([
    c.prepare('SELECT catalog_version AS v FROM tenants WHERE id = ?1').bind(tenantId),
    c.prepare(`SELECT count(*) AS n FROM group_ip_ranges WHERE tenant_id = ?1 AND ${changed}`).bind(tenantId, knownVersion),
    c
      .prepare(
        `SELECT g.id, g.name, g.plan_id, p.product_id FROM groups g JOIN plans p ON p.id = g.plan_id
         WHERE g.tenant_id = ?1 AND g.deleted_at IS NULL AND ${changed} ORDER BY g.id`,
      )
      .bind(tenantId, knownVersion),
    c
      .prepare(
        `SELECT hex(start) AS s, hex("end") AS e, group_id AS g FROM group_ip_ranges
         WHERE tenant_id = ?1 AND ${changed} AND (SELECT count(*) FROM group_ip_ranges WHERE tenant_id = ?1) <= ?3
         ORDER BY start`,
      )
      .bind(tenantId, knownVersion, MAX_CACHED_RANGES),
    c.prepare(`SELECT domain AS d, group_id AS g FROM group_domains WHERE tenant_id = ?1 AND ${changed}`).bind(tenantId, knownVersion),
  ]);
  const v = (version!.results[0] as { v: number } | undefined)?.v ?? 0;
  if (known !== undefined && v === knownVersion) {
    known.checkedAt = now;
    return known;
  }
  const n = (count!.results[0] as { n: number } | undefined)?.n ?? 0;
  if (n > MAX_CACHED_RANGES) return { version: v, checkedAt: now, tooLarge: true, ranges: [], domains: new Map(), groups: [] };
  const groupRows = groups!.results as unknown as AccessGroupInfo[];
  const index = new Map(groupRows.map((g, i) => [g.id, i]));
  const table: AccessTable = { version: v, checkedAt: now, tooLarge: false, ranges: [], domains: new Map(), groups: groupRows };
  for (const r of ranges!.results as { s: string; e: string; g: string }[]) {
    const group = index.get(r.g);
    if (group !== undefined) table.ranges.push({ start: BigInt(`0x${r.s}`), end: BigInt(`0x${r.e}`), group });
  }
  for (const d of domains!.results as { d: string; g: string }[]) {
    const group = index.get(d.g);
    if (group !== undefined) table.domains.set(d.d, group);
  }
  return table;
}

/**
 * The tenant's table, loaded or re-checked when needed (at most one D1 round trip); check
 * `tooLarge` before using it.
 */
export async function accessTable(db: Db, tenantId: string, now: number = Date.now()): Promise<AccessTable> {
  const known = tables.get(tenantId);
  if (known !== undefined && now - known.checkedAt < CHECK_MS) return known;
  const generation = generations.get(tenantId) ?? 0;
  let pending = loading.get(tenantId);
  if (!pending) {
    const p = refresh(db, tenantId, known, now).finally(() => {
      if (loading.get(tenantId) === p) loading.delete(tenantId);
    });
    pending = p;
    loading.set(tenantId, p);
  }
  const table = await pending;
  // A write on this isolate during the load: answer with what was read, keep nothing.
  if ((generations.get(tenantId) ?? 0) !== generation) return table;
  if (!tables.has(tenantId) && tables.size >= MAX_CACHED_TENANTS) tables.delete(tables.keys().next().value!);
  tables.set(tenantId, table);
  return table;
}

export interface TableMatch extends AccessGroupInfo {
  via: 'ip' | 'domain';
}

/** The groups for an address (128-bit value) and a verified domain; a group matched twice comes once, as `ip`. */
export function matchAccess(table: AccessTable, address: bigint | null, domain: string | null): TableMatch[] {
  const out: TableMatch[] = [];
  if (address !== null) {
    const r = lookup(table.ranges, address);
    if (r) out.push({ ...table.groups[r.group]!, via: 'ip' });
  }
  if (domain !== null) {
    const g = table.domains.get(domain);
    if (g !== undefined && !out.some((m) => m.id === table.groups[g]!.id)) out.push({ ...table.groups[g]!, via: 'domain' });
  }
  return out;
}

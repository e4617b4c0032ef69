/**
 * Per-isolate table of a tenant's group access rules: every IP range (sorted, non-overlapping)
 * and every email domain, with the group each grants. `GET /v1/access` answers from it with a
 * binary search, without a D1 round trip while the table is fresh.
 *
 * Held in the worker's one cache (worker/lib/cache.ts, docs/caching.md): versioned by the
 * tenant's `catalog_version` (bumped by every write to groups, plans and offers), trusted for
 * CHECK_MS, then re-checked in one batch that reloads the rules only if the version moved (a
 * request makes at most one round trip). The isolate that writes a group drops its table once
 * the write committed. No request awaits another's load: a request that misses while another
 * loads answers from D1 instead. Tables count against a byte budget (a 250k-range table is ~30 MB of 36); above
 * MAX_CACHED_RANGES a tenant is looked up in D1 per request.
 * Claims never trust this table: `POST /v1/access/claim` re-checks qualification in D1.
 */
import type { D1 } from './guard';
import { lookup } from '../domain/ip-ranges';
import { CACHE_BUDGETS, SIZES, createCache } from '../lib/cache';

/** How long an isolate trusts its table before re-checking the version. */
export const CHECK_MS = 5_000;
/** Above this many ranges a tenant is looked up in D1 per request instead (memory bound). */
export const MAX_CACHED_RANGES = 250_000;
/**
 * Estimated heap bytes of one cached range: a 3-field object (48), two 128-bit bigints (32 each);
 * with its array slot 120 (measured in V8: 104 for an IPv4 range, 120 for an IPv6 one).
 */
export const RANGE_BYTES = 48 + 2 * SIZES.bigint;

export interface AccessGroupInfo {
  id: string;
  name: string;
  plan_id: string;
  product_id: string;
}

export interface AccessTable {
  version: number;
  /** More ranges than `MAX_CACHED_RANGES`: nothing is held, lookups go to D1. */
  tooLarge: boolean;
  /** Ranges sorted by start; `group` indexes `groups`. */
  ranges: { start: bigint; end: bigint; group: number }[];
  domains: Map<string, number>;
  groups: AccessGroupInfo[];
}

export const tableBytes = (t: AccessTable): number => {
  let n = SIZES.object + t.ranges.length * (RANGE_BYTES + 8);
  for (const d of t.domains.keys()) n += SIZES.mapEntry + SIZES.string(d);
  for (const g of t.groups) n += SIZES.object + SIZES.string(g.id) + SIZES.string(g.name) + SIZES.string(g.plan_id) + SIZES.string(g.product_id);
  return n;
};

export const accessTables = createCache<AccessTable>({
  name: 'access tables',
  ttlMs: CHECK_MS,
  maxBytes: CACHE_BUDGETS.accessTables,
  sizeOf: tableBytes,
});

/** Forgets a tenant's table on this isolate (the group routes do it through catalogChanged after commit). */
export function forgetAccessTable(tenantId: string): void {
  accessTables.invalidate(tenantId);
}

async function refresh(c: D1, tenantId: string, known: AccessTable | undefined): Promise<AccessTable> {
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
  if (known !== undefined && v === knownVersion) return known;
  const n = (count!.results[0] as { n: number } | undefined)?.n ?? 0;
  if (n > MAX_CACHED_RANGES) return { version: v, tooLarge: true, ranges: [], domains: new Map(), groups: [] };
  const groupRows = groups!.results as unknown as AccessGroupInfo[];
  const index = new Map(groupRows.map((g, i) => [g.id, i]));
  const table: AccessTable = { version: v, tooLarge: false, ranges: [], domains: new Map(), groups: groupRows };
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

/** Not held on this isolate (too large, or being loaded by another request): look up in D1. */
const NOT_HELD: AccessTable = Object.freeze({ version: -1, tooLarge: true, ranges: [], domains: new Map(), groups: [] }) as AccessTable;

/**
 * Tenants whose table a request of this isolate is loading: a flag, never a promise. Another
 * request that misses meanwhile neither waits for that load (it would inherit its cancellation)
 * nor starts a second copy (two 30 MB loads at once could exhaust the isolate): it answers from
 * D1 (NOT_HELD), in the one round trip a load would have cost it.
 */
const loading = new Map<string, number>();
/** A flag older than this is a load whose request was cancelled before its `finally`: ignored. */
const LOADING_STALE_MS = 10_000;

/**
 * The tenant's table, loaded or re-checked when needed (at most one D1 round trip, on the
 * primary handle given); check `tooLarge` (not held: look up in D1) before using it.
 */
export async function accessTable(db: D1, tenantId: string, now: number = Date.now()): Promise<AccessTable> {
  const hit = accessTables.get(tenantId, now);
  if (hit?.fresh) return hit.value;
  const since = loading.get(tenantId);
  if (since !== undefined && now - since < LOADING_STALE_MS) return NOT_HELD;
  // Taken before the load: a write committed on this isolate meanwhile makes `set` keep nothing
  // (the answer is still what was read, in one snapshot).
  const generation = accessTables.generation(tenantId);
  loading.set(tenantId, now);
  let table: AccessTable;
  try {
    table = await refresh(db, tenantId, hit?.value);
  } finally {
    loading.delete(tenantId);
  }
  if (table === hit?.value) accessTables.keep(tenantId, table, { tenantId, version: table.version, generation, now });
  else accessTables.set(tenantId, table, { tenantId, version: table.version, generation, now });
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

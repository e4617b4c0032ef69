import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { primaryD1 } from '../../worker/db/handles';
import { CHECK_MS, RANGE_BYTES, accessTable, accessTables, forgetAccessTable, matchAccess, tableBytes } from '../../worker/db/access-table';
import { parseAddress, toBytes } from '../../worker/domain/ip-ranges';
import { lookupAccess } from '../../worker/db/group-access';
import { createGroup, groupTenant } from '../groups-helpers';

const addr = (s: string) => parseAddress(s)!.value;

describe('per-isolate access table', () => {
  it('loads in one round trip, serves from memory, and reloads only when the version moved', async () => {
    const { tenant, planId } = await groupTenant();
    const g = await createGroup(tenant, { name: 'XYZ', plan_id: planId, ip_ranges: ['203.0.113.0/24', '2001:db8::/48'], email_domains: ['xyz.com'] });
    forgetAccessTable(tenant.id);
    const counter = { count: 0 };
    const db = primaryD1(env.DB, counter);
    const t0 = Date.now();
    const table = await accessTable(db, tenant.id, t0);
    expect(counter.count).toBe(1);
    expect(table.tooLarge).toBe(false);
    expect(matchAccess(table, addr('203.0.113.9'), null)).toMatchObject([{ id: g.id, via: 'ip' }]);
    expect(matchAccess(table, addr('::ffff:203.0.113.9'), null)).toMatchObject([{ id: g.id, via: 'ip' }]);
    expect(matchAccess(table, addr('2001:db8:0:1::1'), 'xyz.com')).toMatchObject([{ id: g.id, via: 'ip' }]);
    expect(matchAccess(table, addr('198.51.100.1'), 'xyz.com')).toMatchObject([{ id: g.id, via: 'domain' }]);
    expect(matchAccess(table, addr('203.0.114.0'), 'evilxyz.com')).toEqual([]);

    // Fresh: no round trip.
    expect(await accessTable(db, tenant.id, t0 + CHECK_MS - 1)).toBe(table);
    expect(counter.count).toBe(1);

    // Another isolate's write (simulated straight in D1): seen at the next check, in one round trip.
    await env.DB.batch([
      env.DB.prepare("INSERT INTO group_domains (tenant_id, domain, group_id) VALUES (?1, 'xyz.org', ?2)").bind(tenant.id, g.id),
      env.DB.prepare('UPDATE tenants SET catalog_version = catalog_version + 1 WHERE id = ?1').bind(tenant.id),
    ]);
    expect(matchAccess(await accessTable(db, tenant.id, t0 + 1), null, 'xyz.org')).toEqual([]);
    const reloaded = await accessTable(db, tenant.id, t0 + CHECK_MS + 1);
    expect(counter.count).toBe(2);
    expect(reloaded).not.toBe(table);
    expect(matchAccess(reloaded, null, 'xyz.org')).toMatchObject([{ id: g.id, via: 'domain' }]);

    // Unchanged version at the next check: one small round trip, same table kept.
    const again = await accessTable(db, tenant.id, t0 + 2 * CHECK_MS + 2);
    expect(counter.count).toBe(3);
    expect(again).toBe(reloaded);
  });

  it('matches every address of random ranges exactly like the D1 range query', async () => {
    const { tenant, planId } = await groupTenant();
    const a = await createGroup(tenant, { name: 'A', plan_id: planId, ip_ranges: ['203.0.113.0/28', '203.0.113.32-203.0.113.40', '203.0.113.41'] });
    const b = await createGroup(tenant, { name: 'B', plan_id: planId, ip_ranges: ['203.0.113.16/28', '203.0.113.42-203.0.113.50'] });
    const table = await accessTable(primaryD1(env.DB), tenant.id);
    const owner = (last: number) =>
      last <= 15 || (last >= 32 && last <= 41) ? a.id : (last >= 16 && last <= 31) || (last >= 42 && last <= 50) ? b.id : null;
    for (let last = 0; last < 64; last++) {
      const got = matchAccess(table, addr(`203.0.113.${last}`), null);
      expect(got[0]?.id ?? null, `203.0.113.${last}`).toBe(owner(last));
    }
  });

  it('the D1 range query (large tenants, claims) agrees on every address, in one round trip', async () => {
    const { tenant, planId } = await groupTenant();
    const a = await createGroup(tenant, { name: 'A', plan_id: planId, ip_ranges: ['203.0.113.0/28', '203.0.113.32-203.0.113.40'], email_domains: ['a.com'] });
    const b = await createGroup(tenant, { name: 'B', plan_id: planId, ip_ranges: ['203.0.113.16/28', '2001:db8::/127'] });
    const counter = { count: 0 };
    const db = primaryD1(env.DB, counter);
    const owner = (last: number) => (last <= 15 || (last >= 32 && last <= 40) ? a.id : last >= 16 && last <= 31 ? b.id : null);
    for (let last = 0; last < 48; last++) {
      const got = await lookupAccess(db, { tenantId: tenant.id, address: toBytes(addr(`203.0.113.${last}`)), domain: null, userId: null });
      expect(got[0]?.id ?? null, `203.0.113.${last}`).toBe(owner(last));
    }
    expect(counter.count).toBe(48);
    for (const [ip, id] of [['2001:db8::', b.id], ['2001:db8::1', b.id], ['2001:db8::2', null], ['::ffff:203.0.113.33', a.id]] as const) {
      const got = await lookupAccess(db, { tenantId: tenant.id, address: toBytes(addr(ip)), domain: null, userId: null });
      expect(got[0]?.id ?? null, ip).toBe(id);
    }
    const both = await lookupAccess(db, { tenantId: tenant.id, address: toBytes(addr('203.0.113.1')), domain: 'a.com', userId: 'u' });
    expect(both.map((m) => [m.id, m.via])).toEqual([[a.id, 'ip']]);
    const other = await groupTenant();
    expect(await lookupAccess(db, { tenantId: other.tenant.id, address: toBytes(addr('203.0.113.1')), domain: 'a.com', userId: null })).toEqual([]);
  });

  it('shares no load between requests: a miss while another request loads answers from D1, neither waiting nor loading twice', async () => {
    const { tenant, planId } = await groupTenant();
    const g = await createGroup(tenant, { name: 'C', plan_id: planId, ip_ranges: ['198.51.100.0/24'] });
    forgetAccessTable(tenant.id);
    const a = { count: 0 };
    const b = { count: 0 };
    const now = Date.now();
    const [ta, tb] = await Promise.all([accessTable(primaryD1(env.DB, a), tenant.id, now), accessTable(primaryD1(env.DB, b), tenant.id, now)]);
    expect([a.count, b.count]).toEqual([1, 0]);
    expect(matchAccess(ta, addr('198.51.100.7'), null)[0]?.id).toBe(g.id);
    expect(tb.tooLarge).toBe(true); // not held for this request: it looks up in D1 (one round trip)
    const viaD1 = await lookupAccess(primaryD1(env.DB, b), { tenantId: tenant.id, address: toBytes(addr('198.51.100.7')), domain: null, userId: null });
    expect(viaD1[0]?.id).toBe(g.id);
    expect(b.count).toBe(1);
    // Once loaded, both are served from memory.
    expect(await accessTable(primaryD1(env.DB, b), tenant.id, now)).toBe(ta);
    expect(b.count).toBe(1);
  });

  it('a load that raced a committed write on this isolate answers once and is not kept', async () => {
    const { tenant, planId } = await groupTenant();
    await createGroup(tenant, { name: 'D', plan_id: planId, ip_ranges: ['192.0.2.0/24'] });
    forgetAccessTable(tenant.id);
    const counter = { count: 0 };
    const now = Date.now();
    const loading = accessTable(primaryD1(env.DB, counter), tenant.id, now);
    forgetAccessTable(tenant.id); // the write's invalidation lands while the load is in flight
    const table = await loading;
    expect(table.ranges.length).toBe(1);
    expect(accessTables.get(tenant.id, now)).toBeUndefined();
    await accessTable(primaryD1(env.DB, counter), tenant.id, now);
    expect(counter.count).toBe(2);
    expect(accessTables.get(tenant.id, now)?.fresh).toBe(true);
  });

  it('counts a table by its estimated bytes against the cache budget', async () => {
    const { tenant, planId } = await groupTenant();
    await createGroup(tenant, { name: 'E', plan_id: planId, ip_ranges: ['192.0.2.0/28', '192.0.2.64/28', '192.0.2.128/28'], email_domains: ['e.com'] });
    forgetAccessTable(tenant.id);
    const before = accessTables.stats().bytes;
    const table = await accessTable(primaryD1(env.DB), tenant.id);
    expect(table.ranges.length).toBe(3);
    expect(tableBytes(table)).toBeGreaterThanOrEqual(3 * RANGE_BYTES);
    expect(accessTables.stats().bytes - before).toBe(Math.ceil(tableBytes(table)));
    // The largest cached table (MAX_CACHED_RANGES ranges) fits the budget, well under the 128 MB isolate.
    expect(250_000 * (RANGE_BYTES + 8)).toBeLessThan(accessTables.stats().maxBytes);
    expect(accessTables.stats().maxBytes).toBeLessThanOrEqual(48 * 1024 * 1024);
  });
});

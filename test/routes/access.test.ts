import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { admin, publicApi } from '../helpers';
import { createGroup, groupTenant, member, ownerSubscription } from '../groups-helpers';

describe('GET /v1/access', () => {
  it('answers concurrent first requests of a cold isolate correctly, each in at most one round trip for the rules', async () => {
    const { tenant, planId } = await groupTenant();
    const g = await createGroup(tenant, { name: 'Cold', plan_id: planId, ip_ranges: ['192.0.2.0/24'] });
    await publicApi(tenant).get('/access'); // warms the key only (no address: the table is not read)
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => publicApi(tenant, { ip: `192.0.2.${i + 1}` }).get('/access')));
    for (const res of results) {
      expect(res.status).toBe(200);
      expect(res.json.groups.map((x: any) => x.id)).toEqual([g.id]);
      expect(Number(res.headers.get('X-D1-Round-Trips'))).toBeLessThanOrEqual(1);
    }
  });

  it('qualifies by CF-Connecting-IP only, IPv4-mapped IPv6 read as IPv4', async () => {
    const { tenant, planId, productId } = await groupTenant();
    const g = await createGroup(tenant, { name: 'XYZ Corp', plan_id: planId, ip_ranges: ['203.0.113.0/24', '2001:db8:1::/48'], seat_limit: 3 });
    const inside = await publicApi(tenant, { ip: '203.0.113.7' }).get('/access');
    expect(inside.status, inside.text).toBe(200);
    expect(inside.json.groups).toEqual([
      { id: g.id, group_id: g.id, name: 'XYZ Corp', plan_id: planId, product_id: productId, via: 'ip' },
    ]);
    // With the key and the tenant's access table cached (after the first request), a lookup
    // makes no D1 round trip at all; the first one made at most two (key, table).
    expect(Number(inside.headers.get('X-D1-Round-Trips'))).toBeLessThanOrEqual(2);
    const warm = await publicApi(tenant, { ip: '2001:db8:1::1' }).get('/access');
    expect(warm.json.groups).toHaveLength(1);
    expect(warm.headers.get('X-D1-Round-Trips')).toBe('0');
    for (const ip of ['::ffff:203.0.113.200', '::FFFF:cb00:7101', '2001:db8:1:ffff::9', '203.0.113.0', '203.0.113.255']) {
      const res = await publicApi(tenant, { ip }).get('/access');
      expect(res.json.groups.map((x: any) => [x.id, x.via]), ip).toEqual([[g.id, 'ip']]);
    }
    for (const ip of ['203.0.114.0', '203.0.112.255', '2001:db8:2::1', 'garbage', '', '203.0.113.7, 1.1.1.1']) {
      const res = await publicApi(tenant, { ip }).get('/access');
      expect(res.status, ip).toBe(200);
      expect(res.json.groups, ip).toEqual([]);
    }
    // Spoofable headers are never read.
    for (const header of ['X-Forwarded-For', 'X-Real-IP', 'True-Client-IP', 'Forwarded', 'X-Client-IP']) {
      const spoof = await publicApi(tenant, { headers: { [header]: header === 'Forwarded' ? 'for=203.0.113.7' : '203.0.113.7' } }).get('/access');
      expect(spoof.json.groups, header).toEqual([]);
      const outside = await publicApi(tenant, { ip: '8.8.8.8', headers: { [header]: '203.0.113.7' } }).get('/access');
      expect(outside.json.groups, header).toEqual([]);
    }
    // Anonymous with no address: nothing, without touching D1.
    const none = await publicApi(tenant).get('/access');
    expect(none.json).toEqual({ groups: [] });
    expect(none.headers.get('X-D1-Round-Trips')).toBe('0');
    // Another tenant's ranges never match.
    const other = await groupTenant();
    expect((await publicApi(other.tenant, { ip: '203.0.113.7' }).get('/access')).json.groups).toEqual([]);
  });

  it('qualifies by the verified email domain only, exactly', async () => {
    const { tenant, planId } = await groupTenant();
    const g = await createGroup(tenant, { name: 'XYZ Corp', plan_id: planId, email_domains: ['xyz.com'] });
    const yes = await member(tenant, { sub: 'u1', email: 'Ana@XYZ.COM', verified: true });
    expect((await yes.get('/access')).json.groups).toMatchObject([{ id: g.id, via: 'domain' }]);
    for (const email of ['ana@xyz.com.evil.io', 'ana@evilxyz.com', 'ana@mail.xyz.com', 'xyz.com@evil.io']) {
      const no = await member(tenant, { sub: 'u2', email, verified: true });
      expect((await no.get('/access')).json.groups, email).toEqual([]);
    }
    const unverified = await member(tenant, { sub: 'u3', email: 'ana@xyz.com', verified: false });
    expect((await unverified.get('/access')).json.groups).toEqual([]);
    // A token signed with another secret is refused, not trusted.
    const forged = await publicApi(tenant, { userToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.x' }).get('/access');
    expect(forged.status).toBe(401);
  });

  it('lists a group once when both IP and domain match, and several groups apart', async () => {
    const { tenant, planId } = await groupTenant();
    const a = await createGroup(tenant, { name: 'A', plan_id: planId, ip_ranges: ['203.0.113.0/24'], email_domains: ['a.com'] });
    const b = await createGroup(tenant, { name: 'B', plan_id: planId, email_domains: ['b.com'] });
    const both = await member(tenant, { sub: 'u1', email: 'x@a.com', verified: true, ip: '203.0.113.1' });
    expect((await both.get('/access')).json.groups.map((g: any) => [g.id, g.via])).toEqual([[a.id, 'ip']]);
    const two = await member(tenant, { sub: 'u2', email: 'x@b.com', verified: true, ip: '203.0.113.1' });
    expect((await two.get('/access')).json.groups.map((g: any) => [g.id, g.via])).toEqual([
      [a.id, 'ip'],
      [b.id, 'domain'],
    ]);
  });
});

describe('POST /v1/access/claim', () => {
  it('creates the subscription at no charge once, then answers the same one', async () => {
    const { tenant, planId, productId } = await groupTenant();
    const g = await createGroup(tenant, { name: 'XYZ Corp', plan_id: planId, ip_ranges: ['203.0.113.0/24'], email_domains: ['xyz.com'], seat_limit: 2 });
    const ana = await member(tenant, { sub: 'ana', ip: '203.0.113.9' });
    const first = await ana.post('/access/claim', { group_id: g.id });
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({
      user_id: 'ana',
      plan_id: planId,
      product_id: productId,
      status: 'active',
      source: 'group',
      group_id: g.id,
      offer_id: null,
      code: null,
      cycle: 1,
      price: 0,
      discount: 0,
      amount_due: 0,
      currency: 'INR',
    });
    expect(new Date(first.json.current_period_end).getTime()).toBeGreaterThan(new Date(first.json.current_period_start).getTime() + 360 * 86_400_000);
    const cycles = await env.DB.prepare('SELECT cycle, amount_due FROM subscription_cycles WHERE subscription_id = ?').bind(first.json.id).all();
    expect(cycles.results).toEqual([{ cycle: 1, amount_due: 0 }]);
    const seen = await env.DB.prepare('SELECT id FROM users WHERE tenant_id = ? AND id = ?').bind(tenant.id, 'ana').first();
    expect(seen).toEqual({ id: 'ana' });
    const again = await ana.post('/access/claim', { group_id: g.id });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    // Even from elsewhere, the earlier claim answers (no second seat).
    const moved = await member(tenant, { sub: 'ana', ip: '8.8.8.8' });
    expect((await moved.post('/access/claim', { group_id: g.id })).json.id).toBe(first.json.id);
    const group = await admin(tenant).get(`/groups/${g.id}`);
    expect(group.json).toMatchObject({ seats_used: 1, seats_available: 1 });
    // By domain.
    const bo = await member(tenant, { sub: 'bo', email: 'bo@xyz.com', verified: true });
    expect((await bo.post('/access/claim', { group_id: g.id })).status).toBe(201);
    // Full now.
    const cy = await member(tenant, { sub: 'cy', ip: '203.0.113.10' });
    const full = await cy.post('/access/claim', { group_id: g.id });
    expect(full.status).toBe(409);
    expect(full.json.code).toBe('seats_exhausted');
    // Repeats still answer when full.
    expect((await ana.post('/access/claim', { group_id: g.id })).status).toBe(200);
    const members = await admin(tenant).get(`/groups/${g.id}/members`);
    expect(members.json.data.map((m: any) => [m.user_id, m.via])).toEqual([
      ['ana', 'ip'],
      ['bo', 'domain'],
    ]);
  });

  it('requires a user token, a qualification and a group of the tenant', async () => {
    const { tenant, planId } = await groupTenant();
    const g = await createGroup(tenant, { name: 'XYZ Corp', plan_id: planId, ip_ranges: ['203.0.113.0/24'], email_domains: ['xyz.com'] });
    const anon = await publicApi(tenant, { ip: '203.0.113.9' }).post('/access/claim', { group_id: g.id });
    expect(anon.status).toBe(401);
    expect(anon.json.code).toBe('login_required');
    const outsider = await member(tenant, { sub: 'o', ip: '8.8.8.8', email: 'o@xyz.com', verified: false });
    const refused = await outsider.post('/access/claim', { group_id: g.id });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('not_qualified');
    const spoofer = await member(tenant, { sub: 's', headers: { 'X-Forwarded-For': '203.0.113.9' } });
    expect((await spoofer.post('/access/claim', { group_id: g.id })).status).toBe(403);
    const unknown = await member(tenant, { sub: 'u', ip: '203.0.113.9' });
    expect((await unknown.post('/access/claim', { group_id: 'grp_doesnotexist' })).status).toBe(404);
    expect((await unknown.post('/access/claim', { group_id: 42 })).status).toBe(400);
    expect((await unknown.post('/access/claim', {})).json.errors[0].path).toBe('group_id');
    // Tenant B's users cannot claim tenant A's group, even from its network.
    const other = await groupTenant();
    const foreign = await member(other.tenant, { sub: 'u', ip: '203.0.113.9' });
    expect((await foreign.post('/access/claim', { group_id: g.id })).status).toBe(404);
    // A deleted group grants nothing.
    await admin(tenant).delete(`/groups/${g.id}`);
    expect((await unknown.post('/access/claim', { group_id: g.id })).status).toBe(404);
    expect((await unknown.get('/access')).json.groups).toEqual([]);
  });

  it('holds the seat limit under 30 concurrent claims on 5 seats', async () => {
    const { tenant, planId } = await groupTenant();
    const g = await createGroup(tenant, { name: 'Rush', plan_id: planId, ip_ranges: ['203.0.113.0/24'], seat_limit: 5 });
    const clients = await Promise.all(Array.from({ length: 30 }, (_, i) => member(tenant, { sub: `user-${i}`, ip: `203.0.113.${i + 1}` })));
    const results = await Promise.all(clients.map((cl) => cl.post('/access/claim', { group_id: g.id })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(25);
    expect(results.filter((r) => r.status === 409).every((r) => r.json.code === 'seats_exhausted')).toBe(true);
    const group = await admin(tenant).get(`/groups/${g.id}`);
    expect(group.json).toMatchObject({ seats_used: 5, seats_available: 0 });
    const members = await admin(tenant).get(`/groups/${g.id}/members`);
    expect(members.json.data).toHaveLength(5);
    // The same user 10 times at once: one seat, one subscription.
    const g2 = await createGroup(tenant, { name: 'Twice', plan_id: planId, ip_ranges: ['198.51.100.0/24'], seat_limit: 5 });
    const same = await member(tenant, { sub: 'same', ip: '198.51.100.1' });
    const repeats = await Promise.all(Array.from({ length: 10 }, () => same.post('/access/claim', { group_id: g2.id })));
    expect(repeats.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(repeats.map((r) => r.json.id)).size).toBe(1);
    expect((await admin(tenant).get(`/groups/${g2.id}`)).json.seats_used).toBe(1);
  });
});

describe('cancelling a group subscription', () => {
  it('frees the seat once, and the user may claim again', async () => {
    const { tenant, planId } = await groupTenant();
    const g = await createGroup(tenant, { name: 'Small', plan_id: planId, ip_ranges: ['203.0.113.0/24'], seat_limit: 1 });
    const alice = await member(tenant, { sub: 'alice', ip: '203.0.113.7' });
    const bob = await member(tenant, { sub: 'bob', ip: '203.0.113.8' });
    const first = await alice.post('/access/claim', { group_id: g.id });
    expect(first.status).toBe(201);
    expect((await bob.post('/access/claim', { group_id: g.id })).json.code).toBe('seats_exhausted');

    for (let i = 0; i < 2; i++) {
      const cancel = await admin(tenant).post(`/subscriptions/${first.json.id}/cancel`);
      expect(cancel.status).toBe(200);
      expect(cancel.json.status).toBe('cancelled');
    }
    expect((await admin(tenant).get(`/groups/${g.id}`)).json.seats_used).toBe(0);
    const bobs = await bob.post('/access/claim', { group_id: g.id });
    expect(bobs.status).toBe(201);
    expect((await admin(tenant).get(`/groups/${g.id}`)).json.seats_used).toBe(1);
    // The group is full again: Alice's new claim is refused, her old subscription stays cancelled.
    expect((await alice.post('/access/claim', { group_id: g.id })).json.code).toBe('seats_exhausted');
  });
});

describe('group reporting', () => {
  it('reports seats, and owners and users apart by product and plan', async () => {
    const { tenant, api, planId, productId, owners } = await groupTenant();
    const ownerPlan = owners.plans['1y'];
    const ownerSub = await ownerSubscription(tenant.id, ownerPlan);
    const g = await createGroup(tenant, { name: 'XYZ Corp', plan_id: planId, ip_ranges: ['203.0.113.0/24'], seat_limit: 10, owner_subscription_id: ownerSub });
    for (const sub of ['a', 'b', 'c']) {
      const m = await member(tenant, { sub, ip: '203.0.113.50' });
      expect((await m.post('/access/claim', { group_id: g.id })).status).toBe(201);
    }
    const report = await api.get('/groups/report');
    expect(report.status, report.text).toBe(200);
    expect(report.json.groups).toEqual([{ id: g.id, name: 'XYZ Corp', plan_id: planId, seat_limit: 10, seats_used: 3, owner_subscription_id: ownerSub }]);
    expect(report.json.by_plan).toEqual([
      { role: 'owner', product_id: ownerPlan.product_id, plan_id: ownerPlan.id, subscriptions: 1, active: 1 },
      { role: 'user', product_id: productId, plan_id: planId, subscriptions: 3, active: 3 },
    ]);
    const one = await api.get(`/groups/${g.id}/report`);
    expect(one.json.by_plan).toEqual(report.json.by_plan);
    // Another tenant's report is empty.
    const other = await groupTenant();
    expect((await other.api.get('/groups/report')).json).toEqual({ groups: [], by_plan: [] });
    expect((await other.api.get(`/groups/${g.id}/report`)).status).toBe(404);
  });
});

import { describe, expect, it } from 'vitest';
import { admin, createTenant, publicApi } from '../helpers';
import { createGroup, groupTenant, ownerSubscription } from '../groups-helpers';

describe('admin groups', () => {
  it('creates a group with normalised ranges and domains', async () => {
    const { tenant, api, planId, productId } = await groupTenant();
    const res = await api.post('/groups', {
      name: 'XYZ Corp',
      plan_id: planId,
      ip_ranges: ['203.0.113.0/24', ' 198.51.100.10-198.51.100.20 ', '2001:DB8:1234::/48', '8.8.4.4', '::ffff:8.8.8.0/120'],
      email_domains: ['XYZ.com', '@xyz.co.uk', 'xyz.com'],
      seat_limit: 5,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({
      name: 'XYZ Corp',
      plan_id: planId,
      product_id: productId,
      ip_ranges: ['8.8.4.4/32', '8.8.8.0/24', '198.51.100.10-198.51.100.20', '203.0.113.0/24', '2001:db8:1234::/48'],
      email_domains: ['xyz.co.uk', 'xyz.com'],
      seat_limit: 5,
      seats_used: 0,
      seats_available: 5,
      owner_subscription_id: null,
    });
    expect(res.json.id).toMatch(/^grp_/);
    const got = await api.get(`/groups/${res.json.id}`);
    // The create answer is the group plus its warnings (none: every range is public).
    const { warnings, ...group } = res.json;
    expect(warnings).toEqual([]);
    expect(got.json).toEqual(group);
    const list = await api.get('/groups');
    expect(list.json.data.map((g: any) => g.id)).toEqual([res.json.id]);
    // Another tenant sees nothing of it.
    const other = admin(await createTenant());
    expect((await other.get(`/groups/${res.json.id}`)).status).toBe(404);
    expect((await other.get('/groups')).json.data).toEqual([]);
    expect((await other.patch(`/groups/${res.json.id}`, { name: 'Mine' })).status).toBe(404);
    expect((await other.delete(`/groups/${res.json.id}`)).status).toBe(404);
    expect((await other.get(`/groups/${res.json.id}/members`)).status).toBe(404);
    void tenant;
  });

  it('answers 4xx naming each malformed entry', async () => {
    const { api, planId } = await groupTenant();
    for (const bad of ['300.1.2.3/24', '10.0.0.5-10.0.0.1', '198.51.100.7/24', 'garbage', '1.2.3.4/33', '', '01.2.3.4']) {
      const res = await api.post('/groups', { name: 'Bad', plan_id: planId, ip_ranges: ['203.0.113.0/24', bad] });
      expect(res.status, bad).toBeGreaterThanOrEqual(400);
      expect(res.status, bad).toBeLessThan(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json.errors, bad).toContainEqual(expect.objectContaining({ path: 'ip_ranges.1' }));
    }
    const typed = await api.post('/groups', { name: 'Bad', plan_id: planId, ip_ranges: [42] });
    expect(typed.status).toBe(400);
    expect(typed.json.errors[0].path).toBe('ip_ranges.0');
    const many = await api.post('/groups', { name: 'Bad', plan_id: planId, ip_ranges: ['garbage', '8.8.8.0/24', '300.0.0.0'] });
    expect(many.json).toMatchObject({ code: 'invalid_ip_range' });
    expect(many.json.errors.map((e: any) => e.path)).toEqual(['ip_ranges.0', 'ip_ranges.2']);
    expect(many.json.errors[0].message).toContain('garbage');
    // Overlaps within one list.
    const self = await api.post('/groups', { name: 'Bad', plan_id: planId, ip_ranges: ['8.8.8.0/24', '8.8.8.128/25'] });
    expect(self.status).toBe(400);
    expect(self.json).toMatchObject({ code: 'ip_range_overlap', errors: [{ path: 'ip_ranges.1' }] });
  });

  it('accepts private, loopback and reserved ranges with a warning each, and broad public ranges only when confirmed', async () => {
    const { tenant, api, planId } = await groupTenant();
    for (const range of ['10.0.0.0/8', '192.168.1.0/24', '172.16.0.1', '127.0.0.1', '169.254.0.0/16', '100.64.0.0/10', '240.0.0.0/4', '::1', 'fc00::/7', 'fe80::/64', '224.0.0.0/24']) {
      const res = await api.post('/groups', { name: `Private ${range}`, plan_id: planId, ip_ranges: [range] });
      expect(res.status, `${range}: ${res.text}`).toBe(201);
      expect(res.json.warnings, range).toEqual([expect.objectContaining({ code: 'ip_range_not_public', ip_range: range })]);
    }
    // They match the requests that do come from them: a local run's loopback client, a private network.
    const local = await publicApi(tenant, { ip: '127.0.0.1' }).get('/access');
    expect(local.json.groups.map((g: any) => [g.name, g.via])).toEqual([['Private 127.0.0.1', 'ip']]);
    const office = await publicApi(tenant, { ip: '10.20.30.40' }).get('/access');
    expect(office.json.groups.map((g: any) => g.name)).toEqual(['Private 10.0.0.0/8']);
    // Overlaps among them are refused like any other.
    const clash = await api.post('/groups', { name: 'Clash', plan_id: planId, ip_ranges: ['10.1.0.0/16'] });
    expect([clash.status, clash.json.code]).toEqual([409, 'ip_range_conflict']);
    const publicOnly = await api.post('/groups', { name: 'Public', plan_id: planId, ip_ranges: ['8.8.4.0/24'] });
    expect(publicOnly.json.warnings).toEqual([]);
    const broad = await api.post('/groups', { name: 'ISP', plan_id: planId, ip_ranges: ['8.8.8.0/24', '11.0.0.0/8', '2606:4700::/31'] });
    expect(broad.status).toBe(422);
    expect(broad.json.code).toBe('ip_range_too_broad');
    expect(broad.json.errors.map((e: any) => e.path)).toEqual(['ip_ranges.1', 'ip_ranges.2']);
    const confirmed = await api.post('/groups', { name: 'ISP', plan_id: planId, ip_ranges: ['11.0.0.0/8', '2606:4700::/31'], confirm_broad_ranges: true });
    expect(confirmed.status, confirmed.text).toBe(201);
    expect(confirmed.json.ip_ranges).toEqual(['11.0.0.0/8', '2606:4700::/31']);
    const slash16 = await api.post('/groups', { name: 'Campus', plan_id: planId, ip_ranges: ['12.34.0.0/16', '2a00:1450::/32'] });
    expect(slash16.status).toBe(201);
  });

  it('refuses free-mail and malformed domains', async () => {
    const { api, planId } = await groupTenant();
    const free = await api.post('/groups', { name: 'Free', plan_id: planId, email_domains: ['xyz.com', 'Gmail.com'] });
    expect(free.status).toBe(400);
    expect(free.json).toMatchObject({ code: 'free_mail_domain', errors: [{ path: 'email_domains.1' }] });
    const bad = await api.post('/groups', { name: 'Bad', plan_id: planId, email_domains: ['not a domain'] });
    expect(bad.json).toMatchObject({ code: 'invalid_email_domain', errors: [{ path: 'email_domains.0' }] });
  });

  it('refuses overlapping ranges of two groups, in either family, naming the other group', async () => {
    const { tenant, api, planId } = await groupTenant();
    const a = await createGroup(tenant, { name: 'Alpha', plan_id: planId, ip_ranges: ['203.0.113.0/24', '2001:db8:aa::/48'], email_domains: ['alpha.com'] });
    const cases: [string, string][] = [
      ['203.0.113.128/25', '203.0.113.0/24'],
      ['203.0.112.0/23', '203.0.113.0/24'],
      ['203.0.113.255-203.0.114.10', '203.0.113.0/24'],
      ['203.0.113.77', '203.0.113.0/24'],
      ['::ffff:203.0.113.5', '203.0.113.0/24'],
      ['2001:db8:aa:1::/64', '2001:db8:aa::/48'],
      ['2001:db8::/32', '2001:db8:aa::/48'],
    ];
    for (const [range, theirs] of cases) {
      const res = await api.post('/groups', { name: 'Beta', plan_id: planId, ip_ranges: ['198.51.100.0/24', range] });
      expect(res.status, range).toBe(409);
      expect(res.json, range).toMatchObject({
        code: 'ip_range_conflict',
        conflict: { group_id: a.id, group_name: 'Alpha', conflicting_range: theirs },
        errors: [{ path: 'ip_ranges.1' }],
      });
      expect(res.json.detail).toContain('Alpha');
    }
    // Nothing of the refused groups was written.
    expect((await api.get('/groups')).json.data).toHaveLength(1);
    // Adjacent ranges are fine.
    const b = await createGroup(tenant, { name: 'Beta', plan_id: planId, ip_ranges: ['203.0.112.255', '203.0.114.0/24', '2001:db8:ab::/48', '2001:db8:a9:ffff:ffff:ffff:ffff:ffff'] });
    expect(b.ip_ranges).toHaveLength(4);
    // A domain held by another group.
    const dup = await api.post('/groups', { name: 'Gamma', plan_id: planId, email_domains: ['ALPHA.com'] });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ code: 'email_domain_conflict', conflict: { group_id: a.id, domain: 'alpha.com' } });
    // Another tenant may hold the same ranges and domains.
    const other = await groupTenant();
    expect((await other.api.post('/groups', { name: 'Alpha too', plan_id: other.planId, ip_ranges: ['203.0.113.0/24'], email_domains: ['alpha.com'] })).status).toBe(201);
  });

  it('updates by replacing lists, keeps everything on a conflict, frees ranges on delete', async () => {
    const { tenant, api, planId } = await groupTenant();
    const a = await createGroup(tenant, { name: 'Alpha', plan_id: planId, ip_ranges: ['203.0.113.0/25'], email_domains: ['alpha.com'] });
    const b = await createGroup(tenant, { name: 'Beta', plan_id: planId, ip_ranges: ['198.51.100.0/24'] });
    // A group may grow over its own old ranges.
    const grown = await api.patch(`/groups/${a.id}`, { ip_ranges: ['203.0.113.0/24'], seat_limit: 10, name: 'Alpha Corp' });
    expect(grown.status, grown.text).toBe(200);
    expect(grown.json).toMatchObject({ name: 'Alpha Corp', ip_ranges: ['203.0.113.0/24'], email_domains: ['alpha.com'], seat_limit: 10 });
    // Not over another's.
    const clash = await api.patch(`/groups/${b.id}`, { ip_ranges: ['198.51.100.0/24', '203.0.113.200'], email_domains: ['beta.com'] });
    expect(clash.status).toBe(409);
    expect(clash.json).toMatchObject({ code: 'ip_range_conflict', conflict: { group_id: a.id }, errors: [{ path: 'ip_ranges.1' }] });
    expect((await api.get(`/groups/${b.id}`)).json).toMatchObject({ ip_ranges: ['198.51.100.0/24'], email_domains: [] });
    const cleared = await api.patch(`/groups/${b.id}`, { seat_limit: null, ip_ranges: [] });
    expect(cleared.json).toMatchObject({ ip_ranges: [], seat_limit: null });
    // Deleting frees the ranges and domains for others.
    expect((await api.delete(`/groups/${a.id}`)).status).toBe(204);
    expect((await api.get(`/groups/${a.id}`)).status).toBe(404);
    expect((await api.delete(`/groups/${a.id}`)).status).toBe(404);
    expect((await api.patch(`/groups/${b.id}`, { ip_ranges: ['203.0.113.0/24'], email_domains: ['alpha.com'] })).status).toBe(200);
  });

  it('checks the plan and the owner subscription belong to the tenant and are apart', async () => {
    const { tenant, api, planId, owners } = await groupTenant();
    const other = await groupTenant();
    const foreignPlan = await api.post('/groups', { name: 'X', plan_id: other.planId });
    expect(foreignPlan.status).toBe(404);
    expect(foreignPlan.json.errors[0].path).toBe('plan_id');
    const unknownOwner = await api.post('/groups', { name: 'X', plan_id: planId, owner_subscription_id: 'sub_nope' });
    expect(unknownOwner.status).toBe(404);
    expect(unknownOwner.json.errors[0].path).toBe('owner_subscription_id');
    const ownerPlan = owners.plans['1y'];
    const ownerSub = await ownerSubscription(tenant.id, ownerPlan);
    // The owner's subscription must be on another product than the group plan's.
    const same = await api.post('/groups', { name: 'X', plan_id: ownerPlan.id, owner_subscription_id: ownerSub });
    expect(same.status).toBe(422);
    expect(same.json.code).toBe('owner_subscription_same_product');
    const ok = await api.post('/groups', { name: 'X', plan_id: planId, owner_subscription_id: ownerSub });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.json.owner_subscription_id).toBe(ownerSub);
    // Another tenant cannot link it.
    const stolen = await other.api.post('/groups', { name: 'Y', plan_id: other.planId, owner_subscription_id: ownerSub });
    expect(stolen.status).toBe(404);
  });

  it('answers 400 for bad bodies and ids, never 500', async () => {
    const { api, planId } = await groupTenant();
    expect((await api.post('/groups', { plan_id: planId })).json.errors[0].path).toBe('name');
    expect((await api.post('/groups', { name: 'X', plan_id: planId, seat_limit: 0 })).json.errors[0].path).toBe('seat_limit');
    expect((await api.post('/groups', { name: 'X', plan_id: planId, ip_ranges: '1.2.3.4' })).status).toBe(400);
    expect((await api.post('/groups', { name: 'X', plan_id: planId, unknown: 1 })).status).toBe(400);
    expect((await api.get('/groups/not-an-id')).status).toBe(400);
    const raw = await api.raw('POST', '/groups', '{"name":', 'application/json');
    expect(raw.status).toBe(400);
  });
});

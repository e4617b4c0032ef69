import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { admin, call, createCatalog, createTenant, publicApi, userToken } from '../helpers';
import { asUser, createOffer } from '../offers-helpers';
import { csvRows, waitForJob } from '../bulk-helpers';
import type { TestTenant } from '../helpers';
import { createGroup, groupTenant, member } from '../groups-helpers';

/** The publisher's backend took the payment: the pending subscription becomes active. */
async function activate(tenant: TestTenant, res: { status: number; json: any; text: string }) {
  expect(res.status, res.text).toBe(201);
  const a = await admin(tenant).post(`/subscriptions/${res.json.id}/activate`, {});
  expect(a.status, a.text).toBe(200);
  return a;
}

describe('POST /v1/subscriptions (checkout)', () => {
  it('subscribes with a code, counts the avail, and refuses a second live subscription on the product', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant, { durations: ['1m'], price: 10_000 });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, discount: { type: 'percent', value: 12.5 } });
    const alice = await asUser(tenant, 'alice');
    await alice.get('/plans'); // warms the key cache: auth then costs no round trip
    const res = await alice.post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code.toLowerCase() });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ user_id: 'alice', plan_id: plans['1m'].id, status: 'pending', offer_id: offer.id, code: offer.code, cycle: 1, discounted_cycles: 1, price: 10_000, discount: 1250, amount_due: 8750, reactivation: false });
    // Something is due: pending, holding its counts for the tenant's checkout_hold_minutes (30 by default).
    expect(Date.parse(res.json.hold_expires_at) - Date.parse(res.json.created_at)).toBe(30 * 60_000);
    expect(res.headers.get('X-D1-Round-Trips')).toBe('2');
    const again = await alice.post('/subscriptions', { plan_id: plans['1m'].id });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('already_subscribed');
    const stats = await admin(tenant).get(`/offers/${offer.id}/stats`);
    expect(stats.json).toMatchObject({ redemptions: 1, users_availed: 1, discounted_renewals: 0, by_plan: [{ plan_id: plans['1m'].id, product_id: product.id, redemptions: 1, users_availed: 1 }] });
  });

  it('requires a user token', async () => {
    const tenant = await createTenant();
    const { plans } = await createCatalog(tenant);
    const res = await publicApi(tenant).post('/subscriptions', { plan_id: plans['1m'].id });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe('login_required');
  });

  it('honours Idempotency-Key: same body replays, another body is refused', async () => {
    const tenant = await createTenant();
    const { plans } = await createCatalog(tenant, { durations: ['1m', '1y'] });
    const bob = await asUser(tenant, 'bob');
    const first = await bob.post('/subscriptions', { plan_id: plans['1m'].id }, { 'Idempotency-Key': 'k1' });
    expect(first.status).toBe(201);
    const second = await bob.post('/subscriptions', { plan_id: plans['1m'].id }, { 'Idempotency-Key': 'k1' });
    expect(second.status).toBe(201);
    expect(second.json).toEqual(first.json);
    const other = await bob.post('/subscriptions', { plan_id: plans['1y'].id }, { 'Idempotency-Key': 'k1' });
    expect(other.status).toBe(422);
    expect(other.json.code).toBe('idempotency_key_reuse');
    // Concurrent retries of one key make one subscription.
    const carol = await asUser(tenant, 'carol');
    const all = await Promise.all(Array.from({ length: 10 }, () => carol.post('/subscriptions', { plan_id: plans['1m'].id }, { 'Idempotency-Key': 'same' })));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(all.map((r) => r.json.id)).size).toBe(1);
  });

  it('answers the spec 422 codes', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant, { durations: ['1m', '1y'] });
    const other = await createCatalog(tenant, { durations: ['1m'] });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] } });
    const dave = await asUser(tenant, 'dave');
    const cases: [Record<string, unknown>, string][] = [
      [{ plan_id: plans['1m'].id, code: 'NOPE123' }, 'code_not_found'],
      [{ plan_id: plans['1m'].id, code: 'bad-code!' }, 'code_invalid_format'],
      [{ plan_id: plans['1y'].id, code: offer.code }, 'not_applicable'],
      [{ plan_id: other.plans['1m'].id, code: offer.code }, 'not_applicable'],
    ];
    for (const [body, code] of cases) {
      const res = await dave.post('/subscriptions', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.code).toBe(code);
    }
    const unknownPlan = await dave.post('/subscriptions', { plan_id: 'plan_unknown', code: offer.code });
    expect(unknownPlan.status).toBe(404);
    expect(unknownPlan.json.errors[0].path).toBe('plan_id');
  });
});

describe('limits under concurrency', () => {
  it('200 concurrent checkouts on a code with max_redemptions 50 make exactly 50 subscriptions', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant);
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, max_redemptions: 50, discount: { type: 'percent', value: 100 } });
    // 200 buyers on 200 IPs (one IP sending 200 codes at once meets the code-guessing limiter's in-flight bound).
    const users = await Promise.all(Array.from({ length: 200 }, async (_, i) => publicApi(tenant, { userToken: await userToken(tenant, { sub: `u${i}` }), ip: `198.51.100.${i}` })));
    await users[0]!.get('/plans'); // warm the key cache: the round trips below are the checkout's own
    const results = await Promise.all(users.map((u) => u.post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code })));
    // At most two round trips each, refused ones included (the write batch re-reads to name the reason).
    expect(Math.max(...results.map((r) => Number(r.headers.get('X-D1-Round-Trips'))))).toBeLessThanOrEqual(2);
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(50);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 422 && r.json.code === 'redemptions_exhausted')).toBe(true);
    const stats = await admin(tenant).get(`/offers/${offer.id}/stats`);
    expect(stats.json).toMatchObject({ redemptions: 50, users_availed: 50 });
    const quote = await publicApi(tenant).post('/quotes', { plan_id: plans['1m'].id, code: offer.code });
    expect(quote.json.code).toBe('redemptions_exhausted');
  });

  it('avail_limit_per_product holds under concurrency (one user, many checkouts)', async () => {
    const tenant = await createTenant();
    const a = await createCatalog(tenant, { durations: ['1m', '3m'], name: 'sc1' });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [a.product.id], durations: ['1m', '3m'] }, avail_limit_per_product: 2 });
    const erin = await asUser(tenant, 'erin');
    // Each round: 10 concurrent checkouts; exactly one wins (one live subscription per product); then cancel.
    let wins = 0;
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => erin.post('/subscriptions', { plan_id: a.plans[i % 2 ? '3m' : '1m'].id, code: offer.code })));
      const ok = results.filter((r) => r.status === 201);
      if (round < 2) expect(ok).toHaveLength(1);
      else expect(ok).toHaveLength(0);
      if (round === 2) expect(results.every((r) => r.json.code === 'avail_limit_reached')).toBe(true);
      for (const r of ok) {
        wins++;
        await activate(tenant, r);
        expect((await admin(tenant).post(`/subscriptions/${r.json.id}/cancel`)).status).toBe(200);
      }
    }
    expect(wins).toBe(2);
  });

  it('avail_limit_total holds under concurrency across products', async () => {
    const tenant = await createTenant();
    const catalogs = await Promise.all([1, 2, 3, 4].map((i) => createCatalog(tenant, { name: `p${i}` })));
    const offer = await createOffer(tenant, { applies_to: { product_ids: catalogs.map((c) => c.product.id), durations: ['1m'] }, avail_limit_total: 2 });
    const fay = await asUser(tenant, 'fay');
    const results = await Promise.all(catalogs.flatMap((c) => [0, 1, 2].map(() => fay.post('/subscriptions', { plan_id: c.plans['1m'].id, code: offer.code }))));
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(2);
    expect((await admin(tenant).get(`/offers/${offer.id}/stats`)).json).toMatchObject({ redemptions: 2, users_availed: 1 });
  });
});

describe('sc1/sc2 example of the spec', () => {
  async function setup(limits: Record<string, number>) {
    const tenant = await createTenant();
    const sc1 = await createCatalog(tenant, { durations: ['1m', '3m'], name: 'sc1', price: 1000 });
    const sc2 = await createCatalog(tenant, { durations: ['1m', '3m'], name: 'sc2', price: 1000 });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [sc1.product.id, sc2.product.id], durations: ['1m', '3m'] }, discount: { type: 'percent', value: 50 }, ...limits });
    const user = await asUser(tenant, 'subscriber');
    // Each paid checkout is activated (its payment taken), as the publisher's backend would.
    const checkout = async (plan: any) => {
      const res = await user.post('/subscriptions', { plan_id: plan.id, code: offer.code });
      if (res.status === 201) await activate(tenant, res);
      return res;
    };
    const cancel = (id: string) => admin(tenant).post(`/subscriptions/${id}/cancel`);
    return { tenant, sc1, sc2, offer, checkout, cancel };
  }

  it('avail_limit_per_product 2: twice on sc1 (1m, then 3m after unsubscribing) and twice on sc2', async () => {
    const { sc1, sc2, checkout, cancel } = await setup({ avail_limit_per_product: 2 });
    const first = await checkout(sc1.plans['1m']);
    expect(first.status).toBe(201);
    await cancel(first.json.id);
    const second = await checkout(sc1.plans['3m']);
    expect(second.status).toBe(201);
    expect(second.json.reactivation).toBe(true);
    await cancel(second.json.id);
    const third = await checkout(sc1.plans['1m']);
    expect(third.status).toBe(422);
    expect(third.json.code).toBe('avail_limit_reached');
    const s1 = await checkout(sc2.plans['1m']);
    expect(s1.status).toBe(201);
    await cancel(s1.json.id);
    expect((await checkout(sc2.plans['3m'])).status).toBe(201);
  });

  it('avail_limit_total 2: sc1 + 3m and sc2 + 1m, then nothing more', async () => {
    const { sc1, sc2, checkout } = await setup({ avail_limit_total: 2 });
    expect((await checkout(sc1.plans['3m'])).status).toBe(201);
    expect((await checkout(sc2.plans['1m'])).status).toBe(201);
  });

  it('avail_limit_total 2: sc1 + 1m and later sc1 + 3m, then sc2 is refused', async () => {
    const { sc1, sc2, checkout, cancel } = await setup({ avail_limit_total: 2 });
    const a = await checkout(sc1.plans['1m']);
    await cancel(a.json.id);
    const b = await checkout(sc1.plans['3m']);
    expect(b.status).toBe(201);
    const c = await checkout(sc2.plans['1m']);
    expect(c.status).toBe(422);
    expect(c.json.code).toBe('avail_limit_reached');
  });

  it('subscription_limit 2: the first month and the first renewal are discounted, full price after', async () => {
    const { tenant, sc1, offer, checkout } = await setup({ subscription_limit: 2 });
    const sub = await checkout(sc1.plans['1m']);
    expect(sub.json).toMatchObject({ cycle: 1, discount: 500, amount_due: 500, discounted_cycles: 1 });
    const r1 = await admin(tenant).post(`/subscriptions/${sub.json.id}/renew`, {});
    expect(r1.status, r1.text).toBe(200);
    expect(r1.json).toMatchObject({ cycle: 2, discount: 500, amount_due: 500, discounted_cycles: 2 });
    const bad = await admin(tenant).post(`/subscriptions/${sub.json.id}/renew`, { grace: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('grace');
    const r2 = await admin(tenant).post(`/subscriptions/${sub.json.id}/renew`, { grace: true });
    expect(r2.json).toMatchObject({ cycle: 3, discount: 0, amount_due: 1000, discounted_cycles: 2 });
    const stats = await admin(tenant).get(`/offers/${offer.id}/stats`);
    expect(stats.json).toMatchObject({ redemptions: 1, discounted_renewals: 1 });
  });

  it('subscription_limit 1: only the first month is discounted', async () => {
    const { tenant, sc1, checkout } = await setup({ subscription_limit: 1 });
    const sub = await checkout(sc1.plans['1m']);
    // No body at all, or an empty JSON body, is an automatic renewal.
    const r1 = await call('POST', `/admin/v1/subscriptions/${sub.json.id}/renew`, { key: tenant.secret_key, raw: '', headers: { 'Content-Type': 'application/json' } });
    expect(r1.json).toMatchObject({ cycle: 2, discount: 0, amount_due: 1000, discounted_cycles: 1 });
  });

  it('a renewal keeps the discount after the offer ended', async () => {
    const { tenant, sc1, offer, checkout } = await setup({});
    const sub = await checkout(sc1.plans['1m']);
    expect((await admin(tenant).delete(`/offers/${offer.id}`)).status).toBe(204);
    const r1 = await admin(tenant).post(`/subscriptions/${sub.json.id}/renew`, {});
    expect(r1.json).toMatchObject({ cycle: 2, discount: 500, amount_due: 500 });
    const newUser = await asUser(tenant, 'late');
    const late = await newUser.post('/subscriptions', { plan_id: sc1.plans['1m'].id, code: offer.code });
    expect(late.json.code).toBe('offer_expired');
  });
});

describe('void', () => {
  it('releases every count, idempotently', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant);
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, max_redemptions: 1, avail_limit_total: 1 });
    const gus = await asUser(tenant, 'gus');
    const sub = await gus.post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code });
    expect(sub.status).toBe(201);
    const other = await asUser(tenant, 'hal');
    expect((await other.post('/quotes', { plan_id: plans['1m'].id, code: offer.code })).json.code).toBe('redemptions_exhausted');
    const v1 = await admin(tenant).post(`/subscriptions/${sub.json.id}/void`);
    expect(v1.status).toBe(200);
    const v2 = await admin(tenant).post(`/subscriptions/${sub.json.id}/void`);
    expect(v2.status).toBe(200);
    expect(v2.json).toEqual(v1.json);
    expect((await admin(tenant).get(`/subscriptions/${sub.json.id}`)).status).toBe(404);
    expect((await admin(tenant).get(`/offers/${offer.id}/stats`)).json).toMatchObject({ redemptions: 0, users_availed: 0, by_plan: [] });
    // The same user may avail it again (the avail came back), and so the count is 1 again.
    const again = await gus.post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code });
    expect(again.status, again.text).toBe(201);
    expect(again.json.reactivation).toBe(false);
  });

  it('concurrent voids give back once', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant);
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] } });
    const subs: any[] = [];
    for (const u of ['a', 'b']) subs.push((await (await asUser(tenant, u)).post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code })).json);
    const voids = await Promise.all(Array.from({ length: 8 }, () => admin(tenant).post(`/subscriptions/${subs[0].id}/void`)));
    expect(voids.every((v) => v.status === 200)).toBe(true);
    expect((await admin(tenant).get(`/offers/${offer.id}/stats`)).json).toMatchObject({ redemptions: 1, users_availed: 1 });
  });
});

describe('tenant isolation', () => {
  it('tenant B cannot see, quote, redeem or change tenant A offers, codes or subscriptions', async () => {
    const a = await createTenant();
    const b = await createTenant();
    const ca = await createCatalog(a);
    const cb = await createCatalog(b);
    const offer = await createOffer(a, { applies_to: { product_ids: [ca.product.id], durations: ['1m'] } });
    const sub = (await (await asUser(a, 'x')).post('/subscriptions', { plan_id: ca.plans['1m'].id, code: offer.code })).json;
    expect((await admin(b).get(`/offers/${offer.id}`)).status).toBe(404);
    expect((await admin(b).patch(`/offers/${offer.id}`, { discoverability: 'private' })).status).toBe(404);
    expect((await admin(b).delete(`/offers/${offer.id}`)).status).toBe(404);
    expect((await admin(b).get(`/offers/${offer.id}/stats`)).status).toBe(404);
    expect((await admin(b).post(`/subscriptions/${sub.id}/void`)).status).toBe(404);
    expect((await admin(b).post(`/subscriptions/${sub.id}/renew`, {})).status).toBe(404);
    expect((await admin(b).post(`/subscriptions/${sub.id}/cancel`)).status).toBe(404);
    expect((await admin(b).get(`/subscriptions/${sub.id}`)).status).toBe(404);
    expect((await admin(b).get(`/plans/${ca.plans['1m'].id}/offers`)).status).toBe(404);
    expect((await admin(b).get('/offers')).json.data).toEqual([]);
    expect((await publicApi(b).get('/offers')).json.data).toEqual([]);
    expect((await publicApi(b).post('/quotes', { plan_id: cb.plans['1m'].id, code: offer.code })).json.code).toBe('code_not_found');
    expect((await publicApi(b).post('/quotes', { plan_id: ca.plans['1m'].id })).status).toBe(404);
    const redeem = await (await asUser(b, 'x')).post('/subscriptions', { plan_id: cb.plans['1m'].id, code: offer.code });
    expect(redeem.json.code).toBe('code_not_found');
    // B may use the same code text for its own offer: codes are unique per tenant.
    const mine = await createOffer(b, { code: offer.code, applies_to: { product_ids: [cb.product.id], durations: ['1m'] } });
    expect(mine.code).toBe(offer.code);
  });
});

describe('generated code sets end to end', () => {
  it('each generated code is single use, and comes back on void', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant);
    const res = await admin(tenant).post('/offers', {
      code_set: { count: 3, prefix: 'team' },
      discount: { type: 'percent', value: 100 },
      applies_to: { product_ids: [product.id], durations: ['1m'] },
      starts_at: new Date().toISOString().slice(0, 10),
      ends_at: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      eligibility: 'all',
      discoverability: 'private',
    });
    expect(res.status, res.text).toBe(201);
    await waitForJob(tenant, res.json.job.id);
    const codes = csvRows((await admin(tenant).get(`/offers/${res.json.id}/codes.csv`)).text).slice(1).map((r) => r[0]!);
    expect(codes).toHaveLength(3);
    const [a, b] = [await asUser(tenant, 'a'), await asUser(tenant, 'b')];
    const first = await a.post('/subscriptions', { plan_id: plans['1m'].id, code: codes[0]!.toLowerCase() });
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({ amount_due: 0, code: codes[0] });
    const reuse = await b.post('/subscriptions', { plan_id: plans['1m'].id, code: codes[0] });
    expect(reuse.status).toBe(422);
    expect(reuse.json.code).toBe('redemptions_exhausted');
    expect((await b.post('/subscriptions', { plan_id: plans['1m'].id, code: codes[1] })).status).toBe(201);
    await admin(tenant).post(`/subscriptions/${first.json.id}/void`);
    const c = await asUser(tenant, 'c');
    expect((await c.post('/subscriptions', { plan_id: plans['1m'].id, code: codes[0] })).status).toBe(201);
    expect((await admin(tenant).get(`/offers/${res.json.id}/stats`)).json).toMatchObject({ redemptions: 2, users_availed: 2 });
  });
});

describe('one live subscription per product, whatever the way in', () => {
  it('a checkout then a group claim on the same product is refused already_subscribed (and the reverse order too)', async () => {
    const { tenant, api, planId, productId } = await groupTenant();
    const paid = await api.post('/plans', { product_id: productId, name: 'Paid 1m', duration: '1m', price: 900, currency: 'INR' });
    expect(paid.status, paid.text).toBe(201);
    const group = await createGroup(tenant, { name: 'XYZ', plan_id: planId, email_domains: ['xyz.com'] });
    await env.DB.prepare("INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret_salt, created_at, updated_at) VALUES (?, ?, 'https://127.0.0.1:9/hook', '[\"group.claimed\"]', 'salt', 0, 0)")
      .bind(`we_${tenant.id}`, tenant.id)
      .run();
    // A free checkout on the group's own plan, then the claim.
    const ann = await member(tenant, { sub: 'ann', email: 'ann@xyz.com', verified: true });
    expect((await ann.post('/subscriptions', { plan_id: planId })).json.status).toBe('active');
    const claim = await ann.post('/access/claim', { group_id: group.id });
    expect(claim.status, claim.text).toBe(409);
    expect(claim.json.code).toBe('already_subscribed');
    // A pending (paid) checkout holds the product slot too.
    const bob = await member(tenant, { sub: 'bob', email: 'bob@xyz.com', verified: true });
    expect((await bob.post('/subscriptions', { plan_id: paid.json.id })).json.status).toBe('pending');
    expect((await bob.post('/access/claim', { group_id: group.id })).json.code).toBe('already_subscribed');
    // The reverse order: claimed first, then a checkout on the product.
    const cat = await member(tenant, { sub: 'cat', email: 'cat@xyz.com', verified: true });
    expect((await cat.post('/access/claim', { group_id: group.id })).status).toBe(201);
    expect((await cat.post('/subscriptions', { plan_id: paid.json.id })).json.code).toBe('already_subscribed');
    // One group.claimed event, from the one claim that was made, carrying its subscription.
    const claimed = await env.DB.prepare("SELECT payload FROM webhook_events WHERE tenant_id = ? AND type = 'group.claimed'").bind(tenant.id).all<{ payload: string }>();
    expect(claimed.results.map((e) => JSON.parse(e.payload).data.object)).toEqual([expect.objectContaining({ user_id: 'cat', group_id: group.id, status: 'active', source: 'group' })]);
    // Seats were not taken by the refused claims.
    expect((await api.get(`/groups/${group.id}`)).json).toMatchObject({ seats_used: 1 });
    const rows = await env.DB.prepare(
      "SELECT user_id, count(*) AS n FROM subscriptions WHERE tenant_id = ? AND status IN ('active', 'grace', 'pending') GROUP BY user_id ORDER BY user_id",
    )
      .bind(tenant.id)
      .all();
    expect(rows.results).toEqual([
      { user_id: 'ann', n: 1 },
      { user_id: 'bob', n: 1 },
      { user_id: 'cat', n: 1 },
    ]);
  });
});

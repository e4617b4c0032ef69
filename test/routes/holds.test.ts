import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { admin, createCatalog, createTenant, publicApi, userToken, type TestTenant } from '../helpers';
import { asUser, createOffer } from '../offers-helpers';
import { csvRows, waitForJob } from '../bulk-helpers';
import { sweepExpiredHolds } from '../../worker/jobs/hold-sweep';
import { createGroup, groupTenant, member } from '../groups-helpers';

/**
 * Checkout holds (SPEC "Checkout holds"): time is moved with a faked Date; the worker runs in
 * the test's isolate (@cloudflare/vitest-plugin), so its Date.now() follows — checked below.
 */
let clock = 0;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  clock = Date.parse('2031-03-01T10:00:00.000Z');
  vi.setSystemTime(clock);
});
afterEach(() => {
  vi.useRealTimers();
});
const advance = (ms: number) => {
  clock += ms;
  vi.setSystemTime(clock);
};

async function holdTenant(minutes: number) {
  const tenant = await createTenant();
  const patched = await admin(tenant).patch('/tenant', { checkout_hold_minutes: minutes });
  expect(patched.status, patched.text).toBe(200);
  return tenant;
}

/**
 * A signed-in subscriber on an IP of their own, as 200 real buyers are (200 from one office IP
 * are tested in code-guessing.test.ts).
 */
const atOwnIp = async (tenant: TestTenant, sub: string, i: number) =>
  publicApi(tenant, { userToken: await userToken(tenant, { sub }), ip: `198.51.${100 + (i >> 8)}.${i & 255}` });

const stats = async (tenant: TestTenant, offerId: string) => (await admin(tenant).get(`/offers/${offerId}/stats`)).json;

/** What the exports say about an offer: its avails, and the subscriptions by status. */
async function exported(tenant: TestTenant, offerId: string) {
  const red = csvRows((await admin(tenant).get('/exports/redemptions.csv')).text);
  const head = red[0]!;
  const avails = red.slice(1).filter((r) => r[head.indexOf('offer_id')] === offerId && r[head.indexOf('kind')] === 'avail');
  const subs = csvRows((await admin(tenant).get('/exports/subscriptions.csv')).text);
  const sh = subs[0]!;
  const byStatus: Record<string, number> = {};
  for (const r of subs.slice(1)) if (r[sh.indexOf('offer_id')] === offerId) byStatus[r[sh.indexOf('status')]!] = (byStatus[r[sh.indexOf('status')]!] ?? 0) + 1;
  return { avails: avails.length, users: new Set(avails.map((r) => r[head.indexOf('user_id')])).size, byStatus };
}

describe('checkout holds', () => {
  it('the worker sees the faked clock', async () => {
    const tenant = await holdTenant(1);
    const { plans } = await createCatalog(tenant, { price: 1000 });
    const res = await (await asUser(tenant, 'clock')).post('/subscriptions', { plan_id: plans['1m'].id });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ status: 'pending', created_at: new Date(clock).toISOString(), hold_expires_at: new Date(clock + 60_000).toISOString() });
  });

  it('200 concurrent checkouts on max_redemptions 50, 1-minute hold: 50 pending; activate 20; after expiry exactly 30 more, then redemptions_exhausted', async () => {
    const tenant = await holdTenant(1);
    const { product, plans } = await createCatalog(tenant, { price: 1000 });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, max_redemptions: 50, discount: { type: 'percent', value: 20 } });
    const users = await Promise.all(Array.from({ length: 200 }, (_, i) => atOwnIp(tenant, `u${i}`, i)));
    await users[0]!.get('/plans'); // warm the key cache: the round trips below are the checkout's own
    const results = await Promise.all(users.map((u) => u.post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code })));
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(50);
    expect(created.every((r) => r.json.status === 'pending' && r.json.amount_due === 800)).toBe(true);
    expect(new Set(results.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.json?.code}`))).toEqual(new Set(['422 redemptions_exhausted']));
    expect(Math.max(...results.map((r) => Number(r.headers.get('X-D1-Round-Trips'))))).toBeLessThanOrEqual(2);
    expect(await stats(tenant, offer.id)).toMatchObject({ redemptions: 50, users_availed: 50 });
    expect(await exported(tenant, offer.id)).toEqual({ avails: 50, users: 50, byStatus: { pending: 50 } });

    // The payment of 20 succeeds.
    advance(30_000);
    const paid = created.slice(0, 20);
    const activated = await Promise.all(paid.map((r) => admin(tenant).post(`/subscriptions/${r.json.id}/activate`, { payment_reference: `pi_${r.json.id}` })));
    expect(activated.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(activated[0]!.json).toMatchObject({ status: 'active', payment_reference: `pi_${paid[0]!.json.id}` });
    expect(await stats(tenant, offer.id)).toMatchObject({ redemptions: 50, users_availed: 50 });
    expect(await exported(tenant, offer.id)).toEqual({ avails: 50, users: 50, byStatus: { pending: 30, active: 20 } });
    expect((await publicApi(tenant).post('/quotes', { plan_id: plans['1m'].id, code: offer.code })).json.code).toBe('redemptions_exhausted');

    // The holds of the other 30 end: their counts are back at that instant, no sweep has run.
    advance(30_000);
    expect(await stats(tenant, offer.id)).toMatchObject({ redemptions: 20, users_availed: 20 });
    expect((await admin(tenant).get(`/offers/${offer.id}`)).json).toMatchObject({ redemptions: 20, users_availed: 20 });
    expect((await admin(tenant).get('/offers')).json.data).toEqual([expect.objectContaining({ id: offer.id, redemptions: 20, users_availed: 20 })]);
    expect(await exported(tenant, offer.id)).toEqual({ avails: 20, users: 20, byStatus: { hold_expired: 30, active: 20 } });
    expect((await publicApi(tenant).post('/quotes', { plan_id: plans['1m'].id, code: offer.code })).status).toBe(200);
    const late = await admin(tenant).post(`/subscriptions/${created[25]!.json.id}/activate`, {});
    expect(late.status).toBe(409);
    expect(late.json.code).toBe('hold_expired');
    expect((await admin(tenant).get(`/subscriptions/${created[25]!.json.id}`)).json.status).toBe('hold_expired');

    // 40 new buyers at once: exactly the 30 returned redemptions are taken.
    const others = await Promise.all(Array.from({ length: 41 }, (_, i) => atOwnIp(tenant, `late${i}`, 200 + i)));
    const second = await Promise.all(others.slice(0, 40).map((u) => u.post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code })));
    expect(second.filter((r) => r.status === 201)).toHaveLength(30);
    expect(new Set(second.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.json?.code}`))).toEqual(new Set(['422 redemptions_exhausted']));
    const thirtyFirst = await others[40]!.post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code });
    expect(thirtyFirst.status).toBe(422);
    expect(thirtyFirst.json.code).toBe('redemptions_exhausted');
    expect(await stats(tenant, offer.id)).toMatchObject({ redemptions: 50, users_availed: 50 });
    expect(await exported(tenant, offer.id)).toEqual({ avails: 50, users: 50, byStatus: { hold_expired: 30, active: 20, pending: 30 } });
    expect(Math.max(...second.map((r) => Number(r.headers.get('X-D1-Round-Trips'))))).toBeLessThanOrEqual(2);

    // The sweep catches up: nothing left to release (the checkouts did), and it changes no count.
    await sweepExpiredHolds(env, Date.now());
    await sweepExpiredHolds(env, Date.now());
    expect(await stats(tenant, offer.id)).toMatchObject({ redemptions: 50, users_availed: 50 });
    const rows = await env.DB.prepare("SELECT status, count(*) AS n, sum(hold_expiry_notified) AS notified FROM subscriptions WHERE tenant_id = ? GROUP BY status ORDER BY status")
      .bind(tenant.id)
      .all<{ status: string; n: number; notified: number }>();
    expect(rows.results).toEqual([
      { status: 'active', n: 20, notified: 0 },
      { status: 'hold_expired', n: 30, notified: 30 },
      { status: 'pending', n: 30, notified: 0 },
    ]);
    const offerRow = await env.DB.prepare('SELECT redemptions_count, users_availed_count FROM offers WHERE id = ?').bind(offer.id).first();
    expect(offerRow).toEqual({ redemptions_count: 50, users_availed_count: 50 });
  });

  it('an activation that started before the hold ended loses to a checkout that already took the returned seat', async () => {
    // The database is the arbiter: the checkout that counted the hold as returned released it
    // in its own batch, so an activation arriving afterwards (its clock still before the end)
    // finds it hold_expired instead of selling the seat twice.
    const tenant = await holdTenant(1);
    const { product, plans } = await createCatalog(tenant, { price: 1000 });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, max_redemptions: 1 });
    const first = await (await asUser(tenant, 'first')).post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code });
    expect(first.json.status).toBe('pending');
    advance(60_000); // the hold's end
    const second = await (await asUser(tenant, 'second')).post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code });
    expect(second.status, second.text).toBe(201);
    advance(-1); // an activate whose request was stamped 1 ms before the end, arriving after
    const late = await admin(tenant).post(`/subscriptions/${first.json.id}/activate`, {});
    expect(late.status).toBe(409);
    expect(late.json.code).toBe('hold_expired');
    expect(await stats(tenant, offer.id)).toMatchObject({ redemptions: 1, users_availed: 1 });
  });

  it("a pending checkout takes the product slot from a group claim until its hold ends", async () => {
    const { tenant, api, planId, productId } = await groupTenant();
    expect((await api.patch('/tenant', { checkout_hold_minutes: 1 })).status).toBe(200);
    const paid = await api.post('/plans', { product_id: productId, name: 'Paid', duration: '1m', price: 900, currency: 'INR' });
    const group = await createGroup(tenant, { name: 'XYZ', plan_id: planId, email_domains: ['xyz.com'], seat_limit: 1 });
    const dan = await member(tenant, { sub: 'dan', email: 'dan@xyz.com', verified: true });
    const pending = await dan.post('/subscriptions', { plan_id: paid.json.id });
    expect(pending.json.status).toBe('pending');
    expect((await dan.post('/access/claim', { group_id: group.id })).json.code).toBe('already_subscribed');
    advance(60_000);
    const claim = await dan.post('/access/claim', { group_id: group.id });
    expect(claim.status, claim.text).toBe(201);
    // The claim's own batch released the lapsed hold (its read saw it; no sweep has run).
    expect((await env.DB.prepare('SELECT status FROM subscriptions WHERE id = ?').bind(pending.json.id).first<{ status: string }>())!.status).toBe('hold_expired');
    expect((await api.get(`/subscriptions/${pending.json.id}`)).json.status).toBe('hold_expired');
    expect((await api.post(`/subscriptions/${pending.json.id}/activate`, {})).json.code).toBe('hold_expired');
    expect((await api.get(`/groups/${group.id}`)).json.seats_used).toBe(1);
  });

  it('the sweep racing activations: before the end every activate wins, after it every activate is refused; counts come back once', async () => {
    const tenant = await holdTenant(1);
    const { product, plans } = await createCatalog(tenant, { price: 1000 });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, max_redemptions: 10 });
    const subs = await Promise.all(Array.from({ length: 6 }, async (_, i) => (await (await asUser(tenant, `s${i}`)).post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code })).json));
    advance(59_999);
    const before = await Promise.all([sweepExpiredHolds(env, Date.now()), ...subs.slice(0, 3).map((s) => admin(tenant).post(`/subscriptions/${s.id}/activate`, {}))]);
    expect(before.slice(1).map((r: any) => r.status)).toEqual([200, 200, 200]);
    advance(1);
    const after = await Promise.all([
      sweepExpiredHolds(env, Date.now()),
      sweepExpiredHolds(env, Date.now()),
      ...subs.slice(3).map((s) => admin(tenant).post(`/subscriptions/${s.id}/activate`, {})),
    ]);
    expect(after.slice(2).map((r: any) => `${r.status} ${r.json.code}`)).toEqual(Array(3).fill('409 hold_expired'));
    expect(await stats(tenant, offer.id)).toMatchObject({ redemptions: 3, users_availed: 3 });
    expect(await env.DB.prepare('SELECT redemptions_count, users_availed_count FROM offers WHERE id = ?').bind(offer.id).first()).toEqual({ redemptions_count: 3, users_availed_count: 3 });
  });

  it('a single-use code comes back after an expired hold', async () => {
    const tenant = await holdTenant(5);
    const { product, plans } = await createCatalog(tenant, { price: 1000 });
    const res = await admin(tenant).post('/offers', {
      code_set: { count: 1 },
      discount: { type: 'percent', value: 50 },
      applies_to: { product_ids: [product.id], durations: ['1m'] },
      starts_at: '2031-03-01',
      ends_at: '2031-04-01',
      eligibility: 'all',
      discoverability: 'private',
    });
    expect(res.status, res.text).toBe(201);
    await waitForJob(tenant, res.json.job.id);
    const code = csvRows((await admin(tenant).get(`/offers/${res.json.id}/codes.csv`)).text)[1]![0]!;
    const a = await (await asUser(tenant, 'a')).post('/subscriptions', { plan_id: plans['1m'].id, code });
    expect(a.json).toMatchObject({ status: 'pending', amount_due: 500 });
    const b = await asUser(tenant, 'b');
    expect((await b.post('/subscriptions', { plan_id: plans['1m'].id, code })).json.code).toBe('redemptions_exhausted');
    advance(5 * 60_000 - 1);
    expect((await b.post('/quotes', { plan_id: plans['1m'].id, code })).json.code).toBe('redemptions_exhausted');
    advance(1);
    expect((await b.post('/quotes', { plan_id: plans['1m'].id, code })).status).toBe(200);
    const again = await b.post('/subscriptions', { plan_id: plans['1m'].id, code });
    expect(again.status, again.text).toBe(201);
    expect((await admin(tenant).post(`/subscriptions/${a.json.id}/activate`, {})).json.code).toBe('hold_expired');
    expect((await admin(tenant).post(`/subscriptions/${again.json.id}/activate`, {})).json.status).toBe('active');
    expect(await stats(tenant, res.json.id)).toMatchObject({ redemptions: 1, users_availed: 1 });
  });

  it("per-user avail limits and the user's slot on the product come back after an expired hold", async () => {
    const tenant = await holdTenant(1);
    const sc1 = await createCatalog(tenant, { durations: ['1m', '3m'], price: 1000, name: 'sc1' });
    const sc2 = await createCatalog(tenant, { durations: ['1m'], price: 1000, name: 'sc2' });
    const offer = await createOffer(tenant, {
      applies_to: { product_ids: [sc1.product.id, sc2.product.id], durations: ['1m', '3m'] },
      avail_limit_per_product: 1,
      avail_limit_total: 1,
    });
    const ann = await asUser(tenant, 'ann');
    const first = await ann.post('/subscriptions', { plan_id: sc1.plans['1m'].id, code: offer.code });
    expect(first.json.status).toBe('pending');
    expect((await ann.post('/subscriptions', { plan_id: sc1.plans['3m'].id })).json.code).toBe('already_subscribed');
    expect((await ann.post('/quotes', { plan_id: sc2.plans['1m'].id, code: offer.code })).json.code).toBe('avail_limit_reached');
    advance(60_000);
    // Counts and slot are back: a quote on sc2, and a checkout on sc1 (not a reactivation: the hold never became a subscription).
    expect((await ann.post('/quotes', { plan_id: sc2.plans['1m'].id, code: offer.code })).status).toBe(200);
    const second = await ann.post('/subscriptions', { plan_id: sc1.plans['3m'].id, code: offer.code });
    expect(second.status, second.text).toBe(201);
    expect(second.json).toMatchObject({ status: 'pending', reactivation: false });
    expect((await admin(tenant).post(`/subscriptions/${first.json.id}/activate`, {})).json.code).toBe('hold_expired');
    expect(await stats(tenant, offer.id)).toMatchObject({ redemptions: 1, users_availed: 1 });
  });

  it('a public offer full of holds is listed again at the instant they expire', async () => {
    const tenant = await holdTenant(1);
    const { product, plans } = await createCatalog(tenant, { price: 1000 });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, max_redemptions: 1 });
    const listed = async () => (await publicApi(tenant).get(`/offers?product_id=${product.id}`)).json.data.map((o: any) => o.id);
    expect(await listed()).toEqual([offer.id]);
    expect((await (await asUser(tenant, 'h')).post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code })).json.status).toBe('pending');
    expect(await listed()).toEqual([]);
    advance(60_000);
    expect(await listed()).toEqual([offer.id]);
  });

  it('free checkouts are active at once and hold nothing; the sweep marks and announces expired holds once', async () => {
    const tenant = await holdTenant(1);
    const { product, plans } = await createCatalog(tenant, { price: 1000 });
    const free = await createCatalog(tenant, { price: 0, name: 'free' });
    const full = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, discount: { type: 'percent', value: 100 } });
    const zero = await (await asUser(tenant, 'z')).post('/subscriptions', { plan_id: plans['1m'].id, code: full.code });
    expect(zero.json).toMatchObject({ status: 'active', amount_due: 0, hold_expires_at: null });
    expect((await (await asUser(tenant, 'f')).post('/subscriptions', { plan_id: free.plans['1m'].id })).json).toMatchObject({ status: 'active', hold_expires_at: null });
    // An endpoint subscribed to every event (written straight into D1: the webhook routes are another area's).
    await env.DB.prepare("INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret_salt, created_at, updated_at) VALUES (?, ?, 'https://127.0.0.1:9/hook', '[\"*\"]', 'salt', 0, 0)")
      .bind(`we_${tenant.id}`, tenant.id)
      .run();
    const p = await (await asUser(tenant, 'p')).post('/subscriptions', { plan_id: plans['1m'].id });
    expect(p.json.status).toBe('pending');
    advance(60_000);
    const [r1, r2] = await Promise.all([sweepExpiredHolds(env, Date.now()), sweepExpiredHolds(env, Date.now())]);
    expect(r1.released + r2.released).toBeGreaterThanOrEqual(1);
    await sweepExpiredHolds(env, Date.now());
    const events = await env.DB.prepare('SELECT type, payload FROM webhook_events WHERE tenant_id = ? ORDER BY created_at, type').bind(tenant.id).all<{ type: string; payload: string }>();
    expect(events.results.map((e) => e.type)).toEqual(['subscription.pending', 'subscription.hold_expired']);
    const expired = JSON.parse(events.results[1]!.payload);
    expect(expired).toMatchObject({ type: 'subscription.hold_expired', data: { object: { id: p.json.id, status: 'hold_expired' } } });
    expect((await admin(tenant).get(`/subscriptions/${p.json.id}`)).json.status).toBe('hold_expired');
  });
});

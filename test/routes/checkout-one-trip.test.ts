import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { admin, createCatalog, createTenant, publicApi } from '../helpers';
import { asUser, createOffer } from '../offers-helpers';

/**
 * A checkout decided from the isolate's fresh catalog cache (worker/db/quote-cache.ts
 * `checkoutFromCache`) takes ONE D1 round trip: the write batch guards the plan as priced and
 * every fact it assumed about the user. These tests hold the clock still so the cache stays
 * fresh between requests, and change D1 behind the cache's back as another isolate would.
 */
const trips = (res: { headers: Headers }) => Number(res.headers.get('X-D1-Round-Trips'));

async function shop(limits: Record<string, unknown> = {}, price = 10_000) {
  const tenant = await createTenant();
  const { product, plans } = await createCatalog(tenant, { durations: ['1m'], price });
  const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, ...limits });
  const planId = plans['1m'].id as string;
  // The publishable key is looked up once per isolate: keep that round trip out of the counts.
  expect((await publicApi(tenant).get('/plans')).status).toBe(200);
  const buy = async (sub: string, body: Record<string, unknown> = { code: offer.code }, headers?: Record<string, string>) =>
    (await asUser(tenant, sub)).post('/subscriptions', { plan_id: planId, ...body }, headers);
  return { tenant, product, planId, offer, buy };
}

function freezeClock() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now());
}

afterEach(() => {
  vi.useRealTimers();
});

describe('checkout in one round trip from a fresh catalog cache', () => {
  it('the first checkout reads (and refreshes the cache); the next ones take one round trip, with a code or without', async () => {
    const { buy, offer, tenant } = await shop();
    freezeClock();
    const first = await buy('u1');
    expect(first.status, first.text).toBe(201);
    expect(trips(first)).toBe(2);
    const second = await buy('u2');
    expect(second.status, second.text).toBe(201);
    expect(trips(second)).toBe(1);
    expect(second.json).toMatchObject({ status: 'pending', price: 10_000, discount: 2_000, amount_due: 8_000, code: offer.code, reactivation: false });
    const plain = await buy('u3', {});
    expect(plain.status, plain.text).toBe(201);
    expect(trips(plain)).toBe(1);
    expect(plain.json).toMatchObject({ amount_due: 10_000, discount: 0, code: null });
    const stats = await admin(tenant).get(`/offers/${offer.id}/stats`);
    expect(stats.json).toMatchObject({ redemptions: 2, users_availed: 2 });
  });

  it('limits hold in that one round trip, and a refusal names its reason', async () => {
    const { buy } = await shop({ max_redemptions: 2, avail_limit_total: 1 });
    freezeClock();
    expect((await buy('u1')).status).toBe(201);
    const u2 = await buy('u2');
    expect([u2.status, trips(u2)]).toEqual([201, 1]);
    const full = await buy('u3');
    expect([full.status, full.json.code, trips(full)]).toEqual([422, 'redemptions_exhausted', 1]);
    // Already subscribed on the product: refused by the batch, named from its re-read.
    const again = await buy('u1');
    expect([again.status, again.json.code, trips(again)]).toEqual([409, 'already_subscribed', 1]);
  });

  it('an assumption that does not hold is written again on the facts the batch read: a reactivation, a plan changed elsewhere, a stored key', async () => {
    const { tenant, planId, buy } = await shop({ avail_limit_per_product: 2 });
    freezeClock();
    const u1 = await buy('u1');
    expect(u1.status).toBe(201);
    expect((await admin(tenant).post(`/subscriptions/${u1.json.id}/cancel`, {})).status).toBe(200);
    // A reactivation is never assumed away.
    const back = await buy('u1');
    expect(back.status, back.text).toBe(201);
    expect(back.json.reactivation).toBe(true);
    expect(trips(back)).toBe(2);
    // Another isolate raised the price: this isolate's cache does not know; the batch does.
    await env.DB.prepare('UPDATE plans SET price = 20000 WHERE tenant_id = ? AND id = ?').bind(tenant.id, planId).run();
    const dearer = await buy('u2');
    expect(dearer.status, dearer.text).toBe(201);
    expect(dearer.json).toMatchObject({ price: 20_000, discount: 4_000, amount_due: 16_000 });
    expect(trips(dearer)).toBe(2);
    // An Idempotency-Key: the first answer is stored, the same key replays it.
    const keyed = await buy('u3', { code: undefined }, { 'Idempotency-Key': 'k-1' });
    const replay = await buy('u3', { code: undefined }, { 'Idempotency-Key': 'k-1' });
    expect(keyed.status, keyed.text).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.json.id).toBe(keyed.json.id);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    const reuse = await buy('u3', { collection: 'send_invoice' }, { 'Idempotency-Key': 'k-1' });
    expect(reuse.json.code).toBe('idempotency_key_reuse');
  });

  it('an expired hold not yet released on the offer is given back by the second write, never counted as taken', async () => {
    const { tenant, planId, offer, buy } = await shop({ max_redemptions: 1 });
    expect((await admin(tenant).patch('/tenant', { checkout_hold_minutes: 1 })).status).toBe(200);
    freezeClock();
    const held = await buy('u1');
    expect(held.json.status).toBe('pending');
    vi.setSystemTime(Date.now() + 60_000);
    // A quote refreshes this isolate's cache at the new time (it sees the redemption back).
    const quote = await publicApi(tenant).post('/quotes', { plan_id: planId, code: offer.code });
    expect(quote.status, quote.text).toBe(200);
    const next = await buy('u2');
    expect(next.status, next.text).toBe(201);
    expect(trips(next)).toBe(2);
    const row = await env.DB.prepare('SELECT status FROM subscriptions WHERE id = ?').bind(held.json.id).first<{ status: string }>();
    expect(row!.status).toBe('hold_expired');
    expect((await admin(tenant).get(`/offers/${offer.id}/stats`)).json).toMatchObject({ redemptions: 1 });
  });
});

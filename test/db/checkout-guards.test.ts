import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { admin, createCatalog, createTenant } from '../helpers';
import { asUser, createOffer } from '../offers-helpers';
import { primaryD1 } from '../../worker/db/handles';
import { writeCheckout, type CheckoutWrite } from '../../worker/db/checkout-write';
import { newId } from '../../worker/domain/crypto';

/**
 * The write batch alone must refuse a checkout that breaks a limit, whatever the read said:
 * these tests hand writeCheckout a stale decision (as a checkout racing others would) and
 * check that nothing is written.
 */
async function setup(limits: Record<string, number>) {
  const tenant = await createTenant();
  const { product, plans } = await createCatalog(tenant, { durations: ['1m'] });
  const other = await createCatalog(tenant, { durations: ['1m'], name: 'other' });
  const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id, other.product.id], durations: ['1m'] }, ...limits });
  const db = primaryD1(env.DB, { count: 0 });
  const write = async (userId: string, plan: any, extra: Partial<CheckoutWrite> = {}, codeKind: 'shared' | 'set' = 'shared', code = offer.code) =>
    (await writeCheckout(db, {
      subscription: {
        id: newId('sub'),
        tenantId: tenant.id,
        userId,
        productId: plan.product_id,
        planId: plan.id,
        status: 'pending',
        source: 'checkout',
        collection: 'charge_card',
        groupId: null,
        offerId: offer.id,
        code,
        reactivation: false,
        discountedCycles: 1,
        price: 10_000,
        discount: 2_000,
        amountDue: 8_000,
        currency: 'INR',
        periodStart: Date.now(),
        periodEnd: Date.now() + 1,
        holdExpiresAt: Date.now() + 60_000,
        now: Date.now(),
      },
      user: { email: null, emailVerified: false },
      offer: {
        id: offer.id,
        code,
        codeKind,
        redemptionId: newId('red'),
      },
      idempotency: null,
      event: { type: 'subscription.pending', object: {} },
      // As a read that saw expired holds in both scopes would say (the batch then releases them).
      unreleasedHolds: { onOffer: true, onUserProduct: true },
      assumed: null,
      ...extra,
    })).created;
  const counts = async () => ({
    subs: (await env.DB.prepare('SELECT count(*) AS n FROM subscriptions WHERE tenant_id = ?').bind(tenant.id).first<{ n: number }>())!.n,
    redemptions: (await env.DB.prepare('SELECT count(*) AS n FROM redemptions WHERE tenant_id = ?').bind(tenant.id).first<{ n: number }>())!.n,
    cycles: (await env.DB.prepare('SELECT count(*) AS n FROM subscription_cycles WHERE tenant_id = ?').bind(tenant.id).first<{ n: number }>())!.n,
    offer: await env.DB.prepare('SELECT redemptions_count, users_availed_count FROM offers WHERE id = ?').bind(offer.id).first(),
  });
  return { tenant, plan: plans['1m'], otherPlan: other.plans['1m'], offer, write, counts };
}

describe('checkout write batch guards', () => {
  it('max_redemptions', async () => {
    const { plan, write, counts } = await setup({ max_redemptions: 1 });
    expect(await write('u1', plan)).toBe(true);
    const before = await counts();
    expect(await write('u2', plan)).toBe(false);
    expect(await counts()).toEqual(before);
    expect(before).toMatchObject({ subs: 1, redemptions: 1, cycles: 1, offer: { redemptions_count: 1, users_availed_count: 1 } });
  });

  it('avail_limit_per_product and avail_limit_total', async () => {
    const { tenant, plan, otherPlan, write, counts } = await setup({ avail_limit_per_product: 1, avail_limit_total: 2 });
    expect(await write('u1', plan)).toBe(true);
    await env.DB.prepare("UPDATE subscriptions SET status = 'cancelled' WHERE tenant_id = ?").bind(tenant.id).run();
    const before = await counts();
    expect(await write('u1', plan)).toBe(false); // per product
    expect(await counts()).toEqual(before);
    expect(await write('u1', otherPlan)).toBe(true);
    await env.DB.prepare("UPDATE subscriptions SET status = 'cancelled' WHERE tenant_id = ?").bind(tenant.id).run();
    await env.DB.prepare('UPDATE offers SET avail_limit_per_product = NULL WHERE tenant_id = ?').bind(tenant.id).run();
    // The limits are the offer row's own, not the caller's: without the per-product limit and
    // with a total of 3, a second avail on the first product is allowed, then the total refuses.
    await env.DB.prepare('UPDATE offers SET avail_limit_total = 3 WHERE tenant_id = ?').bind(tenant.id).run();
    expect(await write('u1', plan)).toBe(true);
    await env.DB.prepare("UPDATE subscriptions SET status = 'cancelled' WHERE tenant_id = ?").bind(tenant.id).run();
    const full = await counts();
    expect(full).toMatchObject({ redemptions: 3, offer: { redemptions_count: 3, users_availed_count: 1 } });
    expect(await write('u1', otherPlan)).toBe(false); // total
    expect(await counts()).toEqual(full);
  });

  it('a live subscription on the product, and a used idempotency key', async () => {
    const { tenant, plan, write, counts } = await setup({});
    expect(await write('u1', plan, { idempotency: { key: 'k', requestHash: 'h', response: '{}' } })).toBe(true);
    const before = await counts();
    expect(await write('u1', plan)).toBe(false);
    // A pending subscription within its hold takes the slot too.
    await env.DB.prepare("UPDATE subscriptions SET status = 'cancelled' WHERE tenant_id = ?").bind(tenant.id).run();
    expect(await write('u1', plan, { idempotency: { key: 'k', requestHash: 'h', response: '{}' } })).toBe(false);
    expect((await counts()).subs).toBe(before.subs);
  });

  it('a single-use code already redeemed, and an ended offer', async () => {
    const { tenant, plan, offer, write, counts } = await setup({});
    await env.DB.prepare("INSERT INTO codes (tenant_id, code, offer_id, kind, created_at) VALUES (?, 'ONCE12345', ?, 'set', 0)").bind(tenant.id, offer.id).run();
    expect(await write('u1', plan, {}, 'set', 'ONCE12345')).toBe(true);
    const before = await counts();
    expect(await write('u2', plan, {}, 'set', 'ONCE12345')).toBe(false);
    expect(await counts()).toEqual(before);
    await admin(tenant).delete(`/offers/${offer.id}`);
    expect(await write('u3', plan)).toBe(false);
    expect(await counts()).toEqual(before);
    // and through the API, the refusal is named
    const res = await (await asUser(tenant, 'u4')).post('/subscriptions', { plan_id: plan.id, code: offer.code });
    expect(res.json.code).toBe('offer_expired');
  });

  it('holds: a live hold takes the count; an expired one is released by the batch itself, once', async () => {
    const { tenant, plan, offer, write, counts } = await setup({ max_redemptions: 1, avail_limit_total: 1 });
    // u1 holds the only redemption until its hold ends.
    expect(await write('u1', plan)).toBe(true);
    const before = await counts();
    expect(await write('u2', plan)).toBe(false); // live hold: refused, nothing written
    expect(await counts()).toEqual(before);
    // Test-only: u1's hold has passed (no sweep ran). The next batch releases it and takes the seat.
    await env.DB.prepare('UPDATE subscriptions SET hold_expires_at = ? WHERE tenant_id = ?').bind(Date.now() - 1, tenant.id).run();
    expect(await write('u2', plan)).toBe(true);
    const after = await counts();
    expect(after).toMatchObject({ subs: 2, redemptions: 1, cycles: 2, offer: { redemptions_count: 1, users_availed_count: 1 } });
    const rows = await env.DB.prepare('SELECT user_id, status FROM subscriptions WHERE tenant_id = ? ORDER BY user_id').bind(tenant.id).all();
    expect(rows.results).toEqual([
      { user_id: 'u1', status: 'hold_expired' },
      { user_id: 'u2', status: 'pending' },
    ]);
    // u1 may avail it again only if a redemption is free: it is not (u2 holds it).
    expect(await write('u1', plan)).toBe(false);
    expect(await counts()).toEqual(after);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM subscriptions WHERE offer_id = ?').bind(offer.id).first<{ n: number }>())!.n).toBe(2);
  });

  it('holds: a batch releases only the scopes its read saw expired holds in; an unseen one is never counted as free', async () => {
    const { tenant, plan, write, counts } = await setup({ max_redemptions: 1 });
    expect(await write('u1', plan)).toBe(true);
    await env.DB.prepare('UPDATE subscriptions SET hold_expires_at = ? WHERE tenant_id = ?').bind(Date.now() - 1, tenant.id).run();
    const before = await counts();
    // A write told that its read saw no expired hold releases nothing: the counter still holds
    // u1's redemption, so the guard refuses (the safe side) and nothing is written.
    expect(await write('u2', plan, { unreleasedHolds: { onOffer: false, onUserProduct: false } })).toBe(false);
    expect(await counts()).toEqual(before);
    expect((await env.DB.prepare("SELECT status FROM subscriptions WHERE tenant_id = ? AND user_id = 'u1'").bind(tenant.id).first<{ status: string }>())!.status).toBe('pending');
    // Through the API the read sees the expired hold at the checkout's instant, so its batch releases it.
    const res = await (await asUser(tenant, 'u3')).post('/subscriptions', { plan_id: plan.id, code: (await env.DB.prepare('SELECT code FROM offers WHERE tenant_id = ?').bind(tenant.id).first<{ code: string }>())!.code });
    expect(res.status, res.text).toBe(201);
    expect((await env.DB.prepare("SELECT status FROM subscriptions WHERE tenant_id = ? AND user_id = 'u1'").bind(tenant.id).first<{ status: string }>())!.status).toBe('hold_expired');
    expect((await counts()).offer).toMatchObject({ redemptions_count: 1 });
  });
});

import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { admin, call, createCatalog, createTenant, type TestTenant } from '../helpers';
import { asUser, createOffer } from '../offers-helpers';

/** A tenant with a product (1m plan at 1000), a 50% offer on it, and an endpoint for every event (rows straight into D1). */
async function setup(limits: Record<string, unknown> = {}) {
  const tenant = await createTenant();
  const { product, plans } = await createCatalog(tenant, { price: 1000 });
  const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, discount: { type: 'percent', value: 50 }, ...limits });
  await env.DB.prepare("INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret_salt, created_at, updated_at) VALUES (?, ?, 'https://127.0.0.1:9/hook', '[\"*\"]', 'salt', 0, 0)")
    .bind(`we_${tenant.id}`, tenant.id)
    .run();
  const checkout = async (user: string, code: string | null = offer.code) => {
    const res = await (await asUser(tenant, user)).post('/subscriptions', { plan_id: plans['1m'].id, ...(code ? { code } : {}) });
    expect(res.status, res.text).toBe(201);
    return res.json;
  };
  return { tenant, api: admin(tenant), plan: plans['1m'], product, offer, checkout };
}

const count = async (sql: string, ...params: unknown[]) => (await env.DB.prepare(sql).bind(...params).first<{ n: number }>())!.n;
const cycles = (subId: string) => count('SELECT count(*) AS n FROM subscription_cycles WHERE subscription_id = ?', subId);
const events = async (tenant: TestTenant, type: string) => count('SELECT count(*) AS n FROM webhook_events WHERE tenant_id = ? AND type = ?', tenant.id, type);
const key = (k: string) => ({ 'Idempotency-Key': k });

describe('activate', () => {
  it('pending → active with collection and payment_reference; again 200 unchanged; one event', async () => {
    const { tenant, api, checkout } = await setup();
    const sub = await checkout('a');
    expect(sub).toMatchObject({ status: 'pending', collection: 'charge_card', payment_reference: null });
    const all = await Promise.all(Array.from({ length: 10 }, () => api.post(`/subscriptions/${sub.id}/activate`, { collection: 'send_invoice', payment_reference: 'inv_42' })));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(all.every((r) => r.json.status === 'active' && r.json.collection === 'send_invoice' && r.json.payment_reference === 'inv_42')).toBe(true);
    expect(await events(tenant, 'subscription.activated')).toBe(1);
    expect(await events(tenant, 'subscription.pending')).toBe(1);
    const bad = await api.post(`/subscriptions/${sub.id}/activate`, { collection: 'cash' });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('collection');
  });

  it('with one Idempotency-Key, parallel: one change, the same answer, and reuse with another body is refused', async () => {
    const { tenant, api, checkout } = await setup();
    const sub = await checkout('a');
    const all = await Promise.all(Array.from({ length: 10 }, () => api.post(`/subscriptions/${sub.id}/activate`, { payment_reference: 'pi_1' }, key('act-1'))));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(all.map((r) => r.text)).size).toBe(1);
    expect(await events(tenant, 'subscription.activated')).toBe(1);
    const replay = await api.post(`/subscriptions/${sub.id}/activate`, { payment_reference: 'pi_1' }, key('act-1'));
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    const reuse = await api.post(`/subscriptions/${sub.id}/activate`, { payment_reference: 'pi_2' }, key('act-1'));
    expect(reuse.status).toBe(422);
    expect(reuse.json.code).toBe('idempotency_key_reuse');
    expect(reuse.json.errors[0].path).toBe('Idempotency-Key');
  });

  it('a cancelled subscription is not pending; a voided one answers subscription_voided, also on replay', async () => {
    const { api, checkout } = await setup();
    const sub = await checkout('a');
    expect((await api.post(`/subscriptions/${sub.id}/activate`, {}, key('k1'))).status).toBe(200);
    expect((await api.post(`/subscriptions/${sub.id}/void`)).status).toBe(200);
    // The replay must not answer a subscription that no longer exists as if it did.
    const replay = await api.post(`/subscriptions/${sub.id}/activate`, {}, key('k1'));
    expect(replay.status).toBe(409);
    expect(replay.json.code).toBe('subscription_voided');
    const other = await checkout('b');
    await api.post(`/subscriptions/${other.id}/activate`, {});
    await api.post(`/subscriptions/${other.id}/cancel`);
    expect((await api.post(`/subscriptions/${other.id}/activate`, {})).json.code).toBe('subscription_not_pending');
  });
});

describe('renew', () => {
  it('a pending subscription cannot renew', async () => {
    const { api, checkout } = await setup();
    const sub = await checkout('a');
    const res = await api.post(`/subscriptions/${sub.id}/renew`, {});
    expect(res.status).toBe(409);
    expect(res.json.code).toBe('subscription_not_active');
  });

  it('10 parallel renews with one Idempotency-Key: exactly one new cycle, never a 5xx', async () => {
    const { tenant, api, checkout } = await setup();
    const sub = await checkout('a');
    await api.post(`/subscriptions/${sub.id}/activate`, {});
    for (let round = 0; round < 3; round++) {
      const all = await Promise.all(Array.from({ length: 10 }, () => api.post(`/subscriptions/${sub.id}/renew`, {}, key(`renew-${round}`))));
      expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(new Set(all.map((r) => r.json.cycle))).toEqual(new Set([round + 2]));
      expect(await cycles(sub.id)).toBe(round + 2);
    }
    expect(await events(tenant, 'subscription.renewed')).toBe(3);
  });

  it('10 parallel renews with one cycle: exactly one new cycle; a started cycle is unchanged, a skipped one cycle_mismatch', async () => {
    const { api, offer, checkout } = await setup({ subscription_limit: 3 });
    const sub = await checkout('a');
    await api.post(`/subscriptions/${sub.id}/activate`, {});
    for (let round = 0; round < 5; round++) {
      const all = await Promise.all(Array.from({ length: 10 }, () => api.post(`/subscriptions/${sub.id}/renew`, { cycle: 2 })));
      expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(all.every((r) => r.json.cycle === 2 && r.json.discount === 500)).toBe(true);
    }
    expect(await cycles(sub.id)).toBe(2);
    const skipped = await api.post(`/subscriptions/${sub.id}/renew`, { cycle: 4 });
    expect(skipped.status).toBe(409);
    expect(skipped.json.code).toBe('cycle_mismatch');
    expect((await api.post(`/subscriptions/${sub.id}/renew`, { cycle: 3, grace: true })).json).toMatchObject({ cycle: 3, discount: 500, discounted_cycles: 3 });
    expect((await api.post(`/subscriptions/${sub.id}/renew`, { cycle: 4 })).json).toMatchObject({ cycle: 4, discount: 0, amount_due: 1000 });
    expect((await api.get(`/offers/${offer.id}/stats`)).json).toMatchObject({ redemptions: 1, discounted_renewals: 2 });
    // Cycle 1 (the checkout) has started too: unchanged; a cycle number is a positive integer.
    expect((await api.post(`/subscriptions/${sub.id}/renew`, { cycle: 1 })).json).toMatchObject({ cycle: 4 });
    const bad = await api.post(`/subscriptions/${sub.id}/renew`, { cycle: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('cycle');
  });

  it('parallel renews without key or cycle: each 200 is one cycle, the rest 409 renewal_conflict, never a 5xx', async () => {
    const { api, checkout } = await setup();
    const sub = await checkout('a');
    await api.post(`/subscriptions/${sub.id}/activate`, {});
    const all = await Promise.all(Array.from({ length: 10 }, () => api.post(`/subscriptions/${sub.id}/renew`)));
    expect(all.every((r) => r.status === 200 || (r.status === 409 && r.json.code === 'renewal_conflict'))).toBe(true);
    const ok = all.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(await cycles(sub.id)).toBe(1 + ok);
    expect(new Set(all.filter((r) => r.status === 200).map((r) => r.json.cycle)).size).toBe(ok);
  });
});

describe('cancel and void', () => {
  it('parallel cancels: one change, all 200; a pending one is cancelled too, a lapsed hold is not', async () => {
    const { tenant, api, offer, checkout } = await setup();
    const pending = await checkout('p');
    const cancelledPending = await api.post(`/subscriptions/${pending.id}/cancel`);
    expect(cancelledPending.json).toMatchObject({ status: 'cancelled' });
    // It keeps what it took, as any cancelled subscription does (a failed payment is voided instead).
    expect((await api.get(`/offers/${offer.id}/stats`)).json).toMatchObject({ redemptions: 1 });
    expect((await api.post(`/subscriptions/${pending.id}/activate`, {})).json.code).toBe('subscription_not_pending');
    const lapsed = await checkout('l');
    await env.DB.prepare('UPDATE subscriptions SET hold_expires_at = ? WHERE id = ?').bind(Date.now() - 1, lapsed.id).run(); // test-only: its hold passed
    expect((await api.post(`/subscriptions/${lapsed.id}/cancel`)).json.code).toBe('hold_expired');
    const sub = await checkout('a');
    await api.post(`/subscriptions/${sub.id}/activate`, {});
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => api.post(`/subscriptions/${sub.id}/cancel`, undefined, i % 2 ? key('c1') : undefined)));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(all.map((r) => r.json.cancelled_at)).size).toBe(1);
    expect(await events(tenant, 'subscription.cancelled')).toBe(2); // the pending one above, and this one once
    // A later checkout on the product is a reactivation.
    const again = await (await asUser(tenant, 'a')).post('/subscriptions', { plan_id: sub.plan_id });
    expect(again.json).toMatchObject({ status: 'pending', reactivation: true });
  });

  it('parallel voids of a pending checkout (with and without a key): counts come back once, one event', async () => {
    const { tenant, api, offer, checkout } = await setup({ max_redemptions: 1 });
    const sub = await checkout('a');
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => api.post(`/subscriptions/${sub.id}/void`, undefined, i % 2 ? key('v1') : undefined)));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(all.every((r) => r.json.id === sub.id && r.json.voided === true)).toBe(true);
    expect((await api.get(`/offers/${offer.id}/stats`)).json).toMatchObject({ redemptions: 0, users_availed: 0 });
    expect(await events(tenant, 'subscription.voided')).toBe(1);
    expect((await api.get(`/subscriptions/${sub.id}`)).status).toBe(404);
    expect((await api.post(`/subscriptions/${sub.id}/renew`, {})).json.code).toBe('subscription_voided');
    // The seat came back: another user takes it.
    await checkout('b');
  });

  it('a void racing a renewal: one of them wins, never both, never a 5xx', async () => {
    const { api, checkout } = await setup();
    const sub = await checkout('a');
    await api.post(`/subscriptions/${sub.id}/activate`, {});
    const [v, r] = await Promise.all([api.post(`/subscriptions/${sub.id}/void`), api.post(`/subscriptions/${sub.id}/renew`, { cycle: 2 })]);
    expect([v.status, r.status].every((s) => s < 500)).toBe(true);
    if (v.status === 200) expect(r.json.code === 'subscription_voided' || r.status === 404).toBe(true);
    else expect([v.json.code, r.json.cycle]).toEqual(['not_voidable', 2]);
  });
});

describe('every hook at once', () => {
  it('activate, renew, cancel and void racing on one subscription: never a 5xx, the state and counts stay whole', async () => {
    const { api, offer, checkout } = await setup();
    for (let round = 0; round < 3; round++) {
      const sub = await checkout(`r${round}`);
      const hooks = ['activate', 'renew', 'cancel', 'void', 'activate', 'renew', 'cancel', 'activate', 'renew', 'void', 'activate', 'renew'];
      const all = await Promise.all(hooks.map((h, i) => api.post(`/subscriptions/${sub.id}/${h}`, h === 'renew' ? { cycle: 2 } : h === 'activate' ? {} : undefined, i % 3 ? undefined : key(`${sub.id}-${h}`))));
      expect(all.filter((r) => r.status >= 500).map((r) => r.text)).toEqual([]);
      const row = await env.DB.prepare('SELECT status, cycle FROM subscriptions WHERE id = ?').bind(sub.id).first<{ status: string; cycle: number }>();
      const n = await cycles(sub.id);
      if (row) expect(n).toBe(row.cycle);
      else expect(n).toBe(0);
      expect(n).toBeLessThanOrEqual(2);
      const voided = await count('SELECT count(*) AS n FROM voided_subscriptions WHERE id = ?', sub.id);
      expect(voided + (row ? 1 : 0)).toBe(1);
    }
    const stats = (await api.get(`/offers/${offer.id}/stats`)).json;
    const live = await count("SELECT count(*) AS n FROM redemptions WHERE offer_id = ? AND kind = 'avail'", offer.id);
    expect(stats.redemptions).toBe(live);
    expect(stats.discounted_renewals).toBe(await count("SELECT count(*) AS n FROM redemptions WHERE offer_id = ? AND kind = 'renewal'", offer.id));
  });
});

describe('idempotent checkout replay', () => {
  it('a replay of a voided checkout checks out afresh instead of answering the old id', async () => {
    const { tenant, api, plan, offer } = await setup();
    const user = await asUser(tenant, 'a');
    const first = await user.post('/subscriptions', { plan_id: plan.id, code: offer.code }, key('co-1'));
    expect(first.status).toBe(201);
    const replay = await user.post('/subscriptions', { plan_id: plan.id, code: offer.code }, key('co-1'));
    expect(replay.json.id).toBe(first.json.id);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect((await api.post(`/subscriptions/${first.json.id}/void`)).status).toBe(200);
    const after = await Promise.all(Array.from({ length: 5 }, () => user.post('/subscriptions', { plan_id: plan.id, code: offer.code }, key('co-1'))));
    expect(after.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(new Set(after.map((r) => r.json.id)).size).toBe(1);
    expect(after[0]!.json.id).not.toBe(first.json.id);
    expect((await api.get(`/subscriptions/${after[0]!.json.id}`)).json.status).toBe('pending');
    expect((await api.get(`/offers/${offer.id}/stats`)).json).toMatchObject({ redemptions: 1 });
  });
});

describe('OpenAPI', () => {
  it('documents activate and the renew body with cycle', async () => {
    const doc = (await call('GET', '/openapi.json')).json;
    const activate = doc.paths['/admin/v1/subscriptions/{id}/activate']?.post;
    expect(activate?.responses?.['409']).toBeDefined();
    expect(JSON.stringify(activate.requestBody)).toContain('ActivateRequest');
    expect(JSON.stringify(doc.components.schemas.RenewRequest)).toContain('cycle');
    expect(Object.keys(doc.components.schemas.Subscription.properties)).toEqual(expect.arrayContaining(['hold_expires_at', 'payment_reference', 'status']));
  });
});

describe('tenant isolation of the hooks', () => {
  it("tenant B cannot activate, renew, cancel or void tenant A's subscription, with or without A's key", async () => {
    const a = await setup();
    const b = await createTenant();
    const sub = await a.checkout('x');
    for (const hook of ['activate', 'renew', 'cancel', 'void']) {
      expect((await admin(b).post(`/subscriptions/${sub.id}/${hook}`, {})).status).toBe(404);
    }
    await a.api.post(`/subscriptions/${sub.id}/activate`, {}, key('shared-key'));
    // The same key text in tenant B is B's own key: no replay of A's answer.
    expect((await admin(b).post(`/subscriptions/${sub.id}/activate`, {}, key('shared-key'))).status).toBe(404);
    expect((await a.api.get(`/subscriptions/${sub.id}`)).json.status).toBe('active');
  });
});

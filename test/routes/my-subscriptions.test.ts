import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { admin, createCatalog, createTenant, publicApi, userToken } from '../helpers';
import { asUser } from '../offers-helpers';

describe('GET /v1/subscriptions?product_id= (the caller\'s own subscriptions)', () => {
  it('answers the signed-in user\'s live subscription on the product, in the Subscription shape', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant, { durations: ['1m'], price: 49_900 });
    const asha = await asUser(tenant, 'asha');
    expect((await asha.get(`/subscriptions?product_id=${product.id}`)).json).toEqual({ data: [] });
    const checkout = await asha.post('/subscriptions', { plan_id: plans['1m'].id });
    expect(checkout.status, checkout.text).toBe(201);
    const mine = await asha.get(`/subscriptions?product_id=${product.id}`);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.json.data).toHaveLength(1);
    expect(mine.json.data[0]).toEqual(checkout.json); // the same shape as checkout's answer
    expect(['active', 'pending']).toContain(mine.json.data[0].status);
  });

  it('requires a user token: 401 login_required without one; a bad product_id is a 400 naming the field', async () => {
    const tenant = await createTenant();
    const { product } = await createCatalog(tenant);
    const anonymous = await publicApi(tenant).get(`/subscriptions?product_id=${product.id}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.code).toBe('login_required');
    const asha = await asUser(tenant, 'asha');
    for (const query of ['', '?product_id=', '?product_id=not%20an%20id']) {
      const res = await asha.get(`/subscriptions${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.errors[0].path).toBe('query.product_id');
    }
    // An unknown product is simply one the caller has nothing on.
    expect((await asha.get('/subscriptions?product_id=prod_nosuchproduct')).json).toEqual({ data: [] });
  });

  it('never shows another user\'s subscriptions, nor another product\'s', async () => {
    const tenant = await createTenant();
    const a = await createCatalog(tenant, { durations: ['1m'] });
    const b = await createCatalog(tenant, { durations: ['1m'] });
    const asha = await asUser(tenant, 'asha');
    const ravi = await asUser(tenant, 'ravi');
    expect((await asha.post('/subscriptions', { plan_id: a.plans['1m'].id })).status).toBe(201);
    expect((await ravi.get(`/subscriptions?product_id=${a.product.id}`)).json.data).toEqual([]);
    expect((await asha.get(`/subscriptions?product_id=${b.product.id}`)).json.data).toEqual([]);
    // A token of another user id cannot be forged with a header: the user is the token's `sub`.
    const spoof = await ravi.get(`/subscriptions?product_id=${a.product.id}&user_id=asha`, { 'X-User-Id': 'asha' });
    expect(spoof.json.data).toEqual([]);
  });

  it('never crosses tenants: another tenant\'s key, token or product answers nothing of this tenant', async () => {
    const mine = await createTenant();
    const other = await createTenant();
    const { product, plans } = await createCatalog(mine, { durations: ['1m'] });
    const asha = await asUser(mine, 'asha');
    expect((await asha.post('/subscriptions', { plan_id: plans['1m'].id })).status).toBe(201);
    // The same user id, signed in on the other tenant, asking about this tenant's product.
    const sameSubElsewhere = await asUser(other, 'asha');
    expect((await sameSubElsewhere.get(`/subscriptions?product_id=${product.id}`)).json).toEqual({ data: [] });
    // This tenant's token presented with the other tenant's publishable key is not a valid token there.
    const token = await userToken(mine, { sub: 'asha' });
    const crossed = await publicApi(other, { userToken: token }).get(`/subscriptions?product_id=${product.id}`);
    expect(crossed.status).toBe(401);
    expect(crossed.json.code).not.toBe(undefined);
    expect(crossed.json.data).toBeUndefined();
  });

  it('leaves out what is over: cancelled, and pending once its hold has expired (even before any sweep)', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant, { durations: ['1m'] });
    const asha = await asUser(tenant, 'asha');
    const first = await asha.post('/subscriptions', { plan_id: plans['1m'].id });
    expect(first.status, first.text).toBe(201);
    const cancel = await admin(tenant).post(`/subscriptions/${first.json.id}/cancel`);
    expect(cancel.status, cancel.text).toBe(200);
    expect((await asha.get(`/subscriptions?product_id=${product.id}`)).json.data).toEqual([]);

    // Test-only: a pending checkout, first within its hold, then past it (the sweep has not run).
    const second = await asha.post('/subscriptions', { plan_id: plans['1m'].id });
    expect(second.status, second.text).toBe(201);
    const setHold = (status: string, at: number) =>
      env.DB.prepare('UPDATE subscriptions SET status = ?, hold_expires_at = ? WHERE tenant_id = ? AND id = ?').bind(status, at, tenant.id, second.json.id).run();
    await setHold('pending', Date.now() + 600_000);
    const pending = (await asha.get(`/subscriptions?product_id=${product.id}`)).json.data;
    expect(pending).toEqual([expect.objectContaining({ id: second.json.id, status: 'pending', hold_expires_at: expect.any(String) })]);
    await setHold('pending', Date.now() - 1);
    expect((await asha.get(`/subscriptions?product_id=${product.id}`)).json.data).toEqual([]);
  });
});

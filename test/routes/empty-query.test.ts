import { describe, expect, it } from 'vitest';
import { admin, createCatalog, createTenant, publicApi } from '../helpers';

describe('an empty query parameter is an absent one', () => {
  it('GET /v1/plans?product_id= lists every active plan; a bad id is still refused', async () => {
    const tenant = await createTenant();
    await createCatalog(tenant, { durations: ['1m', '1y'] });
    await createCatalog(tenant, { durations: ['3m'], name: 'Second' });
    const all = await publicApi(tenant).get('/plans');
    expect(all.status).toBe(200);
    const empty = await publicApi(tenant).get('/plans?product_id=');
    expect(empty.status, empty.text).toBe(200);
    expect(empty.json).toEqual(all.json);
    const bad = await publicApi(tenant).get('/plans?product_id=nope');
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('query.product_id');
  });

  it('GET /v1/offers?product_id=&plan_id= and the exports with empty filters answer 200', async () => {
    const tenant = await createTenant();
    const { product } = await createCatalog(tenant);
    expect((await publicApi(tenant).get('/offers?product_id=&plan_id=')).status).toBe(200);
    expect((await publicApi(tenant).get(`/offers?product_id=${product.id}&plan_id=`)).status).toBe(200);
    const subs = await admin(tenant).get('/exports/subscriptions.csv?product_id=&plan_id=');
    expect(subs.status, subs.text).toBe(200);
    expect((await admin(tenant).get('/exports/redemptions.csv?product_id=&plan_id=')).status).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';
import { admin, call, createCatalog, createTenant, publicApi } from '../helpers';
import { day, freshCode } from '../offers-helpers';

describe('products and plans (admin API)', () => {
  it('creates, reads, lists, updates and deletes a product', async () => {
    const api = admin(await createTenant());
    const created = await api.post('/products', { name: 'Momentum smallcase', description: 'Top momentum stocks' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Momentum smallcase', description: 'Top momentum stocks' });
    expect(created.json.id).toMatch(/^prod_/);

    expect((await api.get(`/products/${created.json.id}`)).json.name).toBe('Momentum smallcase');
    const list = await api.get('/products');
    expect(list.json.data.map((p: any) => p.id)).toEqual([created.json.id]);

    const patched = await api.patch(`/products/${created.json.id}`, { name: 'Renamed' });
    expect(patched.status).toBe(200);
    expect(patched.json.name).toBe('Renamed');

    expect((await api.delete(`/products/${created.json.id}`)).status).toBe(204);
    expect((await api.get(`/products/${created.json.id}`)).status).toBe(404);
  });

  it('paginates products with starting_after', async () => {
    const api = admin(await createTenant());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await api.post('/products', { name: `P${i}` })).json.id);
    const first = await api.get('/products?limit=2');
    expect(first.json.data).toHaveLength(2);
    expect(first.json.has_more).toBe(true);
    const second = await api.get(`/products?limit=10&starting_after=${first.json.next_cursor}`);
    expect(second.json.has_more).toBe(false);
    expect([...first.json.data, ...second.json.data].map((p: any) => p.id)).toEqual(ids);
  });

  it('creates plans and refuses bad ones with the field named', async () => {
    const tenant = await createTenant();
    const api = admin(tenant);
    const { product, plans } = await createCatalog(tenant, { durations: ['1m', '1y'] });
    expect(plans['1y']).toMatchObject({ product_id: product.id, duration: '1y', price: 10_000, currency: 'INR', pricing: 'fixed', active: true });

    const cases: [unknown, string][] = [
      [{ product_id: product.id, name: 'x', duration: '2m', price: 100, currency: 'INR' }, 'duration'],
      [{ product_id: product.id, name: 'x', duration: '1m', price: 10.5, currency: 'INR' }, 'price'],
      [{ product_id: product.id, name: 'x', duration: '1m', price: -1, currency: 'INR' }, 'price'],
      [{ product_id: product.id, name: 'x', duration: '1m', price: 100, currency: 'XXQ' }, 'currency'],
      [{ product_id: product.id, name: 'x', duration: '3m', price: 100, currency: 'INR', pricing: 'aum' }, 'duration'],
      [{ product_id: product.id, name: '', duration: '1m', price: 100, currency: 'INR' }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await api.post('/plans', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json.errors.map((e: any) => e.path)).toContain(field);
    }
    const unknownProduct = await api.post('/plans', { product_id: 'prod_doesnotexist', name: 'x', duration: '1m', price: 1, currency: 'INR' });
    expect(unknownProduct.status).toBe(404);
    expect(unknownProduct.json.errors[0].path).toBe('product_id');
  });

  it('updates a plan and refuses to change its duration', async () => {
    const tenant = await createTenant();
    const api = admin(tenant);
    const { plans } = await createCatalog(tenant);
    const plan = plans['1m'];
    const res = await api.patch(`/plans/${plan.id}`, { price: 12_000, active: false });
    expect(res.json).toMatchObject({ price: 12_000, active: false });
    const bad = await api.patch(`/plans/${plan.id}`, { duration: '1y' });
    expect(bad.status).toBe(400);
  });

  it('refuses to delete a product that still has plans', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant);
    const api = admin(tenant);
    const res = await api.delete(`/products/${product.id}`);
    expect(res.status).toBe(409);
    expect(res.json.code).toBe('product_in_use');
    expect((await api.delete(`/plans/${plans['1m'].id}`)).status).toBe(204);
    expect((await api.delete(`/products/${product.id}`)).status).toBe(204);
  });
});

describe('GET /admin/v1/plans with filters', () => {
  it('filters by active before paging: limit 2 with 2 active plans answers both, has_more false', async () => {
    const tenant = await createTenant();
    const api = admin(tenant);
    const { plans } = await createCatalog(tenant, { durations: ['1m', '3m', '6m', '1y'] });
    // Ids are time-sortable: deactivate the first two, so the active ones come after them.
    for (const d of ['1m', '3m']) expect((await api.patch(`/plans/${plans[d]!.id}`, { active: false })).status).toBe(200);
    const page = await api.get('/plans?active=true&limit=2');
    expect(page.status).toBe(200);
    expect(page.json.data.map((p: any) => p.id)).toEqual([plans['6m']!.id, plans['1y']!.id]);
    expect(page.json.has_more).toBe(false);
    expect(page.json.next_cursor).toBeNull();
    const inactive = await api.get('/plans?active=false&limit=1');
    expect(inactive.json.data.map((p: any) => p.id)).toEqual([plans['1m']!.id]);
    expect(inactive.json.has_more).toBe(true);
    const next = await api.get(`/plans?active=false&limit=1&starting_after=${inactive.json.next_cursor}`);
    expect(next.json.data.map((p: any) => p.id)).toEqual([plans['3m']!.id]);
    expect(next.json.has_more).toBe(false);
    // Another tenant sees none of them.
    expect((await admin(await createTenant()).get('/plans?active=true')).json.data).toEqual([]);
  });
});

describe('GET /admin/v1/plans/{id}/offers', () => {
  it('lists the redeemable offers whose discount applies to the plan (the domain rule), with their products', async () => {
    const tenant = await createTenant();
    const api = admin(tenant);
    const { product, plans } = await createCatalog(tenant, { durations: ['1m', '1y'], currency: 'INR' });
    const base = { starts_at: day(0), ends_at: day(30), eligibility: 'all', discoverability: 'private' };
    const make = async (body: Record<string, unknown>) => {
      const res = await api.post('/offers', { code: freshCode(), ...base, ...body });
      expect(res.status, res.text).toBe(201);
      return res.json.id as string;
    };
    const percent = await make({ discount: { type: 'percent', value: 10 }, applies_to: { product_ids: [product.id], durations: ['1m'] } });
    const flat = await make({ discount: { type: 'flat', amount: 100, currency: 'INR' }, applies_to: { all_products: true, durations: ['1m', '1y'] } });
    const yearly = await make({ discount: { type: 'percent', value: 5 }, applies_to: { product_ids: [product.id], durations: ['1y'] } });
    const ended = await make({ discount: { type: 'percent', value: 15 }, applies_to: { product_ids: [product.id], durations: ['1m'] } });
    expect((await api.patch(`/offers/${ended}`, { ends_at: '2000-01-01' })).status).toBe(200);
    const monthly = await api.get(`/plans/${plans['1m'].id}/offers`);
    expect(monthly.status).toBe(200);
    expect(monthly.json.data.map((o: any) => o.id).sort()).toEqual([percent, flat].sort());
    expect(monthly.json.data.find((o: any) => o.id === percent).applies_to.product_ids).toEqual([product.id]);
    expect((await api.get(`/plans/${plans['1y'].id}/offers`)).json.data.map((o: any) => o.id).sort()).toEqual([flat, yearly].sort());
    // Another tenant's plan id answers 404.
    expect((await admin(await createTenant()).get(`/plans/${plans['1m'].id}/offers`)).status).toBe(404);
  });
});

describe('GET /v1/plans', () => {
  it('lists only active plans, filtered by product', async () => {
    const tenant = await createTenant();
    const a = await createCatalog(tenant, { durations: ['1m', '3m'] });
    const b = await createCatalog(tenant, { durations: ['1y'] });
    await admin(tenant).patch(`/plans/${a.plans['3m'].id}`, { active: false });
    const res = await publicApi(tenant).get(`/plans?product_id=${a.product.id}`);
    expect(res.status).toBe(200);
    expect(res.json.data.map((p: any) => p.id)).toEqual([a.plans['1m'].id]);
    const all = await publicApi(tenant).get('/plans');
    expect(all.json.data.map((p: any) => p.id).sort()).toEqual([a.plans['1m'].id, b.plans['1y'].id].sort());
  });
});

describe('bad input never gives a 500', () => {
  it('answers malformed JSON, wrong types, unknown fields and oversized bodies with 4xx problems', async () => {
    const tenant = await createTenant();
    const malformed = await call('POST', '/admin/v1/products', { key: tenant.secret_key, raw: '{"name": ', headers: { 'Content-Type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.json.code).toBe('malformed_json');

    const wrongType = await admin(tenant).post('/products', { name: 42 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.errors[0].path).toBe('name');

    const unknownField = await admin(tenant).post('/products', { name: 'x', colour: 'red' });
    expect(unknownField.status).toBe(400);

    const big = await call('POST', '/admin/v1/products', {
      key: tenant.secret_key,
      raw: JSON.stringify({ name: 'x', description: 'y'.repeat(2 * 1024 * 1024) }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(big.status).toBe(413);
    expect(big.json.code).toBe('payload_too_large');

    const badId = await admin(tenant).get('/products/not an id');
    expect(badId.status).toBe(400);
    const unknownId = await admin(tenant).get('/plans/plan_unknown');
    expect(unknownId.status).toBe(404);
    const unknownRoute = await admin(tenant).get('/nothing-here');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.headers.get('content-type')).toContain('application/problem+json');
  });
});

import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { admin, createCatalog, createTenant, publicApi } from '../helpers';
import { createOffer } from '../offers-helpers';
import { quoteCatalogs } from '../../worker/db/quote-cache';
import { listingCatalogs } from '../../worker/db/offer-listing';
import { publicPlansCache } from '../../worker/db/plans-cache';
import { allCaches } from '../../worker/lib/cache';

/** The staleness contract of docs/caching.md, as seen through the API of one isolate. */
describe('edge caches', () => {
  it('answer a quote from memory once warm, and show this isolate\'s committed writes at once', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant, { durations: ['1m'], price: 1000 });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] } });
    const anon = publicApi(tenant);
    const quote = () => anon.post('/quotes', { plan_id: plans['1m'].id, code: offer.code });
    expect((await quote()).json).toMatchObject({ amount_due: 800, offer: { id: offer.id, discount: { type: 'percent', value: 20 } } });
    const warm = await quote();
    expect(warm.headers.get('X-D1-Round-Trips')).toBe('0');
    expect(quoteCatalogs.get(tenant.id)?.fresh).toBe(true);
    // Ended by hand on this isolate: the next quote is refused, without waiting for a re-check.
    expect((await admin(tenant).patch(`/offers/${offer.id}`, { ends_at: '2000-01-01' })).status).toBe(200);
    expect(quoteCatalogs.get(tenant.id)).toBeUndefined();
    const after = await quote();
    expect(after.status).toBe(422);
    expect(after.json.code).toBe('offer_expired');
    // Deleted on this isolate: gone from the listing at once; only its own tenant can delete it.
    const other = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] } });
    expect((await anon.get('/offers')).json.data.map((o: any) => o.id)).toEqual([other.id]);
    expect((await admin(await createTenant()).delete(`/offers/${other.id}`)).status).toBe(404);
    expect((await admin(tenant).delete(`/offers/${other.id}`)).status).toBe(204);
    expect((await anon.get('/offers')).json.data).toEqual([]);
    expect((await admin(tenant).get(`/offers/${other.id}`)).json.status).toBe('inactive');
  });

  it('re-check another isolate\'s write within the TTL: a write straight to D1 shows once the entry is stale', async () => {
    const tenant = await createTenant();
    const { product } = await createCatalog(tenant, { durations: ['1m'], price: 1000 });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] } });
    const anon = publicApi(tenant);
    const ids = async () => (await anon.get('/offers')).json.data.map((o: any) => o.id);
    expect(await ids()).toEqual([offer.id]);
    // Stale but unchanged: re-checked, kept, fresh again, same answer.
    const first = listingCatalogs.get(tenant.id)!;
    listingCatalogs.set(tenant.id, first.value, { tenantId: tenant.id, version: first.version, generation: listingCatalogs.generation(tenant.id), now: 0 });
    expect(await ids()).toEqual([offer.id]);
    expect(listingCatalogs.get(tenant.id)).toMatchObject({ fresh: true, value: first.value });
    // Another isolate deletes the offer (simulated in D1: the version moves, this isolate is not told).
    await env.DB.batch([
      env.DB.prepare('UPDATE offers SET deleted_at = ?1, updated_at = ?1 WHERE id = ?2').bind(Date.now(), offer.id),
      env.DB.prepare('UPDATE tenants SET catalog_version = catalog_version + 1 WHERE id = ?').bind(tenant.id),
    ]);
    expect(await ids()).toEqual([offer.id]); // within the TTL: the cached definitions may be stale
    const hit = listingCatalogs.get(tenant.id)!;
    listingCatalogs.set(tenant.id, hit.value, { tenantId: tenant.id, version: hit.version, generation: listingCatalogs.generation(tenant.id), now: 0 }); // age it
    expect(await ids()).toEqual([]); // stale: re-checked in the same round trip, reloaded
  });

  it('drop public plans after a committed plan write, and keep every cache within its byte budget', async () => {
    const tenant = await createTenant();
    const { plans } = await createCatalog(tenant, { durations: ['1m', '1y'] });
    const list = async () => (await publicApi(tenant).get('/plans')).json.data.map((p: any) => p.id).sort();
    expect(await list()).toEqual([plans['1m'].id, plans['1y'].id].sort());
    expect(publicPlansCache.get(`${tenant.id}:*`)?.fresh).toBe(true);
    await admin(tenant).patch(`/plans/${plans['1y'].id}`, { active: false });
    expect(publicPlansCache.get(`${tenant.id}:*`)).toBeUndefined();
    expect(await list()).toEqual([plans['1m'].id]);
    for (const cache of allCaches()) {
      const s = cache.stats();
      expect(s.bytes, s.name).toBeLessThanOrEqual(s.maxBytes);
    }
    const total = allCaches().reduce((n, c) => n + c.stats().maxBytes, 0);
    expect(total).toBeLessThan(128 * 1024 * 1024 / 2);
  });
});

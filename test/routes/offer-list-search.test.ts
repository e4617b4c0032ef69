/**
 * GET /admin/v1/offers: the `code` search (shared codes and code-set prefixes by prefix, any
 * code exactly) and `failed_jobs` (the jobs of each listed offer with failed rows), which the
 * console's offers table uses. Both stay inside the tenant.
 */
import { describe, expect, test } from 'vitest';
import { admin, createCatalog, createTenant } from '../helpers';
import { createOffer, freshCode } from '../offers-helpers';
import { waitForJob } from '../bulk-helpers';

describe('GET /admin/v1/offers?code=', () => {
  test('finds shared codes by prefix, case-insensitively, and combines with status and paging', async () => {
    const tenant = await createTenant();
    const { product } = await createCatalog(tenant);
    const applies = { applies_to: { product_ids: [product.id], durations: ['1m'] } };
    const a = await createOffer(tenant, { ...applies, code: 'SPRINGA1' });
    const b = await createOffer(tenant, { ...applies, code: 'SPRINGB2' });
    await createOffer(tenant, { ...applies, code: 'AUTUMN1' });
    const api = admin(tenant);

    const spring = await api.get('/offers?code=spring');
    expect(spring.status).toBe(200);
    expect(spring.json.data.map((o: any) => o.code).sort()).toEqual(['SPRINGA1', 'SPRINGB2']);
    expect((await api.get('/offers?code=SPRINGB2')).json.data.map((o: any) => o.id)).toEqual([b.id]);
    expect((await api.get('/offers?code=SPRINGC')).json.data).toEqual([]);
    expect((await api.get('/offers?code=spring&status=active')).json.data).toHaveLength(2);
    expect((await api.get('/offers?code=spring&status=scheduled')).json.data).toEqual([]);

    const first = await api.get('/offers?code=SPRING&limit=1');
    expect(first.json.has_more).toBe(true);
    const second = await api.get(`/offers?code=SPRING&limit=1&starting_after=${first.json.next_cursor}`);
    expect([first.json.data[0].id, second.json.data[0].id].sort()).toEqual([a.id, b.id].sort());
    expect(second.json.has_more).toBe(false);
  });

  test('finds a code set by its prefix and by one of its codes exactly', async () => {
    const tenant = await createTenant();
    const { product } = await createCatalog(tenant);
    const prefix = freshCode('SET').slice(0, 12);
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, code: undefined, code_set: { count: 5, prefix } });
    await waitForJob(tenant, offer.job.id);
    const api = admin(tenant);
    const codes = (await api.get(`/offers/${offer.id}/codes.csv`)).text.split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(',')[0]);
    expect(codes).toHaveLength(5);
    expect((await api.get(`/offers?code=${prefix.slice(0, 5)}`)).json.data.map((o: any) => o.id)).toEqual([offer.id]);
    expect((await api.get(`/offers?code=${codes[2]!.toLowerCase()}`)).json.data.map((o: any) => o.id)).toEqual([offer.id]);
    // A prefix of a set's code that is not the set's prefix is no exact code.
    expect((await api.get(`/offers?code=${codes[2]!.slice(0, codes[2]!.length - 1)}X`)).json.data).toEqual([]);
  });

  test('a code with other characters is a 400 naming `query.code`', async () => {
    const tenant = await createTenant();
    for (const bad of ['a%20b', 'ab-c', '%27%20OR%201', 'x'.repeat(33)]) {
      const res = await admin(tenant).get(`/offers?code=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.headers.get('Content-Type')).toContain('application/problem+json');
      expect(res.json.errors[0].path).toBe('query.code');
    }
  });

  test('another tenant’s codes are never found', async () => {
    const owner = await createTenant();
    const other = await createTenant();
    const { product } = await createCatalog(owner);
    const code = freshCode('MINE');
    await createOffer(owner, { applies_to: { product_ids: [product.id], durations: ['1m'] }, code });
    expect((await admin(owner).get(`/offers?code=${code}`)).json.data).toHaveLength(1);
    expect((await admin(other).get(`/offers?code=${code}`)).json.data).toEqual([]);
    expect((await admin(other).get('/offers?code=MINE')).json.data).toEqual([]);
  });
});

describe('GET /admin/v1/offers: failed_jobs', () => {
  test('lists the jobs of each offer whose rows failed, with their counts, and none for a clean upload', async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const { product } = await createCatalog(tenant);
    const applies = { applies_to: { product_ids: [product.id], durations: ['1m'] }, eligibility: 'list' };
    const dirty = await createOffer(tenant, applies);
    const clean = await createOffer(tenant, applies);
    const api = admin(tenant);
    const bad = await api.raw('PUT', `/offers/${dirty.id}/eligible-users`, 'user_id,email\nu1,u1@example.com\n,not-an-email\nu2,a,extra\n', 'text/csv');
    expect(bad.status).toBe(202);
    const good = await api.raw('PUT', `/offers/${clean.id}/eligible-users`, 'user_id\nu1\nu2\n', 'text/csv');
    await Promise.all([waitForJob(tenant, bad.json.job.id), waitForJob(tenant, good.json.job.id)]);

    const list = await api.get('/offers');
    const byId = new Map(list.json.data.map((o: any) => [o.id, o]));
    expect((byId.get(dirty.id) as any).failed_jobs).toEqual([{ id: bad.json.job.id, kind: 'eligible_users', failed: 2 }]);
    expect((byId.get(clean.id) as any).failed_jobs).toEqual([]);
    // The failed rows behind the mark.
    const errors = await api.get(`/jobs/${bad.json.job.id}/errors.csv`);
    expect(errors.text.split(/\r?\n/).filter(Boolean)).toHaveLength(3);
    // The single offer carries them too.
    expect((await api.get(`/offers/${dirty.id}`)).json.failed_jobs).toEqual([{ id: bad.json.job.id, kind: 'eligible_users', failed: 2 }]);
    expect((await api.get(`/offers/${clean.id}`)).json.failed_jobs).toEqual([]);
    // Never another tenant's jobs.
    expect((await admin(other).get('/offers')).json.data).toEqual([]);
    expect((await admin(other).get(`/offers/${dirty.id}`)).status).toBe(404);
  });
});

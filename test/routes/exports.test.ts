import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { parse } from 'csv-parse/sync';
import { admin, createCatalog, createTenant, type TestTenant } from '../helpers';
import { insertOffer, waitForJob } from '../bulk-helpers';

const readCsv = (text: string) => parse(text, { columns: true }) as Record<string, string>[];

async function importUsers(tenant: TestTenant, planId: string, csv: string) {
  const res = await admin(tenant).raw('POST', `/plans/${planId}/imports`, csv, 'text/csv');
  await waitForJob(tenant, res.json.job.id);
}

async function setup() {
  const tenant = await createTenant();
  const a = await createCatalog(tenant, { name: 'A', durations: ['1m', '1y'] });
  const b = await createCatalog(tenant, { name: 'B' });
  await importUsers(tenant, a.plans['1m'].id, 'user_id,email\nua1,ua1@x.com\n"=HYPERLINK(""http://evil"")",evil@x.com\n');
  await importUsers(tenant, a.plans['1y'].id, 'user_id\nua2\n');
  await importUsers(tenant, b.plans['1m'].id, 'user_id\nub1\n@SUM(1)\n');
  return { tenant, a, b };
}

describe('exports', () => {
  it('streams subscriptions.csv, filterable by product_id and plan_id', async () => {
    const { tenant, a, b } = await setup();
    const api = admin(tenant);
    const all = await api.get('/exports/subscriptions.csv');
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = readCsv(all.text);
    expect(rows.map((r) => r.user_id).sort()).toEqual(["'=HYPERLINK(\"http://evil\")", "'@SUM(1)", 'ua1', 'ua2', 'ub1']);
    expect(rows.find((r) => r.user_id === 'ua1')).toMatchObject({ email: 'ua1@x.com', plan_id: a.plans['1m'].id, product_id: a.product.id, source: 'import', amount_due: '0', status: 'active' });
    const byProduct = readCsv((await api.get(`/exports/subscriptions.csv?product_id=${a.product.id}`)).text);
    expect(byProduct.map((r) => r.user_id).sort()).toEqual(["'=HYPERLINK(\"http://evil\")", 'ua1', 'ua2']);
    const byPlan = readCsv((await api.get(`/exports/subscriptions.csv?plan_id=${b.plans['1m'].id}`)).text);
    expect(byPlan.map((r) => r.user_id).sort()).toEqual(["'@SUM(1)", 'ub1']);
    const both = readCsv((await api.get(`/exports/subscriptions.csv?product_id=${a.product.id}&plan_id=${b.plans['1m'].id}`)).text);
    expect(both).toEqual([]);
    // Another tenant sees none of them.
    expect(readCsv((await admin(await createTenant()).get('/exports/subscriptions.csv')).text)).toEqual([]);
  });

  it('pages through more rows than one page, in order, without repeats', async () => {
    const tenant = await createTenant();
    const { plans } = await createCatalog(tenant);
    await importUsers(tenant, plans['1m'].id, ['user_id', ...Array.from({ length: 1100 }, (_, i) => `p${i}`)].join('\n'));
    const rows = readCsv((await admin(tenant).get('/exports/subscriptions.csv')).text);
    expect(rows).toHaveLength(1100);
    expect(new Set(rows.map((r) => r.id)).size).toBe(1100);
  });

  it('streams redemptions.csv, filterable, with formula cells neutralised', async () => {
    const { tenant, a, b } = await setup();
    const offerId = await insertOffer(tenant);
    const now = Date.now();
    const insert = (id: string, planId: string, productId: string, code: string) =>
      env.DB.prepare(
        `INSERT INTO redemptions (id, tenant_id, offer_id, subscription_id, user_id, product_id, plan_id, code, kind, cycle, discount, created_at)
         VALUES (?, ?, ?, 'sub_none', 'u1', ?, ?, ?, 'avail', 1, 500, ?)`,
      ).bind(id, tenant.id, offerId, productId, planId, code, now);
    await env.DB.batch([insert('red_1', a.plans['1m'].id, a.product.id, '-CODE1'), insert('red_2', b.plans['1m'].id, b.product.id, 'CODE2')]);
    const api = admin(tenant);
    const all = readCsv((await api.get('/exports/redemptions.csv')).text);
    expect(all.map((r) => [r.id, r.code, r.kind, r.discount])).toEqual([
      ['red_1', "'-CODE1", 'avail', '500'],
      ['red_2', 'CODE2', 'avail', '500'],
    ]);
    expect(readCsv((await api.get(`/exports/redemptions.csv?plan_id=${b.plans['1m'].id}`)).text).map((r) => r.id)).toEqual(['red_2']);
    expect(readCsv((await api.get(`/exports/redemptions.csv?product_id=${a.product.id}`)).text).map((r) => r.id)).toEqual(['red_1']);
  });

  it('refuses malformed filters with 400 naming the field', async () => {
    const api = admin(await createTenant());
    const res = await api.get('/exports/subscriptions.csv?plan_id=DROP%20TABLE');
    expect(res.status).toBe(400);
    expect(res.json.errors[0].path).toBe('query.plan_id');
  });
});

import { describe, expect, it } from 'vitest';
import { call } from '../helpers';

describe('OpenAPI document and docs', () => {
  it('publishes OpenAPI 3.1 with every admin and public route of the foundation', async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    const paths = Object.keys(res.json.paths);
    for (const path of ['/platform/v1/tenants', '/admin/v1/products', '/admin/v1/products/{id}', '/admin/v1/plans', '/admin/v1/plans/{id}', '/v1/plans']) {
      expect(paths, path).toContain(path);
    }
    const create = res.json.paths['/admin/v1/plans'].post;
    const schema = create.requestBody.content['application/json'].schema;
    const resolved = schema.$ref ? res.json.components.schemas[schema.$ref.split('/').pop()] : schema;
    expect(Object.keys(resolved.properties)).toEqual(expect.arrayContaining(['product_id', 'duration', 'price', 'currency', 'pricing']));
  });

  it('lists every mounted admin route in the document', async () => {
    const { app } = await import('../../worker/app');
    const doc = (await call('GET', '/openapi.json')).json;
    const documented = new Set<string>();
    for (const [path, item] of Object.entries<any>(doc.paths)) for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    const mounted = app.routes
      .filter((r) => r.path.startsWith('/admin/v1/') && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`);
    expect(mounted.length).toBeGreaterThan(5);
    for (const route of mounted) expect(documented, route).toContain(route);
  });

  it('serves readable docs and a health check', async () => {
    const docs = await call('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('/admin/v1/plans');
    const health = await call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ ok: true });
  });
});

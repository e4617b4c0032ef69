import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { BASE, call } from '../helpers';

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

  it('serves a health check', async () => {
    const health = await call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ ok: true });
  });

  it('names a declared security scheme on every operation, by path prefix', async () => {
    const doc = (await call('GET', '/openapi.json')).json;
    const schemes = Object.keys(doc.components.securitySchemes);
    expect(schemes).toEqual(expect.arrayContaining(['secretKey', 'publishableKey', 'userToken', 'platformKey', 'consoleSession']));
    const seen: Record<string, string> = {};
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(Array.isArray(op.security) && op.security.length > 0, where).toBe(true);
        for (const requirement of op.security) {
          expect(Object.keys(requirement).length, where).toBeGreaterThan(0);
          for (const name of Object.keys(requirement)) expect(schemes, where).toContain(name);
        }
        seen[where] = JSON.stringify(op.security);
      }
    }
    expect(seen['POST /platform/v1/tenants']).toBe(JSON.stringify([{ platformKey: [] }]));
    expect(seen['POST /admin/v1/offers']).toBe(JSON.stringify([{ secretKey: [] }, { consoleSession: [] }]));
    // Public: the publishable key, with a user token where a signed-in user is needed.
    expect(seen['GET /v1/plans']).toBe(JSON.stringify([{ publishableKey: [], userToken: [] }, { publishableKey: [] }]));
    expect(seen['POST /v1/subscriptions']).toBe(JSON.stringify([{ publishableKey: [], userToken: [] }]));
    for (const [where, security] of Object.entries(seen)) {
      if (where.includes(' /admin/')) expect(security, where).toContain('secretKey');
      if (where.includes(' /v1/')) expect(security, where).toContain('publishableKey');
      if (where.includes(' /platform/')) expect(security, where).toContain('platformKey');
    }
  });

  it('documents every field of POST /admin/v1/offers', async () => {
    const doc = (await call('GET', '/openapi.json')).json;
    const props = new Set<string>();
    const walk = (schema: any, depth = 0): void => {
      if (!schema || depth > 6) return;
      if (schema.$ref) return walk(doc.components.schemas[schema.$ref.split('/').pop()], depth + 1);
      for (const key of ['anyOf', 'oneOf', 'allOf']) for (const s of schema[key] ?? []) walk(s, depth + 1);
      for (const name of Object.keys(schema.properties ?? {})) props.add(name);
    };
    walk(doc.paths['/admin/v1/offers'].post.requestBody.content['application/json'].schema);
    const fields = ['code', 'code_set', 'discount', 'applies_to', 'starts_at', 'ends_at', 'eligibility', 'discoverability', 'max_redemptions', 'avail_limit_per_product', 'avail_limit_total', 'subscription_limit'];
    expect([...props]).toEqual(expect.arrayContaining(fields));
  });

  it('serves /docs, an API reference rendered from /openapi.json whose assets the worker serves itself', async () => {
    const docs = await call('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    // Nothing from another site: every script and stylesheet is a path on this worker.
    const refs = [...docs.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs).toEqual(expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js', '/openapi.json']));
    for (const ref of refs) expect(ref, ref).toMatch(/^\/[^/]/);
    // Inline scripts would be refused by the page's CSP (script-src 'self').
    expect(docs.text).not.toMatch(/<script>(?!<\/script>)/);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
    // Without JavaScript the page still lists every operation and the fields of its body.
    const offers = docs.text.slice(docs.text.indexOf('POST <code>/admin/v1/offers</code>'));
    expect(offers.length, 'POST /admin/v1/offers in the plain reference').toBeLessThan(docs.text.length);
    const section = offers.slice(0, offers.indexOf('</section>'));
    for (const field of ['code_set', 'discount', 'applies_to', 'starts_at', 'ends_at', 'eligibility', 'discoverability', 'max_redemptions', 'avail_limit_per_product', 'avail_limit_total', 'subscription_limit']) {
      expect(section, field).toContain(`<code>${field}</code>`);
    }
    expect(section).toContain('409');
    const init = await call('GET', '/docs/init.js');
    expect(init.status).toBe(200);
    expect(init.headers.get('content-type')).toMatch(/javascript/);
    expect(init.text).toContain("url: '/openapi.json'");
    // Opened on load: the operation that creates an offer, with its fields (its id in the document).
    expect(init.text).toContain("['operations', 'Offers', 'postAdminV1Offers']");
    const offerOp = (await call('GET', '/openapi.json')).json.paths['/admin/v1/offers'].post;
    expect(offerOp.tags).toContain('Offers');
    expect(offerOp.operationId ?? 'postAdminV1Offers').toBe('postAdminV1Offers');
    // The UI's own files are static assets of the same worker (`npm run build` copies them into
    // its asset directory), answered by its ASSETS binding (what serves them in front of the worker).
    const bundle = await env.ASSETS.fetch(`${BASE}/docs/swagger-ui-bundle.js`);
    expect(bundle.status, 'run `npm run build` first: public/docs/ holds the reference UI').toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(await bundle.text()).toContain('SwaggerUIBundle');
    const css = await env.ASSETS.fetch(`${BASE}/docs/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect((await css.text()).length).toBeGreaterThan(10_000);
  });
});

import { describe, expect, it } from 'vitest';
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { BASE, admin, call, createCatalog, createTenant, publicApi } from '../helpers';
import { day } from '../offers-helpers';

describe('CORS (issue 13): a refused origin gets no Access-Control-Allow-Origin', () => {
  it('403 origin_not_allowed without CORS headers; an allowed origin gets them; preflights are still answered', async () => {
    const tenant = await createTenant({ allowed_origins: ['https://news.example'] });
    const api = publicApi(tenant);

    const refused = await api.get('/plans', { Origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('origin_not_allowed');
    expect(refused.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(refused.headers.get('Access-Control-Expose-Headers')).toBeNull();

    const allowed = await api.get('/plans', { Origin: 'https://news.example' });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('https://news.example');
    expect(allowed.headers.get('Vary')).toMatch(/Origin/);

    // An error after the key is checked (here a bad user token) keeps the allowed origin's CORS
    // headers, so the page can read the problem.
    const badToken = await api.get('/plans', { Origin: 'https://news.example', 'X-User-Token': 'not-a-jwt' });
    expect(badToken.status).toBe(401);
    expect(badToken.headers.get('Access-Control-Allow-Origin')).toBe('https://news.example');

    // Preflights carry no key: answered (204) for any origin, before the key is checked.
    for (const origin of ['https://news.example', 'https://evil.example']) {
      const res = await SELF.fetch(`${BASE}/v1/quotes`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('Access-Control-Allow-Origin')).toBe(origin);
      expect(res.headers.get('Access-Control-Allow-Methods')).toContain('POST');
      expect(res.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization');
    }

    // A request without Origin (a server) gets no CORS headers and is not refused.
    const server = await api.get('/plans');
    expect(server.status).toBe(200);
    expect(server.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('a wildcard tenant echoes any origin; another tenant does not inherit it', async () => {
    const open = await createTenant({ allowed_origins: ['*'] });
    const closed = await createTenant({ allowed_origins: [] });
    const a = await publicApi(open).get('/plans', { Origin: 'https://any.example' });
    expect(a.headers.get('Access-Control-Allow-Origin')).toBe('https://any.example');
    const b = await publicApi(closed).get('/plans', { Origin: 'https://any.example' });
    expect(b.status).toBe(403);
    expect(b.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});

describe('offer bodies (issue 13)', () => {
  async function offerBody(tenant: Awaited<ReturnType<typeof createTenant>>, extra: Record<string, unknown>) {
    const { product } = await createCatalog(tenant);
    return {
      discount: { type: 'percent', value: 20 },
      applies_to: { product_ids: [product.id], durations: ['1m'] },
      starts_at: day(0),
      ends_at: day(30),
      eligibility: 'all',
      discoverability: 'public',
      ...extra,
    };
  }

  it('refuses a percentage that would be stored as 0 % (value must be at least 0.01, two decimals at most), naming discount.value', async () => {
    const tenant = await createTenant();
    for (const value of [1e-9, 0.001, 0.009, 0.015, 12.345, 0, -1, 100.01]) {
      const res = await admin(tenant).post('/offers', await offerBody(tenant, { code: `TINY${Math.random().toString(36).slice(2, 8)}`, discount: { type: 'percent', value } }));
      expect(res.status, `${value}: ${res.text}`).toBe(400);
      expect(res.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
      expect(res.json.errors.map((e: { path: string }) => e.path)).toContain('discount.value');
    }
    for (const value of [0.01, 12.5, 99.99, 100]) {
      const res = await admin(tenant).post('/offers', await offerBody(tenant, { code: `OK${Math.random().toString(36).slice(2, 8)}`, discount: { type: 'percent', value } }));
      expect(res.status, `${value}: ${res.text}`).toBe(201);
      expect(res.json.discount).toEqual({ type: 'percent', value });
    }
  });

  it('code_set rejects unknown keys like every other body, naming the key', async () => {
    const tenant = await createTenant();
    const res = await admin(tenant).post('/offers', await offerBody(tenant, { code_set: { count: 5, prefix: 'SET', expires: 'never' } }));
    expect(res.status, res.text).toBe(400);
    expect(res.json.code).toBe('invalid_input');
    expect(res.json.errors).toContainEqual({ path: 'code_set.expires', message: expect.any(String) });
    const ok = await admin(tenant).post('/offers', await offerBody(tenant, { code_set: { count: 5, prefix: 'SET' } }));
    expect(ok.status, ok.text).toBe(201);
  });
});

const cspOf = (headers: Headers) => {
  const csp = headers.get('Content-Security-Policy') ?? '';
  return new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => [d.split(/\s+/)[0]!, d.split(/\s+/).slice(1)] as const));
};

describe('security headers on HTML (issue 13)', () => {
  it('/docs (rendered by the worker) sends a CSP with frame-ancestors, nosniff and a Referrer-Policy', async () => {
    const res = await call('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
    const csp = cspOf(res.headers);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toContain("'self'");
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
    // Every script and stylesheet the page loads comes from this origin, as the CSP requires.
    for (const [, src] of res.text.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)) {
      expect(src!.startsWith('/') && !src!.startsWith('//'), src).toBe(true);
    }
    // No inline script (the CSP would block it).
    expect(/<script(?![^>]*\bsrc=)[^>]*>\s*\S/.test(res.text)).toBe(false);
  });

  it('API responses are nosniff and carry no page policy', async () => {
    const res = await call('GET', '/health');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Content-Security-Policy')).toBeNull();
  });

  it('the demo page and the console (static assets) get their headers from public/_headers', async () => {
    // Static assets are served before the worker runs; in tests they are reached through the
    // ASSETS binding, which applies public/_headers as Cloudflare does.
    const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS;
    for (const path of ['/', '/index.html', '/console/']) {
      const res = await assets.fetch(`${BASE}${path}`);
      const text = await res.text();
      // The console is built into public/console/ by its own build step; the demo page is always there.
      if (path === '/console/' && res.status === 404) continue;
      expect(res.status, path).toBe(200);
      expect(res.headers.get('Content-Type'), path).toMatch(/^text\/html/);
      const csp = cspOf(res.headers);
      expect(csp.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(csp.get('connect-src'), path).toEqual(["'self'"]);
      expect(csp.get('object-src'), path).toEqual(["'none'"]);
      expect(res.headers.get('Content-Security-Policy'), path).not.toContain(','); // one policy, not two joined
      expect(res.headers.get('X-Content-Type-Options'), path).toBe('nosniff');
      expect(res.headers.get('Referrer-Policy'), path).toBe('strict-origin-when-cross-origin');
      if (path === '/console/') {
        // The console's policy allows no inline script, and the built page has none.
        expect(csp.get('script-src')).toEqual(["'self'"]);
        expect(/<script(?![^>]*\bsrc=)[^>]*>\s*\S/.test(text)).toBe(false);
      }
    }
    // The widget bundle stays loadable from publishers' origins, and is nosniff too.
    const widget = await assets.fetch(`${BASE}/widget/offer-checkout.js`);
    await widget.arrayBuffer();
    if (widget.status === 200) {
      expect(widget.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(widget.headers.get('X-Content-Type-Options')).toBe('nosniff');
    }
  });
});

import { env, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASE, call, createTenant, type TestTenant } from '../helpers';

const SESSION = 'offer_checkout_session';

async function signIn(tenant: TestTenant, headers: Record<string, string> = {}) {
  const res = await call('POST', '/console/v1/session', { body: { secret_key: tenant.secret_key }, headers: { Origin: BASE, ...headers } });
  expect(res.status, res.text).toBe(201);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const value = new RegExp(`${SESSION}=([^;]+)`).exec(setCookie)?.[1];
  expect(value).toBeTruthy();
  return { res, setCookie, cookie: `${SESSION}=${value}`, token: value! };
}

/** A cookie-authenticated call, as the console's own page makes it (same origin) unless said. */
function withCookie(cookie: string, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) {
  return call(method, path, { body: opts.body, headers: { Cookie: cookie, ...(opts.headers ?? {}) } });
}

describe('POST /console/v1/session', () => {
  it('signs in with the secret key: HttpOnly, SameSite=Strict, Secure, Path=/ cookie; the key is never echoed', async () => {
    const tenant = await createTenant({ name: 'Console Co' });
    const { res, setCookie, cookie } = await signIn(tenant);
    expect(res.json.tenant).toEqual({ id: tenant.id, name: 'Console Co' });
    expect(res.text).not.toContain(tenant.secret_key);
    expect(setCookie).not.toContain(tenant.secret_key);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/Max-Age=43200/);

    const session = await withCookie(cookie, 'GET', '/console/v1/session');
    expect(session.status).toBe(200);
    expect(session.json.tenant).toEqual({ id: tenant.id, name: 'Console Co' });
    expect(Date.parse(session.json.expires_at)).toBeGreaterThan(Date.now() + 11 * 3600_000);
  });

  it('leaves Secure off on http://localhost and http://127.0.0.1 only', async () => {
    const tenant = await createTenant();
    for (const origin of ['http://localhost:8787', 'http://127.0.0.1:8787']) {
      const res = await SELF.fetch(`${origin}/console/v1/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: origin },
        body: JSON.stringify({ secret_key: tenant.secret_key }),
      });
      expect(res.status).toBe(201);
      const setCookie = res.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).not.toMatch(/Secure/i);
    }
  });

  it('refuses bad keys, publishable keys, bad bodies and sign-ins from another origin', async () => {
    const tenant = await createTenant();
    const forged = `sk_${tenant.secret_key.slice(3, 15)}${'a'.repeat(40)}`;
    for (const key of [forged, tenant.publishable_key, 'sk_nope']) {
      const res = await call('POST', '/console/v1/session', { body: { secret_key: key } });
      expect(res.status, key).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    const empty = await call('POST', '/console/v1/session', { body: {} });
    expect(empty.status).toBe(400);
    expect(empty.json.errors[0].path).toBe('secret_key');
    const cross = await call('POST', '/console/v1/session', { body: { secret_key: tenant.secret_key }, headers: { Origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    expect(cross.json.code).toBe('csrf_refused');
    expect(cross.headers.get('set-cookie')).toBeNull();
  });

  it('answers 401 without a session or with an unknown one', async () => {
    expect((await call('GET', '/console/v1/session')).status).toBe(401);
    const unknown = await withCookie(`${SESSION}=ocs_${'A'.repeat(43)}`, 'GET', '/console/v1/session');
    expect(unknown.status).toBe(401);
    expect((await withCookie(`${SESSION}=garbage`, 'GET', '/admin/v1/products')).status).toBe(401);
  });
});

describe('the admin API with the console cookie', () => {
  it('reads with the cookie, and writes only from the same origin (403 csrf_refused otherwise)', async () => {
    const tenant = await createTenant();
    const { cookie } = await signIn(tenant);
    expect((await withCookie(cookie, 'GET', '/admin/v1/products')).status).toBe(200);

    const body = { name: 'From the console' };
    const evil = await withCookie(cookie, 'POST', '/admin/v1/products', { body, headers: { Origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.json.code).toBe('csrf_refused');
    const crossSite = await withCookie(cookie, 'POST', '/admin/v1/products', { body, headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json.code).toBe('csrf_refused');
    // No proof of origin at all is refused too.
    const bare = await withCookie(cookie, 'POST', '/admin/v1/products', { body });
    expect(bare.status).toBe(403);
    expect(bare.json.code).toBe('csrf_refused');
    // Nothing was written by the refused requests.
    expect((await withCookie(cookie, 'GET', '/admin/v1/products')).json.data).toEqual([]);

    const sameOrigin = await withCookie(cookie, 'POST', '/admin/v1/products', { body, headers: { Origin: BASE } });
    expect(sameOrigin.status).toBe(201);
    const fetchMeta = await withCookie(cookie, 'POST', '/admin/v1/products', { body, headers: { 'Sec-Fetch-Site': 'same-origin' } });
    expect(fetchMeta.status).toBe(201);
    const deleted = await withCookie(cookie, 'DELETE', `/admin/v1/products/${sameOrigin.json.id}`, { headers: { Origin: 'https://evil.example' } });
    expect(deleted.status).toBe(403);
    expect(deleted.json.code).toBe('csrf_refused');

    // A bearer key is not subject to the origin rule (server-to-server).
    const bearer = await call('POST', '/admin/v1/products', { key: tenant.secret_key, body, headers: { Origin: 'https://elsewhere.example' } });
    expect(bearer.status).toBe(201);
  });

  it("never lets one tenant's session see another tenant's data", async () => {
    const a = await createTenant({ name: 'A' });
    const b = await createTenant({ name: 'B' });
    const product = await call('POST', '/admin/v1/products', { key: a.secret_key, body: { name: 'A only' } });
    const { cookie } = await signIn(b);
    expect((await withCookie(cookie, 'GET', `/admin/v1/products/${product.json.id}`)).status).toBe(404);
    expect((await withCookie(cookie, 'GET', '/admin/v1/products')).json.data).toEqual([]);
    expect((await withCookie(cookie, 'GET', '/console/v1/session')).json.tenant.id).toBe(b.id);
  });
});

describe('session lifetime', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a session ends after 12 h; the next sign-in deletes the expired rows', async () => {
    const tenant = await createTenant();
    const { cookie } = await signIn(tenant);
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start + 12 * 3600_000 - 5_000);
    expect((await withCookie(cookie, 'GET', '/admin/v1/products')).status).toBe(200);
    vi.setSystemTime(start + 12 * 3600_000 + 1_000);
    expect((await withCookie(cookie, 'GET', '/admin/v1/products')).status).toBe(401);
    expect((await withCookie(cookie, 'GET', '/console/v1/session')).status).toBe(401);
    await signIn(tenant);
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM console_sessions WHERE tenant_id = ?').bind(tenant.id).first<{ n: number }>();
    expect(rows!.n).toBe(1);
  });
});

describe('DELETE /console/v1/session', () => {
  it('signs out: deletes the session and clears the cookie', async () => {
    const tenant = await createTenant();
    const { cookie } = await signIn(tenant);
    const refused = await withCookie(cookie, 'DELETE', '/console/v1/session', { headers: { Origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    expect((await withCookie(cookie, 'GET', '/console/v1/session')).status).toBe(200);

    const out = await withCookie(cookie, 'DELETE', '/console/v1/session', { headers: { Origin: BASE } });
    expect(out.status).toBe(204);
    const cleared = out.headers.get('set-cookie') ?? '';
    expect(cleared).toMatch(new RegExp(`${SESSION}=;`));
    expect(cleared).toMatch(/Max-Age=0/);
    expect((await withCookie(cookie, 'GET', '/console/v1/session')).status).toBe(401);
    expect((await withCookie(cookie, 'GET', '/admin/v1/products')).status).toBe(401);
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM console_sessions WHERE tenant_id = ?').bind(tenant.id).first<{ n: number }>();
    expect(rows!.n).toBe(0);
    // Signing out again (or without a session) is harmless.
    expect((await withCookie(cookie, 'DELETE', '/console/v1/session', { headers: { Origin: BASE } })).status).toBe(204);
  });

  it('stores only the SHA-256 of the session token', async () => {
    const tenant = await createTenant();
    const { token } = await signIn(tenant);
    const rows = await env.DB.prepare('SELECT * FROM console_sessions WHERE tenant_id = ?').bind(tenant.id).all();
    expect(rows.results).toHaveLength(1);
    expect(JSON.stringify(rows.results)).not.toContain(token);
    expect(JSON.stringify(rows.results)).not.toContain(token.slice(4));
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
    const hex = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect((rows.results[0] as { id: string }).id).toBe(hex);
  });
});

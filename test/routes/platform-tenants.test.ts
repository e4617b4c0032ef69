import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASE, PLATFORM_KEY, admin, call, createTenant, publicApi } from '../helpers';

afterEach(() => {
  vi.useRealTimers();
});

const platform = {
  get: (path: string) => call('GET', `/platform/v1${path}`, { key: PLATFORM_KEY }),
  patch: (path: string, body: unknown) => call('PATCH', `/platform/v1${path}`, { key: PLATFORM_KEY, body }),
};

describe('GET /platform/v1/tenants', () => {
  it('lists every tenant, keyset-paginated, without any key or secret', async () => {
    const created = [await createTenant({ name: 'P1' }), await createTenant({ name: 'P2' }), await createTenant({ name: 'P3' })];
    const seen = new Map<string, any>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await platform.get(`/tenants?limit=2${cursor ? `&starting_after=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.json.data.length).toBeLessThanOrEqual(2);
      for (const t of res.json.data) {
        expect(seen.has(t.id)).toBe(false);
        seen.set(t.id, t);
      }
      expect(res.json.has_more).toBe(res.json.next_cursor !== null);
      cursor = res.json.next_cursor;
      pages++;
    } while (cursor && pages < 10_000);
    for (const tenant of created) {
      expect(seen.get(tenant.id)).toMatchObject({ id: tenant.id, time_zone: 'UTC', allowed_origins: [], checkout_hold_minutes: 30, disabled: false, disabled_at: null });
    }
    // `after` is a synonym of `starting_after`.
    const first = await platform.get('/tenants?limit=1');
    const second = await platform.get(`/tenants?limit=1&after=${first.json.data[0].id}`);
    expect(second.json.data[0].id > first.json.data[0].id).toBe(true);
    const page = await platform.get('/tenants?limit=200');
    for (const tenant of created) {
      expect(page.text).not.toContain(tenant.secret_key);
      expect(page.text).not.toContain(tenant.user_token_secret);
    }
  });

  it('needs the platform key and validates the query', async () => {
    const tenant = await createTenant();
    expect((await call('GET', '/platform/v1/tenants')).status).toBe(401);
    expect((await call('GET', '/platform/v1/tenants', { key: tenant.secret_key })).status).toBe(401);
    expect((await call('PATCH', `/platform/v1/tenants/${tenant.id}`, { key: tenant.secret_key, body: { disabled: true } })).status).toBe(401);
    const bad = await platform.get('/tenants?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('query.limit');
  });
});

describe('PATCH /platform/v1/tenants/{id}', () => {
  it("disables a tenant: its secret key, publishable key and console sessions answer 403 tenant_disabled; re-enabled, they work", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const signIn = await call('POST', '/console/v1/session', { body: { secret_key: tenant.secret_key }, headers: { Origin: BASE } });
    const cookie = /offer_checkout_session=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')![0];
    expect((await admin(tenant).get('/products')).status).toBe(200);
    expect((await publicApi(tenant).get('/plans')).status).toBe(200);

    const disabled = await platform.patch(`/tenants/${tenant.id}`, { disabled: true });
    expect(disabled.status).toBe(200);
    expect(disabled.json).toMatchObject({ id: tenant.id, disabled: true });
    expect(disabled.json.disabled_at).not.toBeNull();
    for (const res of [
      await admin(tenant).get('/products'),
      await publicApi(tenant).get('/plans'),
      await call('GET', '/admin/v1/products', { headers: { Cookie: cookie } }),
      await call('GET', '/console/v1/session', { headers: { Cookie: cookie } }),
      await call('POST', '/console/v1/session', { body: { secret_key: tenant.secret_key } }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.json.code).toBe('tenant_disabled');
    }
    // Disabling again keeps the first instant; other tenants are untouched.
    expect((await platform.patch(`/tenants/${tenant.id}`, { disabled: true })).json.disabled_at).toBe(disabled.json.disabled_at);
    expect((await admin(other).get('/products')).status).toBe(200);
    expect((await platform.get(`/tenants/${tenant.id}`)).json.disabled).toBe(true);

    const enabled = await platform.patch(`/tenants/${tenant.id}`, { disabled: false });
    expect(enabled.json).toMatchObject({ disabled: false, disabled_at: null });
    expect((await admin(tenant).get('/products')).status).toBe(200);
    expect((await publicApi(tenant).get('/plans')).status).toBe(200);
    expect((await call('GET', '/admin/v1/products', { headers: { Cookie: cookie } })).status).toBe(200);
  });

  it('a tenant disabled from another isolate is refused within 5 s', async () => {
    const tenant = await createTenant();
    expect((await admin(tenant).get('/products')).status).toBe(200);
    const at = Date.now();
    await env.DB.prepare('UPDATE tenants SET disabled_at = ? WHERE id = ?').bind(at, tenant.id).run();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(at + 5_000);
    const res = await admin(tenant).get('/products');
    expect(res.status).toBe(403);
    expect(res.json.code).toBe('tenant_disabled');
  });

  it('answers 404 for an unknown tenant and 400 for a bad body', async () => {
    const tenant = await createTenant();
    expect((await platform.patch('/tenants/ten_doesnotexist0000', { disabled: true })).status).toBe(404);
    expect((await platform.get('/tenants/ten_doesnotexist0000')).status).toBe(404);
    for (const body of [{}, { disabled: 'yes' }, { disabled: true, name: 'x' }]) {
      const res = await platform.patch(`/tenants/${tenant.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(['disabled', 'name']).toContain(res.json.errors[0].path);
    }
    expect((await platform.patch('/tenants/not an id', { disabled: true })).status).toBe(400);
  });
});

import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sign } from 'hono/jwt';
import { admin, call, createCatalog, createTenant, PLATFORM_KEY, publicApi, userToken } from '../helpers';

describe('POST /platform/v1/tenants', () => {
  it('creates a tenant with keys shown once, and needs the platform key', async () => {
    const res = await call('POST', '/platform/v1/tenants', {
      key: PLATFORM_KEY,
      body: { name: 'The Daily', time_zone: 'Asia/Kolkata', allowed_origins: ['https://daily.example'] },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: 'The Daily', time_zone: 'Asia/Kolkata', allowed_origins: ['https://daily.example'] });
    expect(res.json.id).toMatch(/^ten_/);
    expect(res.json.secret_key).toMatch(/^sk_/);
    expect(res.json.publishable_key).toMatch(/^pk_/);
    expect(res.json.user_token_secret.length).toBeGreaterThan(30);

    expect((await call('POST', '/platform/v1/tenants', { body: { name: 'x' } })).status).toBe(401);
    expect((await call('POST', '/platform/v1/tenants', { key: 'wrong', body: { name: 'x' } })).status).toBe(401);
    // A tenant's own secret key is not the platform key.
    expect((await call('POST', '/platform/v1/tenants', { key: res.json.secret_key, body: { name: 'x' } })).status).toBe(401);
  });

  it('defaults the time zone to UTC and refuses unknown zones and bad origins', async () => {
    expect((await createTenant()).time_zone).toBe('UTC');
    const badZone = await call('POST', '/platform/v1/tenants', { key: PLATFORM_KEY, body: { name: 'x', time_zone: 'Mars/Olympus' } });
    expect(badZone.status).toBe(400);
    expect(badZone.json.errors[0].path).toBe('time_zone');
    const badOrigin = await call('POST', '/platform/v1/tenants', { key: PLATFORM_KEY, body: { name: 'x', allowed_origins: ['https://a.example/path'] } });
    expect(badOrigin.status).toBe(400);
    expect(badOrigin.json.errors[0].path).toBe('allowed_origins.0');
  });

  it('stores no secret in plain text in D1 (keys, rotated keys, user-token secrets, console sessions)', async () => {
    const tenant = await createTenant();
    const newSecret = await admin(tenant).post('/keys', { kind: 'secret', expire_current_in_hours: 1 });
    const newPublishable = await admin(tenant).post('/keys', { kind: 'publishable' });
    const tokenSecret = await admin(tenant).post('/user-token-secrets');
    const signIn = await call('POST', '/console/v1/session', { body: { secret_key: tenant.secret_key } });
    expect([newSecret.status, newPublishable.status, tokenSecret.status, signIn.status]).toEqual([201, 201, 201, 201]);
    const session = /offer_checkout_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')![1]!;
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>();
    expect(tables.results.map((t) => t.name)).toEqual(expect.arrayContaining(['api_keys', 'user_token_secrets', 'console_sessions']));
    const secrets = [
      tenant.secret_key,
      tenant.publishable_key,
      tenant.user_token_secret,
      newSecret.json.secret_key,
      newPublishable.json.publishable_key,
      tokenSecret.json.secret,
      session,
    ];
    for (const { name } of tables.results) {
      if (name.startsWith('_cf') || name.startsWith('sqlite')) continue;
      const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
      const dump = JSON.stringify(rows.results);
      for (const secret of secrets) {
        expect(dump.includes(secret), `${name} holds a secret`).toBe(false);
        // nor the part after the prefix
        expect(dump.includes(secret.slice(3)), `${name} holds a secret`).toBe(false);
      }
    }
  });
});

describe('keys', () => {
  it('refuses missing, malformed, unknown and wrong-kind keys', async () => {
    const tenant = await createTenant();
    expect((await call('GET', '/admin/v1/products')).status).toBe(401);
    expect((await call('GET', '/admin/v1/products', { key: 'sk_nope' })).status).toBe(401);
    const forged = `sk_${tenant.secret_key.slice(3, 15)}${'a'.repeat(40)}`;
    expect((await call('GET', '/admin/v1/products', { key: forged })).status).toBe(401);
    // A publishable key cannot use the admin API, nor a secret key the public one.
    expect((await call('GET', '/admin/v1/products', { key: tenant.publishable_key })).status).toBe(401);
    expect((await call('GET', '/v1/plans', { key: tenant.secret_key })).status).toBe(401);
    const res = await call('GET', '/admin/v1/products', { key: tenant.secret_key });
    expect(res.status).toBe(200);
  });
});

describe('tenant isolation', () => {
  it("never lets tenant B read or change tenant A's catalog", async () => {
    const a = await createTenant({ name: 'A' });
    const b = await createTenant({ name: 'B' });
    const { product, plans } = await createCatalog(a);
    const plan = plans['1m'];
    const asB = admin(b);

    expect((await asB.get(`/products/${product.id}`)).status).toBe(404);
    expect((await asB.get(`/plans/${plan.id}`)).status).toBe(404);
    expect((await asB.patch(`/products/${product.id}`, { name: 'hijacked' })).status).toBe(404);
    expect((await asB.patch(`/plans/${plan.id}`, { price: 1 })).status).toBe(404);
    expect((await asB.delete(`/plans/${plan.id}`)).status).toBe(404);
    expect((await asB.delete(`/products/${product.id}`)).status).toBe(404);
    expect((await asB.get('/products')).json.data).toEqual([]);
    expect((await asB.get('/plans')).json.data).toEqual([]);
    // B cannot hang a plan on A's product.
    const cross = await asB.post('/plans', { product_id: product.id, name: 'x', duration: '1m', price: 1, currency: 'INR' });
    expect(cross.status).toBe(404);
    expect((await publicApi(b).get(`/plans?product_id=${product.id}`)).json.data).toEqual([]);

    // A's data is untouched.
    expect((await admin(a).get(`/plans/${plan.id}`)).json).toMatchObject({ price: plan.price, name: plan.name });
    expect((await admin(a).get(`/products/${product.id}`)).json.name).toBe(product.name);
  });

  it("never lets tenant B read or change tenant A's settings, keys or user-token secrets", async () => {
    const a = await createTenant({ name: 'A', allowed_origins: ['https://a.example'] });
    const b = await createTenant({ name: 'B' });
    const asB = admin(b);
    const aKeys = (await admin(a).get('/keys')).json.data;
    expect((await asB.get('/tenant')).json.id).toBe(b.id);
    expect((await asB.patch('/tenant', { name: 'B2' })).status).toBe(200);
    const bKeys = (await asB.get('/keys')).json.data;
    expect(bKeys.some((k: any) => aKeys.some((ak: any) => ak.id === k.id))).toBe(false);
    for (const key of aKeys) expect((await asB.delete(`/keys/${key.id}`)).status).toBe(404);
    expect((await asB.post('/keys', { kind: 'secret', expire_current_in_hours: 24 })).status).toBe(201);
    expect((await asB.post('/user-token-secrets')).status).toBe(201);
    // A is untouched: settings, keys (neither expired nor revoked), version-1 user tokens.
    expect((await admin(a).get('/tenant')).json).toMatchObject({ name: 'A', allowed_origins: ['https://a.example'] });
    expect((await admin(a).get('/keys')).json.data.every((k: any) => k.expires_at === null && k.revoked_at === null)).toBe(true);
    const token = await userToken(a, { sub: 'u1' });
    expect((await publicApi(a, { userToken: token }).get('/plans')).status).toBe(200);
    // B's session cookie cannot reach A either.
    const signIn = await call('POST', '/console/v1/session', { body: { secret_key: b.secret_key } });
    const cookie = /offer_checkout_session=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')![0];
    const viaCookie = await call('GET', '/admin/v1/tenant', { headers: { Cookie: cookie } });
    expect(viaCookie.json.id).toBe(b.id);
    const keysViaCookie = await call('GET', '/admin/v1/keys', { headers: { Cookie: cookie } });
    expect(keysViaCookie.json.data.some((k: any) => aKeys.some((ak: any) => ak.id === k.id))).toBe(false);
    expect((await call('DELETE', `/admin/v1/keys/${aKeys[0].id}`, { headers: { Cookie: cookie, Origin: 'https://offer-checkout.test' } })).status).toBe(404);
  });
});

describe('public API: origins and user tokens', () => {
  it('serves allowed origins with CORS and refuses others', async () => {
    const tenant = await createTenant({ allowed_origins: ['https://news.example'] });
    const ok = await publicApi(tenant, { headers: { Origin: 'https://news.example' } }).get('/plans');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://news.example');
    const refused = await publicApi(tenant, { headers: { Origin: 'https://evil.example' } }).get('/plans');
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('origin_not_allowed');
    // Server-to-server calls carry no Origin.
    expect((await publicApi(tenant).get('/plans')).status).toBe(200);

    const preflight = await call('OPTIONS', '/v1/quotes', {
      headers: { Origin: 'https://news.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,x-user-token,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-user-token');
  });

  it('refuses user tokens that are forged, expired or signed by another tenant', async () => {
    const a = await createTenant();
    const b = await createTenant();
    const good = await userToken(a, { sub: 'u1', email: 'u1@example.com', email_verified: true });
    expect((await publicApi(a, { userToken: good }).get('/plans')).status).toBe(200);

    const expired = await userToken(a, { sub: 'u1', exp: Math.floor(Date.now() / 1000) - 10 });
    const otherTenant = await userToken(b, { sub: 'u1' });
    const forged = await sign({ sub: 'u1', exp: Math.floor(Date.now() / 1000) + 60 }, 'guessed-secret', 'HS256');
    const noneAlg = `${btoa(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${btoa(JSON.stringify({ sub: 'u1', exp: 9999999999 }))}.`;
    const noExp = await sign({ sub: 'u1' }, a.user_token_secret, 'HS256');
    for (const token of [expired, otherTenant, forged, noneAlg, noExp, 'garbage']) {
      const res = await publicApi(a, { userToken: token }).get('/plans');
      expect(res.status, token).toBe(401);
      expect(res.json.code).toBe('invalid_user_token');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { admin, call, createCatalog, createTenant, publicApi } from '../helpers';

describe('GET /admin/v1/tenant', () => {
  it("answers the calling tenant's settings", async () => {
    const tenant = await createTenant({ name: 'The Daily', time_zone: 'Asia/Kolkata', allowed_origins: ['https://daily.example'] });
    const res = await admin(tenant).get('/tenant');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id: tenant.id,
      name: 'The Daily',
      time_zone: 'Asia/Kolkata',
      allowed_origins: ['https://daily.example'],
      checkout_hold_minutes: 30,
    });
    expect((await call('GET', '/admin/v1/tenant')).status).toBe(401);
    expect((await call('GET', '/admin/v1/tenant', { key: tenant.publishable_key })).status).toBe(401);
  });
});

describe('PATCH /admin/v1/tenant', () => {
  it('changes any of the settings and answers them', async () => {
    const tenant = await createTenant({ name: 'Old name' });
    const res = await admin(tenant).patch('/tenant', {
      name: 'New name',
      time_zone: 'America/New_York',
      allowed_origins: ['https://daily.example', 'http://localhost:5173'],
      checkout_hold_minutes: 1440,
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id: tenant.id,
      name: 'New name',
      time_zone: 'America/New_York',
      allowed_origins: ['https://daily.example', 'http://localhost:5173'],
      checkout_hold_minutes: 1440,
    });
    // A partial change leaves the rest alone.
    const partial = await admin(tenant).patch('/tenant', { checkout_hold_minutes: 1 });
    expect(partial.json).toMatchObject({ name: 'New name', time_zone: 'America/New_York', checkout_hold_minutes: 1 });
    expect((await admin(tenant).get('/tenant')).json).toEqual(partial.json);
  });

  it('an empty change answers the settings unchanged (never a 500)', async () => {
    const tenant = await createTenant({ name: 'Unchanged' });
    const res = await admin(tenant).patch('/tenant', {});
    expect(res.status).toBe(200);
    expect(res.json.name).toBe('Unchanged');
    const raw = await call('PATCH', '/admin/v1/tenant', { key: tenant.secret_key, raw: 'not json', headers: { 'Content-Type': 'text/plain' } });
    expect(raw.status).toBeLessThan(500);
  });

  it('validates every field and names it', async () => {
    const tenant = await createTenant();
    const cases: [unknown, string][] = [
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ time_zone: 'Mars/Olympus' }, 'time_zone'],
      [{ time_zone: 5 }, 'time_zone'],
      [{ allowed_origins: ['https://a.example/path'] }, 'allowed_origins.0'],
      [{ allowed_origins: ['https://ok.example', 'ftp://files.example'] }, 'allowed_origins.1'],
      [{ allowed_origins: ['https://a.example/'] }, 'allowed_origins.0'],
      [{ allowed_origins: 'https://a.example' }, 'allowed_origins'],
      [{ checkout_hold_minutes: 0 }, 'checkout_hold_minutes'],
      [{ checkout_hold_minutes: 1441 }, 'checkout_hold_minutes'],
      [{ checkout_hold_minutes: 2.5 }, 'checkout_hold_minutes'],
      [{ checkout_hold_minutes: '30' }, 'checkout_hold_minutes'],
      [{ id: 'ten_other' }, 'id'],
      [{ disabled: true }, 'disabled'],
    ];
    for (const [body, path] of cases) {
      const res = await admin(tenant).patch('/tenant', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json.errors[0].path, JSON.stringify(body)).toBe(path);
    }
    const malformed = await call('PATCH', '/admin/v1/tenant', { key: tenant.secret_key, raw: '{', headers: { 'Content-Type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect((await admin(tenant).get('/tenant')).json).toMatchObject({ name: 'Test publisher', time_zone: 'UTC', checkout_hold_minutes: 30 });
  });

  it('a change of allowed origins takes effect at once for new requests', async () => {
    const tenant = await createTenant({ allowed_origins: ['https://daily.example'] });
    const staging = { headers: { Origin: 'https://staging.daily.example' } };
    expect((await publicApi(tenant, staging).get('/plans')).status).toBe(403); // key now cached
    expect((await admin(tenant).patch('/tenant', { allowed_origins: ['https://daily.example', 'https://staging.daily.example'] })).status).toBe(200);
    const ok = await publicApi(tenant, staging).get('/plans');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://staging.daily.example');
    expect((await admin(tenant).patch('/tenant', { allowed_origins: ['*'] })).status).toBe(200);
    expect((await publicApi(tenant, { headers: { Origin: 'https://any.example' } }).get('/plans')).status).toBe(200);
    expect((await admin(tenant).patch('/tenant', { allowed_origins: [] })).status).toBe(200);
    expect((await publicApi(tenant, staging).get('/plans')).status).toBe(403);
  });

  it('a change of time zone takes effect at once: "today" for new offers follows it', async () => {
    const tenant = await createTenant({ time_zone: 'UTC' });
    const { product } = await createCatalog(tenant);
    // Pacific/Kiritimati is UTC+14: for part of every UTC day its date is already tomorrow.
    const zone = 'Pacific/Kiritimati';
    expect((await admin(tenant).patch('/tenant', { time_zone: zone })).status).toBe(200);
    expect((await admin(tenant).get('/tenant')).json.time_zone).toBe(zone);
    const todayThere = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
    const offer = await admin(tenant).post('/offers', {
      code: 'TZCHANGE',
      discount: { type: 'percent', value: 10 },
      applies_to: { product_ids: [product.id], durations: ['1m'] },
      starts_at: todayThere,
      ends_at: '2099-12-31',
      eligibility: 'all',
      discoverability: 'private',
    });
    expect(offer.status, offer.text).toBe(201);
    expect(Date.parse(offer.json.starts_at)).toBe(Date.parse(`${todayThere}T00:00:00+14:00`));
  });

  it("never lets tenant B read or change tenant A's settings", async () => {
    const a = await createTenant({ name: 'A', allowed_origins: ['https://a.example'] });
    const b = await createTenant({ name: 'B' });
    expect((await admin(b).get('/tenant')).json.id).toBe(b.id);
    expect((await admin(b).patch('/tenant', { name: 'B renamed', allowed_origins: ['*'], checkout_hold_minutes: 5 })).status).toBe(200);
    expect((await admin(a).get('/tenant')).json).toEqual({
      id: a.id,
      name: 'A',
      time_zone: 'UTC',
      allowed_origins: ['https://a.example'],
      checkout_hold_minutes: 30,
    });
    expect((await publicApi(a, { headers: { Origin: 'https://b.example' } }).get('/plans')).status).toBe(403);
    // There is no way to name another tenant here.
    expect((await call('PATCH', `/admin/v1/tenant/${a.id}`, { key: b.secret_key, body: { name: 'x' } })).status).toBe(404);
  });
});

describe('OpenAPI', () => {
  it('documents every tenant-administration and console-session route, and the cookie scheme', async () => {
    const doc = (await call('GET', '/openapi.json')).json;
    const expected: [string, string][] = [
      ['/admin/v1/tenant', 'get'],
      ['/admin/v1/tenant', 'patch'],
      ['/admin/v1/keys', 'get'],
      ['/admin/v1/keys', 'post'],
      ['/admin/v1/keys/{id}', 'delete'],
      ['/admin/v1/user-token-secrets', 'post'],
      ['/platform/v1/tenants', 'get'],
      ['/platform/v1/tenants', 'post'],
      ['/platform/v1/tenants/{id}', 'get'],
      ['/platform/v1/tenants/{id}', 'patch'],
      ['/console/v1/session', 'post'],
      ['/console/v1/session', 'get'],
      ['/console/v1/session', 'delete'],
    ];
    for (const [path, method] of expected) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeTruthy();
    expect(doc.components.securitySchemes.consoleSession).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'offer_checkout_session' });
    const patch = doc.paths['/admin/v1/tenant'].patch.requestBody.content['application/json'].schema;
    const resolved = patch.$ref ? doc.components.schemas[patch.$ref.split('/').pop()] : patch;
    expect(Object.keys(resolved.properties).sort()).toEqual(['allowed_origins', 'checkout_hold_minutes', 'name', 'time_zone']);
  });
});

import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASE, admin, call, createTenant, publicApi, type TestTenant } from '../helpers';

const HOUR = 3600_000;

afterEach(() => {
  vi.useRealTimers();
});

/** Moves the clock of this isolate (tests and worker share it) to `at`. */
function clockAt(at: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
}

const adminWith = (key: string) => admin({ secret_key: key } as TestTenant);

async function newKey(tenant: TestTenant | string, body: Record<string, unknown>) {
  const key = typeof tenant === 'string' ? tenant : tenant.secret_key;
  const res = await adminWith(key).post('/keys', body);
  expect(res.status, res.text).toBe(201);
  return res.json;
}

describe('GET /admin/v1/keys', () => {
  it('lists both keys with prefixes and never their values', async () => {
    const tenant = await createTenant();
    const res = await admin(tenant).get('/keys');
    expect(res.status).toBe(200);
    expect(res.json.data).toHaveLength(2);
    const secret = res.json.data.find((k: any) => k.kind === 'secret');
    const publishable = res.json.data.find((k: any) => k.kind === 'publishable');
    expect(tenant.secret_key.startsWith(secret.prefix)).toBe(true);
    expect(tenant.publishable_key.startsWith(publishable.prefix)).toBe(true);
    expect(secret.prefix).toMatch(/^sk_[0-9a-z]{12}$/);
    expect(Object.keys(secret).sort()).toEqual(['created_at', 'expires_at', 'id', 'kind', 'last_used_at', 'prefix', 'revoked_at']);
    expect(secret).toMatchObject({ expires_at: null, revoked_at: null });
    expect(res.text).not.toContain(tenant.secret_key);
    expect(res.text).not.toContain(tenant.publishable_key);
  });

  it('records last_used_at after use, without a D1 write on every request', async () => {
    const tenant = await createTenant();
    const api = admin(tenant);
    await api.get('/products');
    let used: string | null = null;
    for (let i = 0; i < 50 && !used; i++) {
      const rows = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE tenant_id = ? AND kind = 'secret'").bind(tenant.id).all<{ last_used_at: number | null }>();
      used = rows.results[0]!.last_used_at === null ? null : String(rows.results[0]!.last_used_at);
      if (!used) await new Promise((r) => setTimeout(r, 20));
    }
    expect(used).not.toBeNull();
    const first = Number(used);
    // More requests within the minute do not move it (at most one write per key per minute).
    await api.get('/products');
    await api.get('/products');
    await new Promise((r) => setTimeout(r, 100));
    const again = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE tenant_id = ? AND kind = 'secret'").bind(tenant.id).first<{ last_used_at: number }>();
    expect(again!.last_used_at).toBe(first);
    const listed = (await api.get('/keys')).json.data.find((k: any) => k.kind === 'secret');
    expect(Date.parse(listed.last_used_at)).toBe(first);
  });
});

describe('POST /admin/v1/keys (rotation)', () => {
  it('answers the new secret key once; the old one works until expires_at, then 401', async () => {
    const tenant = await createTenant();
    const start = Date.now();
    const created = await newKey(tenant, { kind: 'secret', expire_current_in_hours: 2 });
    expect(created.secret_key).toMatch(/^sk_/);
    expect(created.publishable_key).toBeUndefined();
    expect(created.secret_key.startsWith(created.prefix)).toBe(true);
    expect(created).toMatchObject({ kind: 'secret', expires_at: null, revoked_at: null });

    const list = (await admin(tenant).get('/keys')).json.data;
    expect(list.some((k: any) => k.id === created.id)).toBe(true);
    expect(JSON.stringify(list)).not.toContain(created.secret_key);
    const old = list.find((k: any) => k.kind === 'secret' && k.id !== created.id);
    const expiresAt = Date.parse(old.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(start + 2 * HOUR);
    expect(expiresAt).toBeLessThan(Date.now() + 2 * HOUR + 1000);
    // The publishable key is not touched by a secret-key rotation.
    expect(list.find((k: any) => k.kind === 'publishable').expires_at).toBeNull();

    // Both work during the overlap, even seconds before the end.
    expect((await admin(tenant).get('/products')).status).toBe(200);
    expect((await adminWith(created.secret_key).get('/products')).status).toBe(200);
    clockAt(expiresAt - 1000);
    expect((await admin(tenant).get('/products')).status).toBe(200);
    clockAt(expiresAt + 1);
    const expired = await admin(tenant).get('/products');
    expect(expired.status).toBe(401);
    expect(expired.json.code).toBe('unauthorized');
    expect((await adminWith(created.secret_key).get('/products')).status).toBe(200);
  });

  it('with expire_current_in_hours 0 stops the current key at once; default is 24 h', async () => {
    const tenant = await createTenant();
    expect((await publicApi(tenant).get('/plans')).status).toBe(200);
    const pk = await newKey(tenant, { kind: 'publishable', expire_current_in_hours: 0 });
    expect(pk.publishable_key).toMatch(/^pk_/);
    expect(pk.secret_key).toBeUndefined();
    expect((await publicApi(tenant).get('/plans')).status).toBe(401);
    expect((await publicApi({ ...tenant, publishable_key: pk.publishable_key }).get('/plans')).status).toBe(200);

    const before = Date.now();
    const sk = await newKey(tenant, { kind: 'secret' });
    const old = (await adminWith(sk.secret_key).get('/keys')).json.data.find((k: any) => k.kind === 'secret' && k.id !== sk.id);
    expect(Date.parse(old.expires_at) - before).toBeGreaterThanOrEqual(24 * HOUR);
    expect(Date.parse(old.expires_at) - Date.now()).toBeLessThanOrEqual(24 * HOUR);
  });

  it('never extends an expiry already set by an earlier rotation', async () => {
    const tenant = await createTenant();
    const second = await newKey(tenant, { kind: 'secret', expire_current_in_hours: 1 });
    await newKey(second.secret_key, { kind: 'secret', expire_current_in_hours: 100 });
    const keys = (await adminWith(second.secret_key).get('/keys')).json.data.filter((k: any) => k.kind === 'secret');
    const first = keys.find((k: any) => tenant.secret_key.startsWith(k.prefix));
    const secondRow = keys.find((k: any) => k.id === second.id);
    expect(Date.parse(first.expires_at)).toBeLessThan(Date.now() + 1 * HOUR + 1000);
    expect(Date.parse(secondRow.expires_at)).toBeGreaterThan(Date.now() + 99 * HOUR);
  });

  it('validates kind and expire_current_in_hours', async () => {
    const tenant = await createTenant();
    const cases: [unknown, string][] = [
      [{}, 'kind'],
      [{ kind: 'master' }, 'kind'],
      [{ kind: 'secret', expire_current_in_hours: 169 }, 'expire_current_in_hours'],
      [{ kind: 'secret', expire_current_in_hours: -1 }, 'expire_current_in_hours'],
      [{ kind: 'secret', expire_current_in_hours: 1.5 }, 'expire_current_in_hours'],
      [{ kind: 'secret', expire_current_in_hours: '24' }, 'expire_current_in_hours'],
      [{ kind: 'secret', extra: 1 }, 'extra'],
    ];
    for (const [body, path] of cases) {
      const res = await admin(tenant).post('/keys', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.errors[0].path).toBe(path);
    }
    expect((await admin(tenant).get('/keys')).json.data).toHaveLength(2);
  });
});

describe('DELETE /admin/v1/keys/{id}', () => {
  it('revokes at once: the very next request with the key is refused', async () => {
    const tenant = await createTenant();
    const created = await newKey(tenant, { kind: 'secret', expire_current_in_hours: 24 });
    const other = (await admin(tenant).get('/keys')).json.data.find((k: any) => k.kind === 'secret' && k.id !== created.id);
    expect((await admin(tenant).get('/products')).status).toBe(200); // cached in this isolate
    const revoked = await adminWith(created.secret_key).delete(`/keys/${other.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.json.id).toBe(other.id);
    expect(revoked.json.revoked_at).not.toBeNull();
    const refused = await admin(tenant).get('/products');
    expect(refused.status).toBe(401);
    // Revoking again answers the key unchanged.
    const again = await adminWith(created.secret_key).delete(`/keys/${other.id}`);
    expect(again.status).toBe(200);
    expect(again.json.revoked_at).toBe(revoked.json.revoked_at);
  });

  it('a key revoked elsewhere (another isolate, or D1 directly) is refused within 5 s', async () => {
    const tenant = await createTenant();
    expect((await publicApi(tenant).get('/plans')).status).toBe(200);
    const revokedAt = Date.now();
    await env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND kind = 'publishable'").bind(revokedAt, tenant.id).run();
    clockAt(revokedAt + 5_000);
    expect((await publicApi(tenant).get('/plans')).status).toBe(401);
  });

  it('revokes a publishable key; refuses to revoke the last working secret key (409 last_secret_key)', async () => {
    const tenant = await createTenant();
    const keys = (await admin(tenant).get('/keys')).json.data;
    const sk = keys.find((k: any) => k.kind === 'secret');
    const pk = keys.find((k: any) => k.kind === 'publishable');
    const last = await admin(tenant).delete(`/keys/${sk.id}`);
    expect(last.status).toBe(409);
    expect(last.json.code).toBe('last_secret_key');
    expect((await admin(tenant).get('/products')).status).toBe(200);

    expect((await admin(tenant).delete(`/keys/${pk.id}`)).status).toBe(200);
    expect((await publicApi(tenant).get('/plans')).status).toBe(401);

    // A replacement made with no overlap leaves the new key as the only working one.
    const created = await newKey(tenant, { kind: 'secret', expire_current_in_hours: 0 });
    const refused = await adminWith(created.secret_key).delete(`/keys/${created.id}`);
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('last_secret_key');
    // The expired old key can be revoked (it is not working anyway).
    expect((await adminWith(created.secret_key).delete(`/keys/${sk.id}`)).status).toBe(200);
  });

  it('never lets two concurrent revocations leave the tenant without a working secret key', async () => {
    const tenant = await createTenant();
    const second = await newKey(tenant, { kind: 'secret', expire_current_in_hours: 24 });
    const keys = (await admin(tenant).get('/keys')).json.data.filter((k: any) => k.kind === 'secret');
    const results = await Promise.all([
      admin(tenant).delete(`/keys/${keys[0].id}`),
      adminWith(second.secret_key).delete(`/keys/${keys[1].id}`),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE tenant_id = ? AND kind = 'secret' AND revoked_at IS NULL").bind(tenant.id).first<{ n: number }>();
    expect(rows!.n).toBe(1);
  });

  it('ends the console sessions opened with the revoked key', async () => {
    const tenant = await createTenant();
    const signIn = await call('POST', '/console/v1/session', { body: { secret_key: tenant.secret_key }, headers: { Origin: BASE } });
    const cookie = /offer_checkout_session=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')![0];
    expect((await call('GET', '/admin/v1/keys', { headers: { Cookie: cookie } })).status).toBe(200);
    const created = await newKey(tenant, { kind: 'secret', expire_current_in_hours: 24 });
    const old = (await admin(tenant).get('/keys')).json.data.find((k: any) => k.kind === 'secret' && k.id !== created.id);
    expect((await adminWith(created.secret_key).delete(`/keys/${old.id}`)).status).toBe(200);
    expect((await call('GET', '/console/v1/session', { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await call('GET', '/admin/v1/products', { headers: { Cookie: cookie } })).status).toBe(401);
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM console_sessions WHERE key_id = ?').bind(old.id).first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });

  it('a console session also ends when its key expires after a rotation', async () => {
    const tenant = await createTenant();
    const signIn = await call('POST', '/console/v1/session', { body: { secret_key: tenant.secret_key }, headers: { Origin: BASE } });
    const cookie = /offer_checkout_session=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')![0];
    await newKey(tenant, { kind: 'secret', expire_current_in_hours: 0 });
    expect((await call('GET', '/admin/v1/products', { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it('answers 404 for an unknown key and 400 for a malformed id', async () => {
    const tenant = await createTenant();
    expect((await admin(tenant).delete('/keys/aaaaaaaaaaaa')).status).toBe(404);
    const bad = await admin(tenant).delete('/keys/NOT-A-KEY');
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('param.id');
  });
});

describe('keys across tenants', () => {
  it("never lets tenant B list, rotate or revoke tenant A's keys", async () => {
    const a = await createTenant({ name: 'A' });
    const b = await createTenant({ name: 'B' });
    const aKeys = (await admin(a).get('/keys')).json.data;
    const bKeys = (await admin(b).get('/keys')).json.data;
    expect(bKeys.map((k: any) => k.id).some((id: string) => aKeys.some((k: any) => k.id === id))).toBe(false);
    const aPk = aKeys.find((k: any) => k.kind === 'publishable');
    // B's DELETE with A's key id: 404, and A's key still works.
    expect((await admin(b).delete(`/keys/${aPk.id}`)).status).toBe(404);
    expect((await publicApi(a).get('/plans')).status).toBe(200);
    // B's rotation with no overlap leaves A's keys untouched.
    const bSk = (await newKey(b, { kind: 'secret', expire_current_in_hours: 0 })).secret_key;
    await newKey(bSk, { kind: 'publishable', expire_current_in_hours: 0 });
    expect((await admin(a).get('/products')).status).toBe(200);
    expect((await publicApi(a).get('/plans')).status).toBe(200);
    expect((await admin(a).get('/keys')).json.data.every((k: any) => k.expires_at === null && k.revoked_at === null)).toBe(true);
    // A's secret key id in B's DELETE: 404 (not 409, not revoked), and A keeps working.
    const aSk = aKeys.find((k: any) => k.kind === 'secret');
    expect((await adminWith(bSk).delete(`/keys/${aSk.id}`)).status).toBe(404);
    expect((await admin(a).get('/keys')).json.data.find((k: any) => k.id === aSk.id).revoked_at).toBeNull();
  });
});

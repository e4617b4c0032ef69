import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { admin, createTenant, publicApi, type TestTenant } from '../helpers';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

afterEach(() => {
  vi.useRealTimers();
});

function clockAt(at: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
}

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const b64json = (value: unknown) => b64url(new TextEncoder().encode(JSON.stringify(value)));

/** An HS256 JWT with an optional `kid` header (hono's `sign` does not set headers). */
async function jwt(secret: string, claims: Record<string, unknown>, kid?: unknown): Promise<string> {
  const header = { alg: 'HS256', typ: 'JWT', ...(kid !== undefined ? { kid } : {}) };
  const input = `${b64json(header)}.${b64json({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}`;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return `${input}.${b64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input))))}`;
}

async function rotate(tenant: TestTenant) {
  const res = await admin(tenant).post('/user-token-secrets');
  expect(res.status, res.text).toBe(201);
  return res.json as { version: number; secret: string; created_at: string; previous_version_valid_until: string };
}

const plansAs = (tenant: TestTenant, token: string) => publicApi(tenant, { userToken: token }).get('/plans');

describe('POST /admin/v1/user-token-secrets', () => {
  it('makes version 2 with a new secret, shown once and never stored; the tenant answer was version 1', async () => {
    const tenant = await createTenant();
    const v2 = await rotate(tenant);
    expect(v2.version).toBe(2);
    expect(v2.secret).not.toBe(tenant.user_token_secret);
    expect(v2.secret.length).toBeGreaterThan(30);
    expect(Date.parse(v2.previous_version_valid_until) - Date.parse(v2.created_at)).toBe(DAY);
    const v3 = await rotate(tenant);
    expect(v3.version).toBe(3);
    const rows = await env.DB.prepare('SELECT * FROM user_token_secrets WHERE tenant_id = ? ORDER BY version').bind(tenant.id).all();
    expect(rows.results.map((r: any) => r.version)).toEqual([1, 2, 3]);
    for (const secret of [tenant.user_token_secret, v2.secret, v3.secret]) {
      expect(JSON.stringify(rows.results)).not.toContain(secret);
      expect(JSON.stringify(rows.results)).not.toContain(secret.slice(4));
    }
  });

  it('a token without kid is version 1; kid names the version; the previous version verifies for 24 h, then 401', async () => {
    const tenant = await createTenant();
    // Long-lived (25 days, within the 30-day limit) so that it outlives the 24 h window.
    const longExp = Math.floor(Date.now() / 1000) + 25 * 86400;
    const v1 = await jwt(tenant.user_token_secret, { sub: 'u1', exp: longExp });
    const v1WithKid = await jwt(tenant.user_token_secret, { sub: 'u1' }, '1');
    expect((await plansAs(tenant, v1)).status).toBe(200);
    expect((await plansAs(tenant, v1WithKid)).status).toBe(200);

    const start = Date.now();
    const v2 = await rotate(tenant);
    const windowEnd = Date.parse(v2.previous_version_valid_until);
    const v2Token = await jwt(v2.secret, { sub: 'u1' }, '2');
    expect((await plansAs(tenant, v2Token)).status).toBe(200);
    expect((await plansAs(tenant, await jwt(v2.secret, { sub: 'u1' }, 2))).status).toBe(200);
    // Still verifying right after the rotation, and (cached or not) just before the window ends.
    expect((await plansAs(tenant, v1)).status).toBe(200);
    clockAt(windowEnd - 1000);
    expect((await plansAs(tenant, v1)).status).toBe(200);
    expect((await plansAs(tenant, await jwt(tenant.user_token_secret, { sub: 'u2' }))).status).toBe(200);
    // After 24 h: the old version no longer verifies, with or without kid.
    clockAt(windowEnd + 1);
    expect(windowEnd - start).toBeGreaterThanOrEqual(DAY);
    for (const token of [v1, await jwt(tenant.user_token_secret, { sub: 'u3' }), await jwt(tenant.user_token_secret, { sub: 'u3' }, '1')]) {
      const res = await plansAs(tenant, token);
      expect(res.status).toBe(401);
      expect(res.json.code).toBe('invalid_user_token');
    }
    expect((await plansAs(tenant, await jwt(v2.secret, { sub: 'u1' }, '2'))).status).toBe(200);
  });

  it('refuses a wrong pairing of kid and secret, unknown versions, and versions two behind', async () => {
    const tenant = await createTenant();
    const v2 = await rotate(tenant);
    const v3 = await rotate(tenant);
    const refused = [
      await jwt(v2.secret, { sub: 'u1' }), // no kid = version 1, but signed with version 2
      await jwt(tenant.user_token_secret, { sub: 'u1' }, '2'),
      await jwt(v3.secret, { sub: 'u1' }, '4'),
      await jwt(v3.secret, { sub: 'u1' }, 'latest'),
      await jwt(v3.secret, { sub: 'u1' }, '0'),
      // version 1 is two behind the current one: never, even right after the rotation
      await jwt(tenant.user_token_secret, { sub: 'u1' }),
      await jwt(tenant.user_token_secret, { sub: 'u1' }, '1'),
    ];
    for (const token of refused) {
      const res = await plansAs(tenant, token);
      expect(res.status).toBe(401);
      expect(res.json.code).toBe('invalid_user_token');
    }
    expect((await plansAs(tenant, await jwt(v2.secret, { sub: 'u1' }, '2'))).status).toBe(200);
    expect((await plansAs(tenant, await jwt(v3.secret, { sub: 'u1' }, '3'))).status).toBe(200);
  });

  it('refuses tokens whose exp is more than 30 days ahead', async () => {
    const tenant = await createTenant();
    const now = Math.floor(Date.now() / 1000);
    const century = await jwt(tenant.user_token_secret, { sub: 'u1', exp: now + 100 * 365 * 86400 });
    const thirtyOne = await jwt(tenant.user_token_secret, { sub: 'u1', exp: now + 31 * 86400 });
    const twentyNine = await jwt(tenant.user_token_secret, { sub: 'u1', exp: now + 29 * 86400 });
    for (const token of [century, thirtyOne]) {
      const res = await plansAs(tenant, token);
      expect(res.status).toBe(401);
      expect(res.json.code).toBe('invalid_user_token');
      expect(res.json.detail).toContain('30 days');
    }
    expect((await plansAs(tenant, twentyNine)).status).toBe(200);
  });

  it("never lets tenant B's rotation touch tenant A's tokens", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const aToken = await jwt(a.user_token_secret, { sub: 'u1' });
    expect((await plansAs(a, aToken)).status).toBe(200);
    const b2 = await rotate(b);
    const b3 = await rotate(b);
    expect(b3.version).toBe(3);
    expect((await plansAs(a, aToken)).status).toBe(200);
    // B's secrets never sign for A, whatever the kid.
    expect((await plansAs(a, await jwt(b2.secret, { sub: 'u1' }, '2'))).status).toBe(401);
    expect((await plansAs(a, await jwt(b3.secret, { sub: 'u1' }, '1'))).status).toBe(401);
    // A's first rotation is A's version 2, different from B's version 2.
    const a2 = await rotate(a);
    expect(a2.version).toBe(2);
    expect(a2.secret).not.toBe(b2.secret);
  });
});

import { SELF } from 'cloudflare:test';
import { sign } from 'hono/jwt';

export const BASE = 'https://offer-checkout.test';
export const PLATFORM_KEY = 'test-platform-key';

export interface TestTenant {
  id: string;
  secret_key: string;
  publishable_key: string;
  user_token_secret: string;
  time_zone: string;
  allowed_origins: string[];
}

export async function call(method: string, path: string, init: { key?: string; body?: unknown; headers?: Record<string, string>; raw?: BodyInit } = {}) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.key) headers.Authorization = `Bearer ${init.key}`;
  let body: BodyInit | undefined = init.raw;
  if (init.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await SELF.fetch(`${BASE}${path}`, { method, headers, body });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export async function createTenant(overrides: { name?: string; time_zone?: string; allowed_origins?: string[] } = {}): Promise<TestTenant> {
  const res = await call('POST', '/platform/v1/tenants', { key: PLATFORM_KEY, body: { name: 'Test publisher', ...overrides } });
  if (res.status !== 201) throw new Error(`tenant creation failed: ${res.status} ${res.text}`);
  return res.json as TestTenant;
}

/** A client bound to a tenant's secret key (admin API). */
export function admin(tenant: TestTenant) {
  return {
    get: (path: string) => call('GET', `/admin/v1${path}`, { key: tenant.secret_key }),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', `/admin/v1${path}`, { key: tenant.secret_key, body, headers }),
    patch: (path: string, body: unknown) => call('PATCH', `/admin/v1${path}`, { key: tenant.secret_key, body }),
    put: (path: string, body: unknown) => call('PUT', `/admin/v1${path}`, { key: tenant.secret_key, body }),
    delete: (path: string) => call('DELETE', `/admin/v1${path}`, { key: tenant.secret_key }),
    raw: (method: string, path: string, raw: BodyInit, contentType: string) =>
      call(method, `/admin/v1${path}`, { key: tenant.secret_key, raw, headers: { 'Content-Type': contentType } }),
  };
}

/** A client bound to a tenant's publishable key (public API), optionally as a signed-in user. */
export function publicApi(tenant: TestTenant, opts: { userToken?: string; ip?: string; headers?: Record<string, string> } = {}) {
  const headers = (extra?: Record<string, string>) => ({
    ...(opts.userToken ? { 'X-User-Token': opts.userToken } : {}),
    ...(opts.ip ? { 'CF-Connecting-IP': opts.ip } : {}),
    ...(opts.headers ?? {}),
    ...(extra ?? {}),
  });
  return {
    get: (path: string, extra?: Record<string, string>) => call('GET', `/v1${path}`, { key: tenant.publishable_key, headers: headers(extra) }),
    post: (path: string, body?: unknown, extra?: Record<string, string>) =>
      call('POST', `/v1${path}`, { key: tenant.publishable_key, body, headers: headers(extra) }),
  };
}

export async function userToken(
  tenant: TestTenant,
  claims: { sub: string; email?: string; email_verified?: boolean; exp?: number },
): Promise<string> {
  return sign({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims }, tenant.user_token_secret, 'HS256');
}

/** A product with one active plan per given duration (price 10000 INR unless said). */
export async function createCatalog(
  tenant: TestTenant,
  opts: { durations?: string[]; price?: number; currency?: string; pricing?: 'fixed' | 'aum'; name?: string } = {},
) {
  const api = admin(tenant);
  const product = await api.post('/products', { name: opts.name ?? 'Product' });
  if (product.status !== 201) throw new Error(`product: ${product.text}`);
  const plans: Record<string, any> = {};
  for (const duration of opts.durations ?? ['1m']) {
    const plan = await api.post('/plans', {
      product_id: product.json.id,
      name: `${duration} plan`,
      duration,
      price: opts.price ?? 10_000,
      currency: opts.currency ?? 'INR',
      pricing: opts.pricing ?? 'fixed',
    });
    if (plan.status !== 201) throw new Error(`plan: ${plan.text}`);
    plans[duration] = plan.json;
  }
  return { product: product.json, plans };
}

import { admin, publicApi, userToken, type TestTenant } from './helpers';

export const day = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

let seq = 0;
/** A fresh, valid code (letters and digits). */
export const freshCode = (prefix = 'C') => `${prefix}${Date.now().toString(36).toUpperCase()}${(seq++).toString(36).toUpperCase()}`;

/** Creates an offer (active now, 20% off, shared code, all users, public) with overrides; asserts 201. */
export async function createOffer(tenant: TestTenant, body: Record<string, unknown>) {
  const res = await admin(tenant).post('/offers', {
    code: freshCode(),
    discount: { type: 'percent', value: 20 },
    starts_at: day(0),
    ends_at: day(30),
    eligibility: 'all',
    discoverability: 'public',
    ...body,
  });
  if (res.status !== 201) throw new Error(`offer creation failed: ${res.status} ${res.text}`);
  return res.json;
}

/** A signed-in public client for a user id. */
export async function asUser(tenant: TestTenant, sub: string, claims: { email?: string; email_verified?: boolean } = {}) {
  return publicApi(tenant, { userToken: await userToken(tenant, { sub, ...claims }) });
}

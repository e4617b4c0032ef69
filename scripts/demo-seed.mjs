// Seeds a demo tenant with a catalog (and offers/groups where those APIs exist) through the API.
import { createHmac } from 'node:crypto';

async function call(url, method, path, key, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, text };
}

const b64url = (input) => Buffer.from(input).toString('base64url');

/** An HS256 user token, as a publisher's backend would mint it. */
export function signUserToken(secret, claims, ttlSeconds = 30 * 24 * 3600) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + ttlSeconds, ...claims }));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The demo tenant's time zone: its offers' dates are days there ("today" is judged in it). */
const DEMO_TIME_ZONE = 'Asia/Kolkata';

/** `YYYY-MM-DD`, `offsetDays` from today in the demo tenant's time zone (not UTC's today). */
export function isoDate(offsetDays) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: DEMO_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + offsetDays * 86400_000));
}

export async function seedDemo({ url, platformKey, origins }) {
  const t = await call(url, 'POST', '/platform/v1/tenants', platformKey, {
    name: 'Demo Publisher',
    time_zone: DEMO_TIME_ZONE,
    allowed_origins: origins,
  });
  if (t.status !== 201) throw new Error(`could not create the demo tenant: ${t.status} ${t.text}`);
  const tenant = t.json;
  const sk = tenant.secret_key;
  const product = (await call(url, 'POST', '/admin/v1/products', sk, { name: 'Momentum Portfolio', description: 'A model portfolio of momentum stocks' })).json;
  const plans = {};
  for (const [duration, price] of [['1m', 49_900], ['3m', 129_900], ['6m', 239_900], ['1y', 449_900]]) {
    plans[duration] = (await call(url, 'POST', '/admin/v1/plans', sk, { product_id: product.id, name: `Momentum ${duration}`, duration, price, currency: 'INR' })).json;
  }
  const offers = [];
  const offerBodies = [
    { code: 'WELCOME20', discount: { type: 'percent', value: 20 }, discoverability: 'public', subscription_limit: 2 },
    { code: 'FLAT500', discount: { type: 'flat', amount: 50_000, currency: 'INR' }, discoverability: 'private', max_redemptions: 100 },
  ];
  for (const body of offerBodies) {
    const res = await call(url, 'POST', '/admin/v1/offers', sk, {
      ...body,
      applies_to: { product_ids: [product.id], durations: ['1m', '3m', '6m', '1y'] },
      starts_at: isoDate(0),
      ends_at: isoDate(90),
      eligibility: 'all',
    });
    if (res.status === 201) offers.push(res.json);
  }
  const userToken = signUserToken(tenant.user_token_secret, { sub: 'demo-user-1', email: 'reader@example.com', email_verified: true });
  return { tenant, product, plans, offers, userToken };
}

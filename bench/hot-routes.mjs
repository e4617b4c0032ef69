// The hot routes on the lean runtime (bench/runtime.mjs): for each, requests per second and
// p50/p99 latency at 4 and at 32 connections, the server's CPU milliseconds per request (the
// workerd process's CPU over the run divided by the requests it answered) and the D1 round trips
// of one request; then the write-scaling curve of checkouts on one hot code and on many codes.
// Seeds through the API only. Every run is bounded in time and talks to loopback only.
import { createHmac } from 'node:crypto';
import { addressIn, rangeOf } from './access.mjs';
import { apiJson, measure, request } from './load.mjs';

export const CONNECTIONS = [4, 32];
export const WRITE_CONNECTIONS = [1, 4, 16, 64];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
/**
 * Rounds per measurement: the round with the least server CPU per request is kept (with its own
 * rps and latency). Interference from the rest of a shared machine only ever adds CPU, and one
 * run to the next differs by up to a third here (docs/performance.md).
 */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Workers Standard: USD per million CPU milliseconds (Cloudflare's published price). */
export const USD_PER_MILLION_CPU_MS = 0.02;
/** Workers Standard: USD per million requests. */
export const USD_PER_MILLION_REQUESTS = 0.3;

const b64url = (s) => Buffer.from(s).toString('base64url');
export function userToken(secret, sub, email) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ sub, email, email_verified: true, exp: Math.floor(Date.now() / 1000) + 3600 }));
  const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

const api = apiJson;

const today = () => new Date().toISOString().slice(0, 10);
const nextYear = () => new Date(Date.now() + 365 * 864e5).toISOString().slice(0, 10);

/** One tenant with a catalog, offers, 100,000 IP ranges and a claimable group. */
export async function seed({ url, platformKey }, { ranges = 100_000 } = {}) {
  const tenant = await api(url, 'POST', '/platform/v1/tenants', platformKey, { name: 'Bench hot routes' });
  const sk = tenant.secret_key;
  const product = await api(url, 'POST', '/admin/v1/products', sk, { name: 'Newsletter' });
  const plan = await api(url, 'POST', '/admin/v1/plans', sk, { product_id: product.id, name: 'Monthly', duration: '1m', price: 49_900, currency: 'INR' });
  const offer = (body) =>
    api(url, 'POST', '/admin/v1/offers', sk, { discount: { type: 'percent', value: 20 }, applies_to: { product_ids: [product.id], durations: ['1m'] }, starts_at: today(), ends_at: nextYear(), eligibility: 'all', discoverability: 'public', ...body });
  // Answered from the isolate's cache: no per-user limit, so definitions decide.
  await offer({ code: 'CACHED20' });
  // Needs the user's avails from D1 on every quote.
  await offer({ code: 'LIVE20', avail_limit_total: 1, discoverability: 'private' });
  // Checkout: a shared hot code with no total limit, and many codes (one offer each).
  await offer({ code: 'HOTCODE', discoverability: 'private' });
  // A 100% code: nothing to pay, so the checkout is active at once (no hold).
  await offer({ code: 'FREE100', discount: { type: 'percent', value: 100 }, discoverability: 'private' });
  const manyCodes = [];
  for (let i = 0; i < 64; i++) {
    const code = `MANY${String(i).padStart(2, '0')}`;
    await offer({ code, discoverability: 'private' });
    manyCodes.push(code);
  }
  // Claims: a free group plan on its own product, joined by verified email domain.
  const groupProduct = await api(url, 'POST', '/admin/v1/products', sk, { name: 'Group users' });
  const groupPlan = await api(url, 'POST', '/admin/v1/plans', sk, { product_id: groupProduct.id, name: 'Group 1y', duration: '1y', price: 0, currency: 'INR' });
  const claimGroup = await api(url, 'POST', '/admin/v1/groups', sk, { name: 'Claim Corp', plan_id: groupPlan.id, email_domains: ['claim-corp.example.com'] });
  // 100,000 IP ranges in 10 groups (bench/access.mjs's layout) on a third product.
  const accessProduct = await api(url, 'POST', '/admin/v1/products', sk, { name: 'Campus' });
  const accessPlan = await api(url, 'POST', '/admin/v1/plans', sk, { product_id: accessProduct.id, name: 'Campus 1y', duration: '1y', price: 0, currency: 'INR' });
  const groups = 10;
  for (let g = 0; g < groups; g++) {
    const ip_ranges = [];
    for (let k = 0; k < ranges / groups; k++) ip_ranges.push(rangeOf(k * groups + g).text);
    await api(url, 'POST', '/admin/v1/groups', sk, { name: `Campus ${g}`, plan_id: accessPlan.id, ip_ranges });
  }
  return { tenant, product, plan, manyCodes, claimGroup, ranges };
}

/** The requests of each hot route, by name. `i` numbers the request within a run. */
export function hotRoutes(s) {
  const pk = s.tenant.publishable_key;
  const secret = s.tenant.user_token_secret;
  const auth = { Authorization: `Bearer ${pk}` };
  const signedIn = (sub) => ({ ...auth, 'X-User-Token': userToken(secret, sub, `${sub}@reader.example.com`) });
  // A fixed pool of signed-in readers for the read routes (tokens signed once, outside the run).
  const readers = Array.from({ length: 256 }, (_, k) => signedIn(`reader-${k}`));
  let run = 0;
  const fresh = () => `${Date.now().toString(36)}-${run++}`;
  return [
    { name: 'POST /v1/quotes, no code (cache)', kind: 'quote-cache', make: () => ({ method: 'POST', headers: auth, body: { plan_id: s.plan.id } }), path: '/v1/quotes' },
    { name: 'POST /v1/quotes, code, anonymous (cache)', kind: 'quote-cache', make: () => ({ method: 'POST', headers: auth, body: { plan_id: s.plan.id, code: 'CACHED20' } }), path: '/v1/quotes' },
    { name: "POST /v1/quotes, code with a per-user limit, signed in (D1 read)", kind: 'quote-d1', make: (i) => ({ method: 'POST', headers: readers[i % readers.length], body: { plan_id: s.plan.id, code: 'LIVE20' } }), path: '/v1/quotes' },
    { name: 'GET /v1/offers?product_id=, signed in', kind: 'listing', make: (i) => ({ headers: readers[i % readers.length] }), path: `/v1/offers?product_id=${s.product.id}` },
    {
      name: `GET /v1/access (${s.ranges.toLocaleString('en')} ranges)`,
      kind: 'access',
      make: (i) => ({ headers: { ...auth, 'CF-Connecting-IP': addressIn((i * 104729) % s.ranges, i, i % 4 === 3) } }),
      path: '/v1/access',
    },
    {
      name: 'POST /v1/subscriptions, code (checkout; pending when a payment is due)',
      kind: 'checkout',
      prepare: () => {
        const id = fresh();
        return (i) => ({ method: 'POST', headers: signedIn(`buyer-${id}-${i}`), body: { plan_id: s.plan.id, code: 'HOTCODE' } });
      },
      path: '/v1/subscriptions',
    },
    {
      name: 'POST /v1/subscriptions, 100% code (checkout, active at once: no hold)',
      kind: 'checkout-free',
      prepare: () => {
        const id = fresh();
        return (i) => ({ method: 'POST', headers: signedIn(`free-${id}-${i}`), body: { plan_id: s.plan.id, code: 'FREE100' } });
      },
      path: '/v1/subscriptions',
    },
    {
      name: 'POST /v1/access/claim (verified email domain)',
      kind: 'claim',
      prepare: () => {
        const id = fresh();
        return (i) => {
          const sub = `member-${id}-${i}`;
          return { method: 'POST', headers: { ...auth, 'X-User-Token': userToken(secret, sub, `${sub}@claim-corp.example.com`) }, body: { group_id: s.claimGroup.id } };
        };
      },
      path: '/v1/access/claim',
    },
  ];
}

/** The best of ROUNDS measured runs (least CPU per request); `make` is called afresh for each round. */
export async function bestOf(server, { path, connections, make }) {
  let best = null;
  for (let r = 0; r < ROUNDS; r++) {
    const m = await measureWithCpu(server, { path, connections, make: make() });
    if (!best || m.cpuPerRequest < best.cpuPerRequest) best = m;
  }
  return best;
}

/** One measured run with the server's CPU over it. */
export async function measureWithCpu(server, { path, connections, make, seconds = SECONDS }) {
  const before = server.cpuMs();
  const m = await measure({ url: `${server.url}${path}`, seconds, concurrency: connections, makeRequest: make });
  const cpu = server.cpuMs() - before;
  return { ...m, cpuPerRequest: m.count > 0 ? cpu / m.count : NaN };
}

/** D1 round trips of one request (the worker's X-D1-Round-Trips header, set under the bench flag). */
async function roundTrips(server, route) {
  const make = route.prepare ? route.prepare() : route.make;
  const res = await request(`${server.url}${route.path}`, make(1_000_000));
  return { trips: res.headers['x-d1-round-trips'] ?? 'n/a', status: res.status };
}

export async function runHotRoutes(server, s) {
  const rows = [];
  const health = {};
  for (const connections of CONNECTIONS) health[connections] = await measureWithCpu(server, { path: '/health', connections, make: () => ({}) });
  for (const route of hotRoutes(s)) {
    const byConnections = {};
    for (const connections of CONNECTIONS) {
      byConnections[connections] = await bestOf(server, { path: route.path, connections, make: () => (route.prepare ? route.prepare() : route.make) });
    }
    // Sampled after the runs, so caches are as warm as they were during them.
    const trips = await roundTrips(server, route);
    rows.push({ ...route, trips, byConnections });
    const m = byConnections[32];
    console.log(`${route.name}: ${m.rps.toFixed(0)} rps at 32, ${m.cpuPerRequest.toFixed(3)} ms CPU/request, ${trips.trips} round trips`);
  }
  // /health again, so the ratios compare with a /health measured on either side of the routes.
  for (const connections of CONNECTIONS) {
    const again = await measureWithCpu(server, { path: '/health', connections, make: () => ({}) });
    if (again.rps > health[connections].rps) health[connections] = again;
  }
  return { rows, health };
}

/** Checkouts per second on one hot code and on many codes, at 1, 4, 16 and 64 connections. */
export async function runWriteScaling(server, s) {
  const secret = s.tenant.user_token_secret;
  const auth = { Authorization: `Bearer ${s.tenant.publishable_key}` };
  const curve = [];
  let run = 0;
  for (const connections of WRITE_CONNECTIONS) {
    for (const shape of ['one hot code', 'many codes']) {
      const make = () => {
        const id = `${Date.now().toString(36)}-w${run++}`;
        return (i) => ({
          method: 'POST',
          headers: { ...auth, 'X-User-Token': userToken(secret, `w-${id}-${i}`, `w-${id}-${i}@reader.example.com`) },
          body: { plan_id: s.plan.id, code: shape === 'one hot code' ? 'HOTCODE' : s.manyCodes[i % s.manyCodes.length] },
        });
      };
      const m = await bestOf(server, { path: '/v1/subscriptions', connections, make });
      curve.push({ shape, connections, ...m });
      console.log(`checkout, ${shape}, ${connections} connections: ${m.rps.toFixed(0)} rps, p99 ${m.p99.toFixed(1)} ms`);
    }
  }
  return curve;
}

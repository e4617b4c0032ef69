// Group access with 100,000 IP ranges in one tenant: GET /v1/access against GET /health on the
// same local worker, side by side, plus the D1 round trips per request.
// Seeds through the worker's admin API (10 groups x 10,000 ranges: 70% IPv4 /24, 30% IPv6 /48).
import { COMPARISON_HEADER, compareWithHealth, formatComparison, request } from './load.mjs';

export const GROUPS = 10;
export const RANGES_PER_GROUP = 10_000;
const V4_SHARE = 0.7;

/** Range `i` of the tenant (never overlapping, never adjacent, all public). */
export function rangeOf(i) {
  const v4Count = Math.round(GROUPS * RANGES_PER_GROUP * V4_SHARE);
  if (i < v4Count) {
    const base = (20 << 24) + i * 512; // every other /24 from 20.0.0.0
    return { family: 4, text: `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.0/24`, base };
  }
  const j = i - v4Count + 1;
  return { family: 6, text: `2a01:${j.toString(16)}::/48`, j };
}

/** An address inside range `i` (or just outside it when `miss`). */
export function addressIn(i, salt, miss) {
  const r = rangeOf(i);
  if (r.family === 4) {
    const a = miss ? r.base + 256 + (salt % 256) : r.base + (salt % 256);
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
  return miss ? `2a01:${r.j.toString(16)}:1::${(salt % 65535).toString(16)}` : `2a01:${r.j.toString(16)}:0:${(salt % 65535).toString(16)}::1`;
}

async function json(base, method, path, key, body) {
  const res = await request(`${base}${path}`, { method, headers: { Authorization: `Bearer ${key}` }, body });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body);
}

export async function run({ url, platformKey }) {
  const started = performance.now();
  const tenant = await json(url, 'POST', '/platform/v1/tenants', platformKey, { name: 'Bench groups' });
  const sk = tenant.secret_key;
  const pk = tenant.publishable_key;
  const product = await json(url, 'POST', '/admin/v1/products', sk, { name: 'Group users' });
  const plan = await json(url, 'POST', '/admin/v1/plans', sk, { product_id: product.id, name: 'Group 1y', duration: '1y', price: 0, currency: 'INR' });
  const groupIds = [];
  const writeMs = [];
  for (let g = 0; g < GROUPS; g++) {
    const ip_ranges = [];
    // Interleave groups across the address space so neighbours belong to other groups.
    for (let k = 0; k < RANGES_PER_GROUP; k++) ip_ranges.push(rangeOf(k * GROUPS + g).text);
    const t = performance.now();
    const group = await json(url, 'POST', '/admin/v1/groups', sk, { name: `Corp ${g}`, plan_id: plan.id, ip_ranges, email_domains: [`corp${g}.example.com`] });
    writeMs.push(performance.now() - t);
    groupIds.push(group.id);
  }
  const total = GROUPS * RANGES_PER_GROUP;
  const seedSeconds = (performance.now() - started) / 1000;

  // A conflicting write against the full table: refused, naming the other group.
  const t0 = performance.now();
  const conflict = await request(`${url}/admin/v1/groups`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${sk}` },
    body: { name: 'Clash', plan_id: plan.id, ip_ranges: [addressIn(total - 1, 7, false)] },
  });
  const conflictMs = performance.now() - t0;

  // The first lookup loads the tenant's table into the isolate (one D1 round trip).
  const tCold = performance.now();
  const cold = await request(`${url}/v1/access`, { headers: { Authorization: `Bearer ${pk}`, 'CF-Connecting-IP': addressIn(0, 1, false) } });
  const coldMs = performance.now() - tCold;
  const coldTrips = cold.headers['x-d1-round-trips'];

  // Correctness and round trips on a sample before measuring.
  let hits = 0;
  let misses = 0;
  const trips = {};
  for (let s = 0; s < 200; s++) {
    const i = (s * 7919) % total;
    const miss = s % 4 === 3;
    const res = await request(`${url}/v1/access`, { headers: { Authorization: `Bearer ${pk}`, 'CF-Connecting-IP': addressIn(i, s, miss) } });
    const body = JSON.parse(res.body);
    const expected = miss ? null : groupIds[i % GROUPS];
    const got = body.groups[0]?.id ?? null;
    if (got !== expected) throw new Error(`access lookup for range ${i} (${miss ? 'miss' : 'hit'}): expected ${expected}, got ${got}`);
    if (miss) misses++;
    else hits++;
    const rt = res.headers['x-d1-round-trips'];
    trips[rt] = (trips[rt] ?? 0) + 1;
  }

  let n = 0;
  const comparison = await compareWithHealth({
    base: url,
    name: `GET /v1/access (${total.toLocaleString('en')} ranges)`,
    path: '/v1/access',
    makeRequest: () => {
      const k = n++;
      const i = (k * 104729) % total;
      return { headers: { Authorization: `Bearer ${pk}`, 'CF-Connecting-IP': addressIn(i, k, k % 4 === 3) } };
    },
  });
  console.log(`GET /v1/access: ${comparison.route.rps.toFixed(0)} rps vs /health ${comparison.health.rps.toFixed(0)} (ratio ${comparison.ratio.toFixed(2)})`);

  const median = [...writeMs].sort((a, b) => a - b)[Math.floor(writeMs.length / 2)];
  return `## Group access (100,000 IP ranges)

One tenant, ${GROUPS} groups x ${RANGES_PER_GROUP.toLocaleString('en')} ranges (${Math.round(V4_SHARE * 100)}% IPv4 /24, the rest IPv6 /48),
interleaved so that every range's neighbours belong to other groups, seeded through
\`POST /admin/v1/groups\` in ${seedSeconds.toFixed(1)} s (median ${median.toFixed(0)} ms per 10,000-range group, overlap guard included).
Each request comes from a different client IP (\`CF-Connecting-IP\`), three in four inside a range.

${COMPARISON_HEADER}
${formatComparison(comparison)}

- D1 round trips per \`GET /v1/access\`, by count of requests: ${JSON.stringify(trips)} over ${hits + misses} sequential requests (${hits} hits, ${misses} misses, every answer checked against the expected group); the one before them, which loaded the table of 100,000 ranges into the isolate, took ${coldMs.toFixed(0)} ms and ${coldTrips} round trip(s) (key lookup included).
- Lookups are a binary search over the isolate's sorted table; the isolate re-checks the tenant's version in D1 at most every 5 s (one small round trip, the reload in the same batch only when it moved), so no request makes more than one round trip.
- Without the table (a tenant over 250,000 ranges), a lookup is one statement: an index seek on \`(tenant_id, start)\` for the last range starting at or before the address (ranges never overlap, so it is the only candidate) and a primary-key seek for the domain.
- A range overlapping one of the 100,000 stored: \`${conflict.status} ${JSON.parse(conflict.body).code}\` in ${conflictMs.toFixed(0)} ms.
`;
}

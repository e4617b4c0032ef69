// The offer engine at size: 300 offers on 20 products (40 plans), lists of 2,000 users on a third
// of the offers. Measures POST /v1/quotes and GET /v1/offers against GET /health on the same
// local worker, side by side, and reports the D1 round trips per request of quote, listing and
// checkout (read from the worker's X-D1-Round-Trips header, counted by worker/db/guard.ts).
// Seeds through the worker's API; the eligible-user lists go through the upload endpoint
// (PUT /admin/v1/offers/{id}/eligible-users) when it is there.
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { COMPARISON_HEADER, compareWithHealth, formatComparison, request } from './load.mjs';

const PRODUCTS = 20;
const OFFERS = 300;
const LIST_SIZE = 2_000;

const b64url = (s) => Buffer.from(s).toString('base64url');
function userToken(secret, sub, email) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ sub, email, email_verified: true, exp: Math.floor(Date.now() / 1000) + 3600 }));
  const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

/**
 * One request, retried when the local worker restarts mid-request (wrangler dev reloads when
 * files of the working tree change) or the connection drops. Seeding writes are idempotent
 * enough for that: a retried creation that had gone through answers 409 and is looked up.
 */
async function send(url, init) {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await request(url, init);
      if (res.status !== 503 || attempt >= 10) return res;
    } catch (e) {
      if (attempt >= 10) throw e;
    }
    await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
  }
}

async function call(base, method, path, key, body, extra = {}) {
  const headers = { Authorization: `Bearer ${key}`, ...extra };
  const res = await send(`${base}${path}`, { method, headers, body });
  return { status: res.status, json: res.body ? safeJson(res.body) : undefined, headers: res.headers, body: res.body };
}
const safeJson = (s) => {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
};
async function ok(promise, what) {
  const res = await promise;
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${res.body.slice(0, 300)}`);
  return res.json;
}

async function pool(items, concurrency, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

function csvOfUsers() {
  const lines = ['user_id,email'];
  for (let i = 0; i < LIST_SIZE; i++) lines.push(`user${i},user${i}@example.com`);
  return lines.join('\n') + '\n';
}

/** Uploads the lists through the API; falls back to one SQL statement on the local D1 when the endpoint is missing. */
async function seedLists(url, sk, tenantId, listOffers, server) {
  const csv = csvOfUsers();
  const probe = await send(`${url}/admin/v1/offers/${listOffers[0].id}/eligible-users`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${sk}`, 'Content-Type': 'text/csv' },
    body: csv,
  });
  if (probe.status === 202) {
    const jobs = [safeJson(probe.body).job];
    const rest = await pool(listOffers.slice(1), 8, async (o) => {
      const res = await send(`${url}/admin/v1/offers/${o.id}/eligible-users`, { method: 'PUT', headers: { Authorization: `Bearer ${sk}`, 'Content-Type': 'text/csv' }, body: csv });
      if (res.status !== 202) throw new Error(`upload: ${res.status} ${res.body.slice(0, 200)}`);
      return safeJson(res.body).job;
    });
    jobs.push(...rest);
    const deadline = Date.now() + 240_000;
    for (const job of jobs) {
      for (;;) {
        const j = await ok(call(url, 'GET', `/admin/v1/jobs/${job.id}`, sk), 'job');
        if (j.status === 'succeeded') break;
        if (j.status === 'failed') throw new Error(`list job ${job.id} failed`);
        if (Date.now() > deadline) throw new Error('list jobs did not finish within 240 s');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return 'through `PUT /admin/v1/offers/{id}/eligible-users` (CSV, jobs)';
  }
  // Fallback: the upload endpoint is not mounted in this build. One INSERT … SELECT on the local D1.
  const sql = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${LIST_SIZE - 1})
    INSERT INTO eligible_users (tenant_id, offer_id, user_id, email, created_at)
    SELECT '${tenantId}', o.id, 'user' || n.i, 'user' || n.i || '@example.com', 0 FROM n, offers o WHERE o.tenant_id = '${tenantId}' AND o.eligibility = 'list';
    UPDATE offers SET eligible_users_count = ${LIST_SIZE} WHERE tenant_id = '${tenantId}' AND eligibility = 'list';`;
  const root = join(new URL('.', import.meta.url).pathname, '..');
  execFileSync(join(root, 'node_modules', '.bin', 'wrangler'), ['d1', 'execute', 'DB', '--local', '--persist-to', server.persistTo, '--command', sql], {
    cwd: root,
    env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return `directly in the local D1 (the upload endpoint answered ${probe.status} in this build)`;
}

export async function run({ url, platformKey, server }) {
  const started = performance.now();
  const tenant = await ok(call(url, 'POST', '/platform/v1/tenants', platformKey, { name: 'Bench offers' }), 'tenant');
  const sk = tenant.secret_key;
  const pk = tenant.publishable_key;
  const products = await pool(Array.from({ length: PRODUCTS }, (_, i) => i), 8, (i) => ok(call(url, 'POST', '/admin/v1/products', sk, { name: `Product ${i}` }), 'product'));
  const plans = [];
  await pool(products, 8, async (p, i) => {
    for (const duration of ['1m', '1y']) {
      const plan = await ok(call(url, 'POST', '/admin/v1/plans', sk, { product_id: p.id, name: `${duration}`, duration, price: 1000 * (i + 1) + (duration === '1y' ? 9000 : 0), currency: 'INR' }), 'plan');
      plans.push(plan);
    }
  });
  const today = new Date().toISOString().slice(0, 10);
  const ends = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  const offers = await pool(Array.from({ length: OFFERS }, (_, k) => k), 8, (k) => {
    const productIds = [...new Set([k % PRODUCTS, (k + 7) % PRODUCTS, (k + 13) % PRODUCTS])].map((i) => products[i].id);
    return ok(
      call(url, 'POST', '/admin/v1/offers', sk, {
        code: `BENCH${k}X${Date.now().toString(36).toUpperCase()}`,
        discount: k % 4 === 0 ? { type: 'flat', amount: 500, currency: 'INR' } : { type: 'percent', value: 5 + (k % 40) },
        applies_to: { product_ids: productIds, durations: k % 2 ? ['1m', '1y'] : ['1m'] },
        starts_at: today,
        ends_at: ends,
        eligibility: k % 3 === 0 ? 'list' : 'all',
        discoverability: k % 2 === 0 ? 'public' : 'private',
        ...(k % 5 === 0 ? { max_redemptions: 1000, avail_limit_per_product: 1 } : {}),
        subscription_limit: (k % 3) + 1,
      }),
      'offer',
    );
  });
  const listOffers = offers.filter((o) => o.eligibility === 'list');
  const listsHow = await seedLists(url, sk, tenant.id, listOffers, server);
  const seedSeconds = (performance.now() - started) / 1000;

  // Requests: a quote of a code on a plan it applies to, as a listed user, another user or anonymous.
  const planOf = (o) => plans.find((p) => o.applies_to.product_ids.includes(p.product_id) && o.applies_to.durations.includes(p.duration));
  const pairs = offers.map((o) => ({ code: o.code, plan: planOf(o), list: o.eligibility === 'list' })).filter((x) => x.plan);
  const tokens = Array.from({ length: 64 }, (_, i) => userToken(tenant.user_token_secret, `user${i * 50}`, `user${i * 50}@example.com`));
  const outsiders = Array.from({ length: 16 }, (_, i) => userToken(tenant.user_token_secret, `stranger${i}`, `stranger${i}@example.com`));
  const quoteRequest = (i) => {
    const pair = pairs[i % pairs.length];
    const who = i % 4; // 2/4 listed users, 1/4 other users, 1/4 anonymous
    const token = who < 2 ? tokens[i % tokens.length] : who === 2 ? outsiders[i % outsiders.length] : null;
    const body = JSON.stringify({ plan_id: pair.plan.id, code: pair.code });
    return {
      method: 'POST',
      // With Content-Length, as browsers send it (without it Node streams the body chunked).
      headers: { Authorization: `Bearer ${pk}`, 'Content-Length': String(Buffer.byteLength(body)), ...(token ? { 'X-User-Token': token } : {}) },
      body,
    };
  };
  // The widget lists the offers of its product.
  const listRequest = (i) => {
    const token = i % 2 ? tokens[i % tokens.length] : null;
    return { headers: { Authorization: `Bearer ${pk}`, ...(token ? { 'X-User-Token': token } : {}) } };
  };

  // Round trips per request, from the worker's own counter (after a warm-up request: cached keys).
  const rt = async (label, method, path, body, extra = {}) => {
    const res = await call(url, method, path, pk, body, extra);
    return { label, status: res.status, trips: res.headers['x-d1-round-trips'] };
  };
  const listedPair = pairs.find((p) => p.list);
  const openPair = pairs.find((p) => !p.list);
  await rt('warm-up', 'GET', '/v1/plans');
  const tripRows = [
    await rt('POST /v1/quotes, anonymous, no code', 'POST', '/v1/quotes', { plan_id: openPair.plan.id }),
    await rt('POST /v1/quotes, anonymous, code', 'POST', '/v1/quotes', { plan_id: openPair.plan.id, code: openPair.code }),
    await rt('POST /v1/quotes, listed user, list code', 'POST', '/v1/quotes', { plan_id: listedPair.plan.id, code: listedPair.code }, { 'X-User-Token': tokens[0] }),
    await rt('GET /v1/offers, anonymous', 'GET', '/v1/offers'),
    await rt('GET /v1/offers, listed user', 'GET', '/v1/offers', undefined, { 'X-User-Token': tokens[1] }),
    await rt(`GET /v1/offers?product_id=…, listed user`, 'GET', `/v1/offers?product_id=${products[0].id}`, undefined, { 'X-User-Token': tokens[1] }),
    await rt('POST /v1/subscriptions, code (success)', 'POST', '/v1/subscriptions', { plan_id: listedPair.plan.id, code: listedPair.code }, { 'X-User-Token': tokens[2] }),
    await rt('POST /v1/subscriptions, with Idempotency-Key (first)', 'POST', '/v1/subscriptions', { plan_id: openPair.plan.id }, { 'X-User-Token': tokens[3], 'Idempotency-Key': 'bench-1' }),
    await rt('POST /v1/subscriptions, same key again (replay)', 'POST', '/v1/subscriptions', { plan_id: openPair.plan.id }, { 'X-User-Token': tokens[3], 'Idempotency-Key': 'bench-1' }),
    await rt('POST /v1/subscriptions, refused at read (already subscribed)', 'POST', '/v1/subscriptions', { plan_id: listedPair.plan.id, code: listedPair.code }, { 'X-User-Token': tokens[2] }),
  ];

  const quote = await compareWithHealth({ base: url, name: 'POST /v1/quotes (code, 3/4 signed in)', path: '/v1/quotes', makeRequest: quoteRequest });
  const listing = await compareWithHealth({ base: url, name: 'GET /v1/offers?product_id= (1/2 signed in)', path: `/v1/offers?product_id=${products[0].id}`, makeRequest: (i) => listRequest(i) });
  console.log(`POST /v1/quotes: ${quote.route.rps.toFixed(0)} rps vs /health ${quote.health.rps.toFixed(0)} (ratio ${quote.ratio.toFixed(2)})`);
  console.log(`GET /v1/offers: ${listing.route.rps.toFixed(0)} rps vs /health ${listing.health.rps.toFixed(0)} (ratio ${listing.ratio.toFixed(2)})`);

  return `## Offers (bench/offers.mjs)

Seeded in ${seedSeconds.toFixed(1)} s through the API: ${PRODUCTS} products, ${plans.length} plans, ${offers.length} offers
(half public, a third with \`eligibility: list\`), lists of ${LIST_SIZE.toLocaleString('en')} users on ${listOffers.length} offers
(${(LIST_SIZE * listOffers.length).toLocaleString('en')} rows), seeded ${listsHow}.
Quotes cycle through every offer's code on a plan it applies to; 2/4 as users on the lists, 1/4 as other users, 1/4 anonymous.

${COMPARISON_HEADER}
${formatComparison(quote)}
${formatComparison(listing)}

D1 round trips per request (\`X-D1-Round-Trips\`, counted by the guarded D1 handle; auth keys are cached, so they cost none once warm):

| request | status | D1 round trips |
| --- | ---: | ---: |
${tripRows.map((r) => `| ${r.label} | ${r.status} | ${r.trips} |`).join('\n')}

Targets: a quote and an offer listing at most 1, a checkout at most 2 (also when its write is refused by a concurrent change: the write batch re-reads to name the reason).
Quotes and listings cost 0 when the edge caches can answer (docs/offers.md, "Speed").
`;
}

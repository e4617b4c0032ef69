// bench/console.mjs: the publisher console's bundle (the build's 80 KB gzipped budget) and the
// time to show the offers table of a tenant with 10,000 offers (target under 1 s locally), in
// headless Chromium (scripts/browser.mjs) against the real worker on the lean runtime with its
// static assets (bench/runtime.mjs). Run by `npm run bench` (bench/run.mjs passes
// {url, platformKey}); `node_modules/.bin/node bench/console.mjs` alone starts its own runtime.
// Prints its figures as one JSON line on stdout and answers a Markdown section.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../scripts/browser.mjs';
import { BUDGET, measureConsole } from '../scripts/check-console-size.mjs';
import { apiJson } from './load.mjs';
import { ROOT, startLeanRuntime } from './runtime.mjs';

const OFFERS = Number(process.env.CONSOLE_BENCH_OFFERS ?? 10_000);
const LOADS = 5;
const PARALLEL = 24;
const TARGET_MS = 1_000;

function bundle() {
  if (!existsSync(join(ROOT, 'public', 'console', 'index.html'))) {
    execFileSync('npm', ['run', '--silent', 'build:console'], { cwd: ROOT, stdio: 'inherit' });
  }
  return measureConsole();
}

const call = apiJson;

/** Creates one offer, again after a 503 (a runtime answering while it restarts); a 409 after a retry is the first try's offer. */
async function create(url, key, body) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${url}/admin/v1/offers`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status === 201 || (res.status === 409 && attempt > 0)) return;
    if (res.status !== 503 || attempt >= 5) throw new Error(`POST /admin/v1/offers: ${res.status} ${await res.text()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A tenant with two products and `OFFERS` offers, created through the admin API. */
async function seed(url, platformKey) {
  const tenant = await call(url, 'POST', '/platform/v1/tenants', platformKey, { name: 'Console bench publisher' });
  const key = tenant.secret_key;
  const products = [];
  for (const name of ['Markets Brief', 'Weekly Letter']) {
    const p = await call(url, 'POST', '/admin/v1/products', key, { name });
    await call(url, 'POST', '/admin/v1/plans', key, { product_id: p.id, name: `${name} monthly`, duration: '1m', price: 49900, currency: 'INR' });
    products.push(p.id);
  }
  const today = new Date().toISOString().slice(0, 10);
  const later = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < OFFERS) {
      const i = next++;
      await create(url, key, {
        code: `BENCH${i.toString(36).toUpperCase().padStart(4, '0')}`,
        discount: { type: 'percent', value: 5 + (i % 40) },
        applies_to: { product_ids: i % 3 === 0 ? products : [products[i % 2]], durations: ['1m'] },
        starts_at: today,
        ends_at: later,
        eligibility: 'all',
        discoverability: i % 2 ? 'public' : 'private',
        ...(i % 5 === 0 ? { max_redemptions: 100 } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { tenant, seedMs: Date.now() - started };
}

/** Median time from navigation start to the offers table's first page rendered (signed in). */
async function timeToTable(url, tenant) {
  const browser = await launchChromium();
  const times = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${url}/console/`);
    await page.getByLabel('Secret key').fill(tenant.secret_key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    for (let i = 0; i < LOADS; i++) {
      await page.goto(`${url}/console/?r=${i}#/offers`);
      await page.locator('offers-table tbody tr').nth(49).waitFor({ timeout: 30_000 });
      times.push(await page.evaluate(() => performance.now()));
    }
    await context.close();
  } finally {
    await browser.close();
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

export async function run(ctx) {
  const size = bundle();
  // The 10,000 offers go in through the worker's direct socket when the runtime has one (seeding
  // is not what is measured); the browser goes through the asset router at ctx.url.
  const { tenant, seedMs } = await seed(ctx.server?.directUrl ?? ctx.url, ctx.platformKey);
  const ttt = await timeToTable(ctx.url, tenant);
  const result = {
    bench: 'console',
    bundle_js_files: size.files.length,
    bundle_minified_bytes: size.raw,
    bundle_gzip_bytes: size.gz,
    bundle_budget_gzip_bytes: BUDGET,
    offers: OFFERS,
    seed_ms: seedMs,
    offers_table_ms: { median: Math.round(ttt.median), min: Math.round(ttt.min), max: Math.round(ttt.max), loads: LOADS },
    offers_table_target_ms: TARGET_MS,
  };
  console.log(JSON.stringify(result));
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  return `## Console

On the lean runtime with its static assets (./public as wrangler.toml's \`[assets]\` configures it:
the console's files from Miniflare's asset worker, \`/console/v1/*\` and \`/admin/*\` through the
router to the worker), no wrangler dev proxy. Chromium from scripts/browser.mjs, headless.

| what | measured | target |
| --- | --- | --- |
| console JS (Lit and every module, ${size.files.length} file) | ${kb(size.raw)} minified, **${kb(size.gz)} gzipped** (gzip -9) | ≤ ${kb(BUDGET)} gzipped: ${size.gz <= BUDGET ? 'meets' : 'misses'} (the build fails above it) |
| /console/#/offers → first page of 50 rows shown, tenant with ${OFFERS.toLocaleString('en')} offers (Chromium, signed in, ${LOADS} loads) | median **${ttt.median.toFixed(0)} ms** (min ${ttt.min.toFixed(0)}, max ${ttt.max.toFixed(0)}) | < ${TARGET_MS} ms: ${ttt.median < TARGET_MS ? 'meets' : 'misses'} (index.html, the module, GET /console/v1/session, /admin/v1/tenant, then /admin/v1/offers?limit=50 beside products and plans) |
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startLeanRuntime({ port: 0, assets: true });
  try {
    console.error((await run({ url: server.url, platformKey: server.platformKey, server })).trim());
  } finally {
    await server.stop();
  }
}

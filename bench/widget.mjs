// bench/widget.mjs: the widget's size (the build's budget), what the runtime serves of it, and how
// long a publisher page on another origin takes to show the plans (headless Chromium from
// scripts/browser.mjs, cold cache, the real worker with ./public served as wrangler.toml's
// [assets] configures it). Run by `npm run bench` (bench/run.mjs), which passes {url, platformKey}
// of the lean runtime started with its assets (bench/runtime.mjs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { launchChromium } from '../scripts/browser.mjs';
import { apiJson } from './load.mjs';
import { ROOT } from './runtime.mjs';

const DIR = join(ROOT, 'public', 'widget');
const BUDGET = 15_000;
const LOADS = 7;

function bundleSize() {
  if (!existsSync(join(DIR, 'offer-checkout.js'))) {
    execFileSync('npm', ['run', '--silent', 'build:widget'], { cwd: ROOT, stdio: 'inherit' });
  }
  let raw = 0;
  let gz = 0;
  const files = readdirSync(DIR).filter((f) => /\.(m?js|css)$/.test(f));
  for (const f of files) {
    const buf = readFileSync(join(DIR, f));
    raw += buf.length;
    gz += gzipSync(buf, { level: 9 }).length;
  }
  return { files: files.length, raw, gz };
}

/** Bytes on the wire when the runtime serves the bundle from ./public to a browser (Accept-Encoding: gzip, br). */
function served(url) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/widget/offer-checkout.js`, { headers: { 'Accept-Encoding': 'gzip, br', Origin: 'https://publisher.example' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode, bytes, encoding: res.headers['content-encoding'] ?? 'identity', cors: res.headers['access-control-allow-origin'] ?? '(none)' }));
    });
    req.on('error', reject);
    req.end();
  });
}

const call = apiJson;

/** Median time from navigation start to the plans rendered, on a page of another origin. */
async function timeToPlans(ctx) {
  let page = '';
  const server = createServer((req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(page));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const tenant = await call(ctx.url, 'POST', '/platform/v1/tenants', ctx.platformKey, { name: 'Widget bench', allowed_origins: [origin] });
  const product = await call(ctx.url, 'POST', '/admin/v1/products', tenant.secret_key, { name: 'Bench product' });
  for (const [duration, price] of [['1m', 49_900], ['3m', 129_900], ['1y', 449_900]]) {
    await call(ctx.url, 'POST', '/admin/v1/plans', tenant.secret_key, { product_id: product.id, name: `Plan ${duration}`, duration, price, currency: 'INR' });
  }
  page = `<!doctype html><html lang="en-IN"><head><title>bench</title>
<script type="module" src="${ctx.url}/widget/offer-checkout.js"></script></head>
<body><offer-checkout publishable-key="${tenant.publishable_key}" product-id="${product.id}"></offer-checkout></body></html>`;
  const times = [];
  let browser;
  try {
    browser = await launchChromium();
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext();
      const tab = await context.newPage();
      await tab.goto(origin);
      await tab.getByRole('radio', { name: /Plan 1y/ }).waitFor();
      await tab.locator('offer-checkout').locator('[part="summary"]').waitFor();
      times.push(await tab.evaluate(() => performance.now()));
      await context.close();
    }
  } finally {
    await browser?.close();
    server.close();
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

export async function run(ctx) {
  const size = bundleSize();
  const wire = await served(ctx.url);
  let ttp;
  try {
    ttp = await timeToPlans(ctx);
  } catch (e) {
    console.error(e);
    ttp = { error: String(e?.message ?? e).split('\n')[0].slice(0, 200) };
  }
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  const rows = [
    `| widget bundle (Lit and every module it loads, ${size.files} file) | ${kb(size.raw)} minified, **${kb(size.gz)} gzipped** (gzip -9) | ≤ ${kb(BUDGET)} gzipped: ${size.gz <= BUDGET ? 'meets' : 'misses'} (the build fails above it) |`,
    `| \`GET /widget/offer-checkout.js\` from another origin (the asset worker serves ./public) | ${wire.status}, ${kb(wire.bytes)} on the wire (${wire.encoding}: Miniflare's asset worker does not compress), \`Access-Control-Allow-Origin: ${wire.cors}\` (public/_headers) | |`,
  ];
  const path = 'the module, then GET /v1/plans and /v1/access, then /v1/offers, each with its CORS preflight (every request through the asset router, as in production)';
  rows.push(
    ttp.error
      ? `| page on another origin → plans and price shown (Chromium) | not measured: \`${ttp.error}\` | ${path} |`
      : `| page on another origin → plans and price shown (Chromium, cold cache, ${LOADS} loads) | median **${ttp.median.toFixed(0)} ms** (min ${ttp.min.toFixed(0)}, max ${ttp.max.toFixed(0)}) | ${path} |`,
  );
  console.log(`widget: ${kb(size.gz)} gzipped${ttp.error ? '' : `, plans shown in ${ttp.median.toFixed(0)} ms`}`);
  return `## Widget

On the lean runtime with its static assets: ./public served as wrangler.toml's \`[assets]\`
configures it (Miniflare's asset and router workers in front of the worker, \`run_worker_first\`
paths to the worker), no wrangler dev proxy. Chromium from scripts/browser.mjs, headless.

| what | measured | target |
| --- | --- | --- |
${rows.join('\n')}
`;
}

// bench/widget.mjs: the widget's size (the build's budget) and, when Debian's Chromium is present,
// how long a publisher page on another origin takes to show the plans (cold cache, real worker).
// Run by `npm run bench` (bench/run.mjs), which passes {url, platformKey}.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { ROOT } from '../scripts/local-worker.mjs';
import { apiJson } from './load.mjs';

const DIR = join(ROOT, 'public', 'widget');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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

/** Bytes on the wire when the worker serves the bundle to a browser (Accept-Encoding: gzip, br). */
function served(url) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/widget/offer-checkout.js`, { headers: { 'Accept-Encoding': 'gzip, br', Origin: 'https://publisher.example' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => resolve({ bytes, encoding: res.headers['content-encoding'] ?? 'identity', cors: res.headers['access-control-allow-origin'] ?? '(none)' }));
    });
    req.on('error', reject);
    req.end();
  });
}

const call = apiJson;

/** Median time from navigation start to the plans rendered, on a page of another origin. */
async function timeToPlans(ctx) {
  if (!existsSync(CHROMIUM)) return null;
  const { chromium } = await import('playwright-core');
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
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const times = [];
  try {
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
    await browser.close();
    server.close();
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

export async function run(ctx) {
  const size = bundleSize();
  const wire = await served(ctx.url);
  const ttp = await timeToPlans(ctx);
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  const rows = [
    `| widget bundle (Lit and every module it loads, ${size.files} file) | ${kb(size.raw)} minified, **${kb(size.gz)} gzipped** (gzip -9) | ≤ ${kb(BUDGET)} gzipped: ${size.gz <= BUDGET ? 'meets' : 'misses'} (the build fails above it) |`,
    `| served by the worker | ${kb(wire.bytes)} on the wire (${wire.encoding}), \`Access-Control-Allow-Origin: ${wire.cors}\` | |`,
  ];
  if (ttp) {
    rows.push(
      `| page on another origin → plans and price shown (Chromium, cold cache, ${LOADS} loads) | median **${ttp.median.toFixed(0)} ms** (min ${ttp.min.toFixed(0)}, max ${ttp.max.toFixed(0)}) | the module, then GET /v1/plans and /v1/access, then /v1/offers, each with its CORS preflight (local \`wrangler dev\`) |`,
    );
  }
  console.log(`widget: ${kb(size.gz)} gzipped${ttp ? `, plans shown in ${ttp.median.toFixed(0)} ms` : ''}`);
  return `## Widget\n\n| what | measured | target |\n| --- | --- | --- |\n${rows.join('\n')}\n`;
}

#!/usr/bin/env node
// `npm run screenshots`: docs/screenshots/widget.png and widget-dark.png, taken from a real run
// (a local worker on a fresh D1, a publisher page on a second origin, headless Chromium). The
// tests never write into the tree; this script is the one place that refreshes these files.
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startLocalWorker } from './local-worker.mjs';
import { launchChromium } from './browser.mjs';
import { signUserToken } from './demo-seed.mjs';

const OUT = join(ROOT, 'docs', 'screenshots');
const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function call(url, method, path, key, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const page = (workerUrl, attrs, dark) => `<!doctype html>
<html lang="en-IN"><head><meta charset="utf-8"><title>Publisher page</title>
<script type="module" src="${workerUrl}/widget/offer-checkout.js"></script>
<style>:root{color-scheme:${dark ? 'dark' : 'light'}}body{font-family:Georgia,serif;margin:24px;background:${dark ? '#0f1115' : '#f6f7f9'};color:${dark ? '#e8ebf0' : '#1a1d23'}}</style>
</head><body><main><h1>Subscribe</h1><offer-checkout ${Object.entries(attrs).map(([k, v]) => `${k}="${v}"`).join(' ')}></offer-checkout></main></body></html>`;

const worker = await startLocalWorker({ port: Number(process.env.SCREENSHOTS_PORT ?? 8796) });
const pages = new Map();
const site = createServer((req, res) => {
  const body = pages.get(req.url);
  res.writeHead(body ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' }).end(body ?? 'not found');
});
await new Promise((r) => site.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${site.address().port}`;
let browser;
try {
  const tenant = await call(worker.url, 'POST', '/platform/v1/tenants', worker.platformKey, { name: 'Screenshots', allowed_origins: [origin] });
  const sk = tenant.secret_key;
  const product = await call(worker.url, 'POST', '/admin/v1/products', sk, { name: 'Markets Brief', description: 'Daily research' });
  for (const [name, duration, price, description] of [
    ['Monthly', '1m', 49_900, 'Daily brief and model portfolios'],
    ['Quarterly', '3m', 129_900, 'Save 13% on the monthly price'],
    ['Yearly', '1y', 499_900, 'Best value'],
  ]) {
    await call(worker.url, 'POST', '/admin/v1/plans', sk, { product_id: product.id, name, duration, price, currency: 'INR', description });
  }
  await call(worker.url, 'POST', '/admin/v1/offers', sk, {
    code: 'WELCOME20',
    discount: { type: 'percent', value: 20 },
    applies_to: { product_ids: [product.id], durations: ['1m', '3m', '6m', '1y'] },
    starts_at: day(0),
    ends_at: day(30),
    eligibility: 'all',
    discoverability: 'public',
    subscription_limit: 2,
  });
  const token = signUserToken(tenant.user_token_secret, { sub: 'u-shot', email: 'reader@example.com', email_verified: true }, 3600);
  browser = await launchChromium();
  mkdirSync(OUT, { recursive: true });
  for (const dark of [false, true]) {
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 }, deviceScaleFactor: 1 });
    const tab = await context.newPage();
    pages.set(`/${dark ? 'dark' : 'light'}.html`, page(worker.url, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token }, dark));
    await tab.goto(`${origin}/${dark ? 'dark' : 'light'}.html`);
    await tab.getByRole('radio', { name: /Quarterly/ }).check();
    const offer = tab.getByRole('radio', { name: /20% off/ });
    if (await offer.count()) await offer.check();
    await tab.waitForFunction(() => {
      const summary = document.querySelector('offer-checkout')?.shadowRoot?.querySelector('[part="summary"]');
      return !summary || (summary.getAttribute('aria-busy') !== 'true' && summary.textContent?.includes('WELCOME20'));
    }, undefined, { timeout: 15_000 });
    const file = join(OUT, dark ? 'widget-dark.png' : 'widget.png');
    await tab.locator('main').screenshot({ path: file });
    console.log(`wrote ${file}`);
    await context.close();
  }
} finally {
  await browser?.close();
  await worker.stop();
  site.close();
}

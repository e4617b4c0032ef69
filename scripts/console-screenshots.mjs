#!/usr/bin/env node
// `node scripts/console-screenshots.mjs`: docs/screenshots/console-*.png, one per screen of the
// publisher console, taken from a real run (a local worker on a fresh D1, seeded through the
// admin API, headless Chromium at 1280 px, plus the offers table at 375 px and in dark mode).
// The tests never write into the tree; this script is the one place that refreshes these files.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startLocalWorker } from './local-worker.mjs';
import { launchChromium } from './browser.mjs';

const OUT = join(ROOT, 'docs', 'screenshots');
const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function call(url, method, path, key, body, type) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': type ?? 'application/json' } : {}) },
    body: body ? (type ? body : JSON.stringify(body)) : undefined,
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

execFileSync('npm', ['run', '--silent', 'build:console'], { cwd: ROOT, stdio: 'inherit' });
mkdirSync(OUT, { recursive: true });
const worker = await startLocalWorker({ port: Number(process.env.SCREENSHOTS_PORT ?? 8797) });
let browser;
try {
  const url = worker.url;
  const tenant = await call(url, 'POST', '/platform/v1/tenants', worker.platformKey, { name: 'Northwind Research', time_zone: 'Asia/Kolkata' });
  const sk = tenant.secret_key;
  const brief = await call(url, 'POST', '/admin/v1/products', sk, { name: 'Markets Brief', description: 'Daily research' });
  const folio = await call(url, 'POST', '/admin/v1/products', sk, { name: 'Model Portfolios' });
  const seats = await call(url, 'POST', '/admin/v1/products', sk, { name: 'Group users' });
  const plans = {};
  for (const [product, name, duration, price] of [
    [brief, 'Brief monthly', '1m', 49_900],
    [brief, 'Brief quarterly', '3m', 129_900],
    [folio, 'Portfolios yearly', '1y', 999_900],
    [seats, 'Corporate seat', '1y', 0],
  ]) {
    plans[name] = await call(url, 'POST', '/admin/v1/plans', sk, { product_id: product.id, name, duration, price, currency: 'INR' });
  }
  const base = { starts_at: day(0), ends_at: day(30), eligibility: 'all', discoverability: 'public' };
  const welcome = await call(url, 'POST', '/admin/v1/offers', sk, { ...base, code: 'WELCOME20', discount: { type: 'percent', value: 20 }, applies_to: { product_ids: [brief.id], durations: ['1m', '3m'] }, subscription_limit: 2 });
  await call(url, 'POST', '/admin/v1/offers', sk, { ...base, code: 'XYZ50SEATS', discount: { type: 'percent', value: 100 }, applies_to: { product_ids: [folio.id], durations: ['1y'] }, max_redemptions: 50, discoverability: 'private' });
  await call(url, 'POST', '/admin/v1/offers', sk, { ...base, starts_at: day(7), code: 'DIWALI', discount: { type: 'flat', amount: 20_000, currency: 'INR' }, applies_to: { product_ids: [brief.id, folio.id], durations: ['1m', '1y'] } });
  const listed = await call(url, 'POST', '/admin/v1/offers', sk, { ...base, code: 'ALUMNI15', discount: { type: 'percent', value: 15 }, applies_to: { product_ids: [brief.id], durations: ['1m'] }, eligibility: 'list' });
  await call(url, 'PUT', `/admin/v1/offers/${listed.id}/eligible-users`, sk, 'user_id,email\nu1,u1@example.com\nu2,\n,not-an-email\n', 'text/csv');
  await call(url, 'POST', '/admin/v1/groups', sk, { name: 'XYZ Corp', plan_id: plans['Corporate seat'].id, ip_ranges: ['203.0.113.0/24'], email_domains: ['xyz.example'], seat_limit: 50 });

  browser = await launchChromium();
  const shoot = async (name, { width = 1280, height = 900, dark = false, route = '#/offers', prepare } = {}) => {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, colorScheme: dark ? 'dark' : 'light', locale: 'en-IN' });
    const page = await context.newPage();
    await page.goto(`${url}/console/`);
    if (name !== 'sign-in') {
      await page.getByLabel('Secret key').fill(sk);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.evaluate((r) => (location.hash = r), route);
    }
    await page.waitForLoadState('networkidle').catch(() => {});
    if (prepare) await prepare(page);
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(OUT, `console-${name}.png`), fullPage: true });
    await context.close();
    console.log(`docs/screenshots/console-${name}.png`);
  };

  await shoot('sign-in', { height: 600 });
  await shoot('offers', { prepare: (p) => p.locator('offers-table tbody tr').first().waitFor() });
  await shoot('offers-375', { width: 375, height: 800, prepare: (p) => p.locator('offers-table tbody tr').first().waitFor() });
  await shoot('offers-dark', { dark: true, prepare: (p) => p.locator('offers-table tbody tr').first().waitFor() });
  await shoot('wizard-products', { route: '#/offers/new', prepare: async (p) => {
    await p.getByLabel('Markets Brief').check();
    await p.getByLabel('Model Portfolios').check();
    await p.getByLabel('1 month').check();
  } });
  await shoot('wizard-review', { route: '#/offers/new', prepare: async (p) => {
    await p.getByLabel('Markets Brief').check();
    await p.getByLabel('Model Portfolios').check();
    await p.getByLabel('1 month').check();
    await p.getByRole('button', { name: 'Next' }).click();
    await p.getByLabel('Percentage', { exact: true }).fill('25');
    await p.getByLabel('Code', { exact: true }).fill('SPRING25');
    await p.getByRole('button', { name: 'Next' }).click();
    await p.getByLabel('Discounted billing cycles').fill('2');
    await p.getByRole('button', { name: 'Next' }).click();
    await p.getByText('it will be left out of the offer').waitFor();
  } });
  await shoot('offer-details', { route: `#/offers/${welcome.id}`, prepare: (p) => p.locator('.value.redemptions').waitFor() });
  await shoot('end-date-confirmation', { route: `#/offers/${welcome.id}`, prepare: async (p) => {
    await p.getByLabel('Ends on').fill(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata' }).format(new Date()));
    await p.getByRole('button', { name: 'Review change' }).click();
    await p.getByRole('dialog').waitFor();
  } });
  await shoot('catalog', { route: '#/catalog', prepare: (p) => p.getByRole('heading', { name: 'New plan' }).waitFor() });
  await shoot('groups', { route: '#/groups', prepare: (p) => p.getByText('XYZ Corp').first().waitFor() });
  await shoot('exports', { route: '#/exports', height: 500, prepare: (p) => p.getByRole('link', { name: 'Subscriptions (CSV)' }).waitFor() });
  await shoot('settings', { route: '#/settings', prepare: (p) => p.getByRole('heading', { name: 'API keys' }).waitFor() });
} finally {
  await browser?.close();
  await worker.stop();
}

/**
 * The console's other screens in real Chromium against the real local worker: products and
 * plans (a field error from the API, each plan's live offers), groups (a range conflict named as
 * the API names it, member imports with progress and failed rows), exports, tenant settings,
 * keys (create with overlap, revoke) and webhook endpoints (secret shown once, deliveries).
 * axe in light and dark, and layouts at 1280 px and 375 px.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Backend, launchBrowser, startWorker, type LocalWorker, type Tenant } from '../widget/harness';
import { day, ensureConsoleBuilt, expectAccessible, openConsole, poll, signIn } from './harness';

let worker: LocalWorker;
let browser: Browser;
let backend: Backend;

beforeAll(async () => {
  ensureConsoleBuilt();
  [worker, browser] = await Promise.all([startWorker(), launchBrowser()]);
  backend = new Backend(worker);
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

async function publisher() {
  const tenant: Tenant = await backend.createTenant([], 'Screens publisher');
  const product = await backend.admin(tenant, 'POST', '/products', { name: 'Research Desk' });
  const users = await backend.admin(tenant, 'POST', '/products', { name: 'Group users' });
  const plan = await backend.admin(tenant, 'POST', '/plans', { product_id: product.id, name: 'Desk monthly', duration: '1m', price: 99900, currency: 'INR' });
  const free = await backend.admin(tenant, 'POST', '/plans', { product_id: users.id, name: 'Corporate seat', duration: '1y', price: 0, currency: 'INR' });
  return { tenant, product, plan, free };
}

/** No sideways scrolling of the page at this width. */
async function fitsWidth(page: import('playwright-core').Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

describe('console: screens', () => {
  test('products and plans: a plan created in the form, an API field error on its field, each plan’s live offers', async () => {
    const { tenant, product, plan } = await publisher();
    await backend.admin(tenant, 'POST', '/offers', {
      code: 'DESK10',
      discount: { type: 'percent', value: 10 },
      applies_to: { product_ids: [product.id], durations: ['1m'] },
      starts_at: day(0),
      ends_at: day(30),
      eligibility: 'all',
      discoverability: 'public',
    });
    const { page, context, errors } = await openConsole(browser, worker.url);
    try {
      await signIn(page, tenant.secret_key);
      await page.getByRole('link', { name: 'Products and plans' }).click();
      const row = page.locator(`tr[data-plan-id="${plan.id}"]`);
      await row.waitFor();
      await expect(row.getByRole('link', { name: 'DESK10' }).getAttribute('href')).resolves.toBe(`#/offers/${(await backend.admin(tenant, 'GET', '/offers')).data[0].id}`);
      await expectAccessible(page, 'products and plans');

      // A currency the API refuses: its message lands on the Currency field.
      const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create plan' }) });
      await form.getByLabel('Name', { exact: true }).fill('Desk yearly');
      await form.getByLabel('Duration').selectOption({ label: '1 year' });
      await form.getByLabel('Price').fill('9999');
      await form.getByLabel('Currency').fill('XYZ');
      await form.getByRole('button', { name: 'Create plan' }).click();
      await poll(() => form.getByLabel('Currency').getAttribute('aria-invalid')).toBe('true');
      await form.getByText('is not an ISO 4217 currency code').waitFor();
      await form.getByLabel('Currency').fill('INR');
      await form.getByRole('button', { name: 'Create plan' }).click();
      await page.getByRole('cell', { name: 'Desk yearly' }).waitFor();
      const created = (await backend.admin(tenant, 'GET', '/plans')).data.find((p: any) => p.name === 'Desk yearly');
      expect(created).toMatchObject({ duration: '1y', price: 999900, currency: 'INR', product_id: product.id });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('groups: create with ranges and domains, a conflicting range named as the API names it, members imported with progress', async () => {
    const { tenant, free } = await publisher();
    const { page, context, errors } = await openConsole(browser, worker.url);
    try {
      await signIn(page, tenant.secret_key);
      await page.getByRole('link', { name: 'Groups' }).click();
      await page.getByText('No groups yet.').waitFor();
      await expectAccessible(page, 'groups (empty)');
      const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create group' }) });
      await form.getByLabel('Organisation name').fill('XYZ Corp');
      await form.getByLabel('Plan granted').selectOption({ label: 'Group users · Corporate seat' });
      await form.getByLabel('IP ranges').fill('203.0.113.0/24\n198.51.100.10-198.51.100.20');
      await form.getByLabel('Email domains').fill('xyz.example');
      await form.getByLabel('Seat limit (optional)').fill('25');
      await form.getByRole('button', { name: 'Create group' }).click();
      const xyz = page.locator('tr').filter({ hasText: 'XYZ Corp' });
      await xyz.waitFor();
      await expect(xyz.locator('td.seats').textContent()).resolves.toBe('0 of 25 used');

      // A second group overlapping the first: 409 ip_range_conflict, on the line it names.
      await form.getByLabel('Organisation name').fill('ABC Ltd');
      await form.getByLabel('IP ranges').fill('192.0.2.0/24\n203.0.113.128/25');
      await form.getByRole('button', { name: 'Create group' }).click();
      await page.getByRole('alert').filter({ hasText: 'ip_range_conflict' }).waitFor();
      await poll(() => form.getByLabel('IP ranges').getAttribute('aria-invalid')).toBe('true');
      await form.getByText(/^Line 2: 203\.0\.113\.128\/25 overlaps 203\.0\.113\.0\/24 of group "XYZ Corp"/).waitFor();
      await expectAccessible(page, 'groups with a conflict');

      // Member import on the group's plan: progress, then the failed row.
      await page.getByRole('button', { name: 'Import members of XYZ Corp' }).click();
      await page.getByLabel('Members (CSV file)').setInputFiles({
        name: 'members.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('user_id,email\nemp1,emp1@xyz.example\nemp2,emp2@xyz.example\n,nobody@xyz.example\n'),
      });
      await page.getByRole('button', { name: 'Import members', exact: true }).click();
      await page.getByText('Finished with 1 failed row.').first().waitFor({ timeout: 30_000 });
      await poll(() => page.locator('table.job-errors tbody tr').count()).toBe(1);
      await page.locator('.job-status').getByText('3 of 3 rows processed, 1 failed').waitFor();
      await expectAccessible(page, 'groups import');
      await page.getByRole('button', { name: 'Members of XYZ Corp', exact: true }).click();
      await page.getByRole('heading', { name: 'Members of XYZ Corp', exact: true }).waitFor();
      const group = (await backend.admin(tenant, 'GET', '/groups')).data[0];
      const members = (await backend.admin(tenant, 'GET', `/groups/${group.id}/members`)).data;
      if (members.length === 0) await page.getByText('No members yet.').waitFor();
      else await poll(() => page.locator('section.members tbody tr').count()).toBe(members.length);
      const subs = await fetch(`${worker.url}/admin/v1/exports/subscriptions.csv?plan_id=${free.id}`, { headers: { Authorization: `Bearer ${tenant.secret_key}` } }).then((r) => r.text());
      expect(subs).toContain('emp1');
      expect(subs).toContain('emp2');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('exports, settings, keys and webhook endpoints; dark mode; 375 px', async () => {
    const { tenant, product, plan } = await publisher();
    const { page, context, errors } = await openConsole(browser, worker.url, { dark: true });
    try {
      await signIn(page, tenant.secret_key);
      await expectAccessible(page, 'offers table (dark)');

      // Exports: cookie-authenticated links filtered by product and plan.
      await page.getByRole('link', { name: 'Exports' }).click();
      await page.getByLabel('Product').selectOption({ label: 'Research Desk' });
      await page.getByLabel('Plan').selectOption({ label: 'Research Desk · Desk monthly' });
      const link = page.getByRole('link', { name: 'Subscriptions (CSV)' });
      await expect(link.getAttribute('href')).resolves.toBe(`/admin/v1/exports/subscriptions.csv?product_id=${product.id}&plan_id=${plan.id}`);
      const csv = await page.evaluate(async (href) => {
        const r = await fetch(href);
        return { status: r.status, type: r.headers.get('Content-Type'), text: await r.text() };
      }, (await link.getAttribute('href'))!);
      expect(csv.status).toBe(200);
      expect(csv.type).toContain('text/csv');
      await expectAccessible(page, 'exports (dark)');

      // Tenant settings.
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByLabel('Time zone').fill('Asia/Kolkata');
      await page.getByLabel('Checkout hold (minutes)').fill('45');
      await page.getByLabel('Allowed origins').fill('https://news.example.com');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await poll(async () => (await backend.admin(tenant, 'GET', '/tenant')).checkout_hold_minutes).toBe(45);
      expect(await backend.admin(tenant, 'GET', '/tenant')).toMatchObject({ time_zone: 'Asia/Kolkata', allowed_origins: ['https://news.example.com'] });
      // A refused value is shown on its field.
      await page.getByLabel('Checkout hold (minutes)').fill('5000');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await poll(() => page.getByLabel('Checkout hold (minutes)').getAttribute('aria-invalid')).toBe('true');

      // Keys: a new publishable key shown once, then revoked.
      const keysBefore = (await backend.admin(tenant, 'GET', '/keys')).data.length;
      await page.getByLabel('Kind', { exact: true }).selectOption({ label: 'Publishable' });
      await page.getByRole('button', { name: 'Create key' }).click();
      const shown = page.locator('code.secret').first();
      await shown.waitFor();
      expect(await shown.textContent()).toMatch(/^pk_/);
      await poll(async () => (await backend.admin(tenant, 'GET', '/keys')).data.length).toBe(keysBefore + 1);
      const fresh = (await backend.admin(tenant, 'GET', '/keys')).data.at(-1);
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: `Revoke ${fresh.prefix}` }).click();
      await poll(async () => (await backend.admin(tenant, 'GET', '/keys')).data.find((k: any) => k.id === fresh.id).revoked_at).not.toBeNull();
      // The last secret key cannot be revoked: the API's reason is shown.
      const secret = (await backend.admin(tenant, 'GET', '/keys')).data.find((k: any) => k.kind === 'secret' && !k.revoked_at);
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: `Revoke ${secret.prefix}` }).click();
      await page.getByRole('alert').filter({ hasText: 'last working secret key' }).waitFor();

      // Webhook endpoints: the secret once, then deliveries; a refused URL on its field.
      await page.getByLabel('URL', { exact: true }).fill('http://10.0.0.1/hook');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await poll(() => page.getByLabel('URL', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('URL', { exact: true }).fill('http://127.0.0.1:9/offer-checkout');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByRole('main').getByText('Signing secret. Copy it now').waitFor();
      expect(await page.locator('code.secret').last().textContent()).toMatch(/^whsec_/);
      await page.getByRole('button', { name: 'Deliveries to http://127.0.0.1:9/offer-checkout' }).click();
      await page.getByText('No deliveries yet.').waitFor();
      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByRole('cell', { name: 'Disabled' }).waitFor();
      await expectAccessible(page, 'settings (dark)');
      expect(errors).toEqual([]);

      // 375 px: every screen fits the width (tables scroll inside their box).
      await page.setViewportSize({ width: 375, height: 800 });
      for (const [name, heading] of [
        ['Offers', 'Offers'],
        ['Products and plans', 'Products and plans'],
        ['Groups', 'Groups'],
        ['Exports', 'Exports'],
        ['Settings', 'Settings'],
      ] as const) {
        await page.getByRole('link', { name, exact: true }).click();
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await fitsWidth(page, 375);
      }
      await expectAccessible(page, 'settings at 375 px');
    } finally {
      await context.close();
    }
  });
});

/**
 * The publisher console in real Chromium against the real local worker: signing in, the
 * create-offer wizard with an eligible-users CSV (job progress and failed rows), the review
 * step's warning, the offers table (search, Status filter, the "!" of failed rows), offer
 * details with counts that move after a checkout through the public API, the end-date edit,
 * and signing out. axe runs on every screen.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Backend, focused, launchBrowser, mintUserToken, startWorker, tabTo, type LocalWorker, type Tenant } from '../widget/harness';
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

/** A tenant with "Markets Brief" (1m and 3m plans) and "Weekly Letter" (a 1y plan only). */
async function publisher() {
  const tenant: Tenant = await backend.createTenant([], 'Console test publisher');
  const brief = await backend.admin(tenant, 'POST', '/products', { name: 'Markets Brief' });
  const letter = await backend.admin(tenant, 'POST', '/products', { name: 'Weekly Letter' });
  const monthly = await backend.admin(tenant, 'POST', '/plans', { product_id: brief.id, name: 'Brief monthly', duration: '1m', price: 49900, currency: 'INR' });
  await backend.admin(tenant, 'POST', '/plans', { product_id: brief.id, name: 'Brief quarterly', duration: '3m', price: 129900, currency: 'INR' });
  await backend.admin(tenant, 'POST', '/plans', { product_id: letter.id, name: 'Letter yearly', duration: '1y', price: 299900, currency: 'INR' });
  return { tenant, brief, letter, monthly };
}

const CSV = 'user_id,email\nu1,u1@example.com\nu2,\n,not-an-email\nu3,a,extra\n';

describe('console: offers', () => {
  test('sign in, create an offer with a CSV in the wizard, find it, watch its counts move, edit its end date, sign out', async () => {
    const { tenant, brief, monthly } = await publisher();
    const { page, context, errors } = await openConsole(browser, worker.url);
    try {
      // Sign-in screen.
      await page.getByLabel('Secret key').waitFor();
      await expectAccessible(page, 'sign-in');
      await page.getByLabel('Secret key').fill(tenant.secret_key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      // The key is nowhere the page's scripts can read it.
      const stored = await page.evaluate(() => ({
        local: JSON.stringify({ ...localStorage }),
        session: JSON.stringify({ ...sessionStorage }),
        cookie: document.cookie,
        fields: (function walk(root: Document | ShadowRoot): string[] {
          return [...root.querySelectorAll('*')].flatMap((e) => [...(e instanceof HTMLInputElement ? [e.value] : []), ...(e.shadowRoot ? walk(e.shadowRoot) : [])]);
        })(document),
      }));
      expect(JSON.stringify(stored)).not.toContain(tenant.secret_key);
      expect(stored.cookie).toBe('');
      const cookies = await context.cookies();
      expect(cookies.length).toBeGreaterThan(0);
      for (const c of cookies) {
        expect(c.httpOnly).toBe(true);
        expect(c.sameSite).toBe('Strict');
        expect(c.value).not.toContain(tenant.secret_key);
      }

      // Empty offers table, then the wizard.
      await page.getByText('No offers yet').waitFor();
      await expectAccessible(page, 'offers table (empty)');
      await page.getByRole('button', { name: 'Create offer' }).click();
      await page.getByRole('heading', { name: 'Step 1 of 4: Products and durations' }).waitFor();
      // Next with nothing selected: the errors are on the fields, focus on the first.
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Select at least one product.').waitFor();
      await page.getByText('Select at least one duration.').waitFor();
      await page.getByLabel('Markets Brief').check();
      await page.getByLabel('Weekly Letter').check();
      await page.getByLabel('1 month').check();
      await page.getByLabel('3 months').check();
      await expectAccessible(page, 'wizard step 1');
      await page.getByRole('button', { name: 'Next' }).click();

      await page.getByRole('heading', { name: 'Step 2 of 4: Offer details' }).waitFor();
      await page.getByLabel('Percentage', { exact: true }).fill('20');
      await page.getByLabel('Code', { exact: true }).fill('welcome20');
      await page.getByLabel('Only the users on a list (CSV)').check();
      await expect(page.getByRole('link', { name: 'Download a sample file' }).getAttribute('download')).resolves.toBe('eligible-users-sample.csv');
      await page.getByLabel('Eligible users (CSV file)').setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
      await expectAccessible(page, 'wizard step 2');
      await page.getByRole('button', { name: 'Next' }).click();

      await page.getByRole('heading', { name: 'Step 3 of 4: Usage limits' }).waitFor();
      await page.getByText('Example: 50 gives exactly 50 subscriptions').waitFor();
      await page.getByLabel('Total redemptions (all users)').fill('100');
      await expectAccessible(page, 'wizard step 3');
      await page.getByRole('button', { name: 'Next' }).click();

      // Review: the product without an active plan in 1m/3m is named before confirming.
      await page.getByRole('heading', { name: 'Step 4 of 4: Review and confirm' }).waitFor();
      await page.getByText('Weekly Letter has no active plan in 1 month, 3 months: it will be left out of the offer.').waitFor();
      await expectAccessible(page, 'wizard step 4');
      await page.getByRole('button', { name: 'Create offer' }).click();

      // Created; the CSV becomes a job whose progress and failed rows are shown.
      await page.getByRole('heading', { name: 'Offer WELCOME20 created.' }).waitFor();
      await page.getByText('Processing').waitFor();
      await page.getByText('Finished with 2 failed rows.').first().waitFor({ timeout: 30_000 });
      const failedRows = page.locator('table.job-errors tbody tr');
      await poll(() => failedRows.count()).toBe(2);
      await expect(failedRows.nth(0).locator('td').nth(0).textContent()).resolves.toBe('4');
      await expect(page.getByRole('link', { name: 'Failed rows (CSV)' }).first().getAttribute('href')).resolves.toMatch(/^\/admin\/v1\/jobs\/job_[0-9a-z]+\/errors\.csv$/);
      await expectAccessible(page, 'wizard created with job');

      const offers = (await backend.admin(tenant, 'GET', '/offers')).data;
      expect(offers).toHaveLength(1);
      const offer = offers[0];
      expect(offer.applies_to.product_ids).toEqual([brief.id]);

      // The table: search by code, the "!" of failed rows, the Status filter.
      await page.getByRole('link', { name: 'Offers', exact: true }).click();
      await page.getByLabel('Search by code').fill('WELC');
      await page.getByRole('button', { name: 'Search' }).click();
      const row = page.locator(`tr[data-offer-id="${offer.id}"]`);
      await row.waitFor();
      await expect(row.locator('td').nth(0).textContent()).resolves.toBe('WELCOME20');
      await expect(row.locator('td').nth(1).textContent()).resolves.toBe('Markets Brief');
      await expect(row.locator('td').nth(2).textContent()).resolves.toBe('20% off');
      await poll(() => row.getByText('Some rows failed').count()).toBe(1);
      await expect(row.getByRole('link', { name: /Failed rows \(CSV\)/ }).getAttribute('href')).resolves.toMatch(/errors\.csv$/);
      await expectAccessible(page, 'offers table');
      await page.getByLabel('Search by code').fill('NOPE');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('No offer matches this filter.').waitFor();
      await page.getByRole('button', { name: 'Clear' }).click();
      await row.waitFor();
      await page.getByLabel('Status').selectOption({ label: 'Scheduled' });
      await page.getByText('No offer matches this filter.').waitFor();
      await page.getByLabel('Status').selectOption({ label: 'Active' });
      await row.waitFor();
      await expect(row.locator('td').nth(6).textContent()).resolves.toBe('Active');

      // Details: live stats move after a checkout through the public API, without a reload.
      await row.getByRole('link', { name: 'Details of WELCOME20' }).click();
      await page.getByRole('heading', { name: /Offer WELCOME20/ }).waitFor();
      await poll(() => page.locator('.value.eligible-users').textContent()).toBe('2');
      await page.locator('offer-details').getByRole('link', { name: 'Failed rows (CSV) (2)' }).waitFor();
      await expect(page.locator('.value.redemptions').textContent()).resolves.toBe('0');
      await expectAccessible(page, 'offer details');
      const token = mintUserToken(tenant.user_token_secret, { sub: 'u1', email: 'u1@example.com', email_verified: true });
      const checkout = await backend.call('POST', '/v1/subscriptions', tenant.publishable_key, { plan_id: monthly.id, code: 'WELCOME20' }, { 'X-User-Token': token });
      expect(checkout.status, checkout.text).toBe(201);
      await poll(() => page.locator('.value.redemptions').textContent()).toBe('1');
      await poll(() => page.locator('.value.users-availed').textContent()).toBe('1');
      await poll(() => page.locator(`table.by-plan tr[data-plan-id="${monthly.id}"] td`).nth(1).textContent()).toBe('Brief monthly');

      // End date: today is warned about; a later date is stated in words and saved.
      const endsAt = page.getByLabel('Ends on');
      await endsAt.fill(day(0));
      await page.getByRole('button', { name: 'Review change' }).click();
      const dialog = page.getByRole('dialog', { name: 'Confirm the change' });
      await dialog.waitFor();
      await dialog.getByText('This ends the offer today').waitFor();
      await expectAccessible(page, 'end-date confirmation');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const later = day(10);
      await endsAt.fill(later);
      await page.getByRole('button', { name: 'Review change' }).click();
      await dialog.waitFor();
      const words = new Intl.DateTimeFormat('en-US', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${later}T00:00:00Z`));
      await expect(dialog.locator('.new-end').textContent()).resolves.toBe(`The offer will end at the end of ${words} (UTC).`);
      await expect(dialog.getByText('This ends the offer today').count()).resolves.toBe(0);
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await poll(async () => (await backend.admin(tenant, 'GET', `/offers/${offer.id}`)).ends_at.slice(0, 10)).toBe(later);

      // Sign out: the sign-in form is back and the cookie no longer opens the admin API.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Secret key').waitFor();
      await page.getByRole('main').getByText('You are signed out.').waitFor();
      const after = await page.evaluate(async () => (await fetch('/admin/v1/offers')).status);
      expect(after).toBe(401);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('keyboard only: sign in, reach the wizard, pick a product; revoking the key ends the session', async () => {
    const { tenant } = await publisher();
    const { page, context } = await openConsole(browser, worker.url);
    try {
      await page.getByLabel('Secret key').waitFor();
      await poll(() => focused(page)).toBe('input|password|Secret key');
      await page.keyboard.type(tenant.secret_key);
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      // Focus lands on the new view's heading.
      await poll(() => focused(page)).toBe('h1||Offers');
      await tabTo(page, /^button\|button\|Create offer$/);
      await page.keyboard.press('Enter');
      await poll(() => focused(page)).toBe('h1||Create an offer');
      await page.getByLabel('Markets Brief').waitFor(); // products loaded; focus stays on the heading
      await poll(() => focused(page)).toBe('h1||Create an offer');
      await tabTo(page, /^input\|checkbox\|Markets Brief$/);
      await page.keyboard.press('Space');
      await expect(page.getByLabel('Markets Brief').isChecked()).resolves.toBe(true);
      await tabTo(page, /^button\|submit\|Next$/);
      await page.keyboard.press('Enter');
      // No duration: the error is announced on the field and focus moves there.
      await page.getByText('Select at least one duration.').waitFor();
      await poll(() => focused(page)).toBe('input|checkbox|1 month');

      // Another secret key, then the signed-in key revoked: the console falls back to the sign-in.
      const keys = (await backend.admin(tenant, 'GET', '/keys')).data;
      const current = keys.find((k: any) => k.kind === 'secret' && !k.revoked_at);
      const next = await backend.admin(tenant, 'POST', '/keys', { kind: 'secret', expire_current_in_hours: 24 });
      const res = await backend.call('DELETE', `/admin/v1/keys/${current.id}`, next.secret_key);
      expect(res.status, res.text).toBeLessThan(300);
      await page.getByRole('link', { name: 'Offers', exact: true }).click();
      await page.getByRole('main').getByText('Your session has ended. Sign in again.').waitFor({ timeout: 20_000 });
      await page.getByLabel('Secret key').waitFor();
    } finally {
      await context.close();
    }
  });

  test('the table pages on the server, 50 offers at a time, and keeps the Status filter across pages', async () => {
    const { tenant, brief } = await publisher();
    const body = (i: number) => ({
      code: `PAGE${String(i).padStart(3, '0')}`,
      discount: { type: 'percent', value: 10 },
      applies_to: { product_ids: [brief.id], durations: ['1m'] },
      starts_at: i < 53 ? day(0) : day(3),
      ends_at: day(20),
      eligibility: 'all',
      discoverability: 'private',
    });
    for (let i = 0; i < 56; i += 8) await Promise.all(Array.from({ length: Math.min(8, 56 - i) }, (_, k) => backend.admin(tenant, 'POST', '/offers', body(i + k))));
    const { page, context } = await openConsole(browser, worker.url);
    try {
      await signIn(page, tenant.secret_key);
      const rows = page.locator('offers-table tbody tr');
      await poll(() => rows.count()).toBe(50);
      await expect(page.getByRole('button', { name: 'Previous page' }).isDisabled()).resolves.toBe(true);
      await page.getByRole('button', { name: 'Next page' }).click();
      await poll(() => rows.count()).toBe(6);
      await expect(page.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);
      await page.getByRole('button', { name: 'Previous page' }).click();
      await poll(() => rows.count()).toBe(50);
      await page.getByLabel('Status').selectOption({ label: 'Active' });
      await poll(() => rows.count()).toBe(50);
      await page.getByRole('button', { name: 'Next page' }).click();
      await poll(() => rows.count()).toBe(3);
      await page.getByLabel('Status').selectOption({ label: 'Scheduled' });
      await poll(() => rows.count()).toBe(3);
      await expect(page.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);
      // The filter is in the address: Back from an offer's details shows the same filtered table.
      expect(new URL(page.url()).hash).toBe('#/offers?status=scheduled');
      await page.getByRole('link', { name: 'Details of PAGE054' }).click();
      await page.getByRole('heading', { name: /Offer PAGE054/ }).waitFor();
      await page.goBack();
      await poll(() => rows.count()).toBe(3);
      await expect(page.getByLabel('Status').inputValue()).resolves.toBe('scheduled');
    } finally {
      await context.close();
    }
  });

  test('a code set through the wizard: its job’s progress, then its codes to download', async () => {
    const { tenant } = await publisher();
    const { page, context, errors } = await openConsole(browser, worker.url);
    try {
      await signIn(page, tenant.secret_key);
      await page.getByRole('button', { name: 'Create offer' }).click();
      await page.getByLabel('Markets Brief').check();
      await page.getByLabel('3 months').check();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Amount off').check();
      await page.getByLabel('Amount', { exact: true }).fill('150');
      await page.getByLabel('A set of single-use codes').check();
      await page.getByLabel('Number of codes').fill('25');
      await page.getByLabel('Prefix (optional)').fill('team');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('25 codes (TEAM…)').waitFor();
      await page.getByText('₹150.00 off').waitFor();
      await page.getByRole('button', { name: 'Create offer' }).click();
      await page.getByRole('heading', { name: 'Offer 25 codes (TEAM…) created.' }).waitFor();
      await page.getByText('Finished: every row was processed.').first().waitFor({ timeout: 30_000 });
      const offer = (await backend.admin(tenant, 'GET', '/offers')).data[0];
      expect(offer).toMatchObject({ code: null, code_set: { count: 25, prefix: 'TEAM' }, discount: { type: 'flat', amount: 15000, currency: 'INR' } });
      await page.getByRole('link', { name: 'Open the offer' }).click();
      const codes = page.getByRole('link', { name: 'Codes (CSV)' });
      await expect(codes.getAttribute('href')).resolves.toBe(`/admin/v1/offers/${offer.id}/codes.csv`);
      const csv = await page.evaluate(async (href) => (await fetch(href)).text(), (await codes.getAttribute('href'))!);
      expect(csv.trim().split(/\r?\n/)).toHaveLength(26);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('a refused offer shows the API problem on the field it names, on that field’s step', async () => {
    const { tenant, brief } = await publisher();
    await backend.admin(tenant, 'POST', '/offers', {
      code: 'TAKEN1',
      discount: { type: 'percent', value: 10 },
      applies_to: { product_ids: [brief.id], durations: ['1m'] },
      starts_at: day(0),
      ends_at: day(20),
      eligibility: 'all',
      discoverability: 'private',
    });
    const { page, context } = await openConsole(browser, worker.url, { width: 375, height: 800 });
    try {
      await signIn(page, tenant.secret_key);
      await page.getByRole('button', { name: 'Create offer' }).click();
      await page.getByLabel('Markets Brief').check();
      await page.getByLabel('1 month').check();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Percentage', { exact: true }).fill('15');
      await page.getByLabel('Code', { exact: true }).fill('taken1');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Create offer' }).click();
      // 409 code_taken names `code`: back on step 2, the code field is invalid and focused.
      await page.getByRole('heading', { name: 'Step 2 of 4: Offer details' }).waitFor();
      const code = page.getByLabel('Code', { exact: true });
      await poll(() => code.getAttribute('aria-invalid')).toBe('true');
      await page.getByText('is already taken').waitFor();
      await page.getByRole('alert').filter({ hasText: 'codes are unique forever' }).waitFor();
      await poll(() => code.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
      // Comfortable at 375 px: nothing overflows the page sideways.
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(375);
      await expectAccessible(page, 'wizard with a field error at 375 px');
    } finally {
      await context.close();
    }
  });
});

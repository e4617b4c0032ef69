/**
 * <offer-checkout> in real Chromium against the real local worker. The publisher's page is served
 * from a second origin, so loading the module script and every API call go through CORS.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  BUNDLE,
  Backend,
  DEMO_PAGE,
  PublisherSite,
  axeViolations,
  ensureWidgetBuilt,
  focused,
  launchBrowser,
  mintUserToken,
  pageEvents,
  publisherPage,
  startWorker,
  tabTo,
  type LocalWorker,
  type Tenant,
} from './harness';

/** `expect.poll` with a timeout for a loaded machine (the default 1 s is too short when the worker suite runs alongside). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 50 });

let worker: LocalWorker;
let site: PublisherSite;
let browser: Browser;
let backend: Backend;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ensureWidgetBuilt();
  site = new PublisherSite();
  [worker, browser] = await Promise.all([startWorker(), launchBrowser(), site.start()]);
  backend = new Backend(worker);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await worker?.stop();
  await site?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 1000 }, deviceScaleFactor: 1 });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.addInitScript(recordPaymentRequired);
  return page;
}

/** A tenant that allows the publisher site's origin, with one product and its plans. */
async function catalog(plans: { name: string; duration: string; price: number; currency?: string; description?: string }[]) {
  const tenant: Tenant = await backend.createTenant([site.origin]);
  const product = await backend.admin(tenant, 'POST', '/products', { name: 'Markets Brief', description: 'Daily research' });
  const created = [];
  for (const p of plans) {
    created.push(await backend.admin(tenant, 'POST', '/plans', { product_id: product.id, currency: 'INR', ...p }));
  }
  return { tenant, product, plans: created };
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** An offer on every duration of `productId`, live from today for 30 days unless said. */
function createOffer(tenant: Tenant, productId: string, body: Record<string, unknown>) {
  return backend.admin(tenant, 'POST', '/offers', {
    applies_to: { product_ids: [productId], durations: ['1m', '3m', '6m', '1y'] },
    starts_at: day(0),
    ends_at: day(30),
    eligibility: 'all',
    discoverability: 'private',
    ...body,
  });
}

let pageSeq = 0;
async function openWidget(
  page: Page,
  attrs: Record<string, string | undefined>,
  opts: { lang?: string; dark?: boolean; pageCss?: string } = {},
): Promise<void> {
  const url = site.page(`/article-${++pageSeq}.html`, publisherPage({ workerUrl: worker.url, attrs, ...opts }));
  await page.goto(url);
}

const widget = (page: Page) => page.locator('offer-checkout');

/** Runs in the page before its scripts: records `offer-checkout:payment-required` in `window.paid`. */
function recordPaymentRequired() {
  const w = window as unknown as { paid: unknown[] };
  w.paid = [];
  document.addEventListener('offer-checkout:payment-required', (e) => {
    w.paid.push({ bubbles: e.bubbles, composed: e.composed, detail: (e as CustomEvent).detail });
  });
}
const paymentRequired = (page: Page): Promise<{ bubbles: boolean; composed: boolean; detail: any }[]> => page.evaluate(() => (window as any).paid);

describe('<offer-checkout> on a publisher page of another origin', () => {
  test('loads the module script and the plans through CORS, formats money in the page locale (en-IN)', async () => {
    const { tenant, product } = await catalog([
      { name: 'Monthly', duration: '1m', price: 10_000_000 },
      { name: 'Yearly', duration: '1y', price: 99_900_00 },
    ]);
    // The asset answers CORS for any page (public/_headers).
    const asset = await fetch(`${worker.url}/widget/offer-checkout.js`, { headers: { Origin: site.origin } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('access-control-allow-origin')).toBe('*');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);

    const page = await newPage();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id }, { lang: 'en-IN' });
    const monthly = page.getByRole('radio', { name: /Monthly/ });
    await monthly.waitFor();
    // Lakh grouping of en-IN, symbol from Intl.
    await poll(() => widget(page).locator('[part="plan"]').first().textContent()).toContain('₹1,00,000.00');
    expect(await widget(page).locator('[part="plan"]').nth(1).textContent()).toContain('₹99,900.00');
    expect(await monthly.isChecked()).toBe(true);
    // The same amount on an en-US page: locale comes from the page, no hard-coded symbol.
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id }, { lang: 'en-US' });
    await poll(() => widget(page).locator('[part="plan"]').first().textContent()).toContain('₹100,000.00');
    // The `locale` attribute overrides the page.
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, locale: 'de-DE' }, { lang: 'en-US' });
    await poll(() => widget(page).locator('[part="plan"]').first().textContent()).toContain('100.000,00');
  });

  test('a page on an origin the publisher did not allow is refused, explained in plain words and reported by an error event', async () => {
    const tenant: Tenant = await backend.createTenant(['https://news.example.com']);
    const product = await backend.admin(tenant, 'POST', '/products', { name: 'Brief' });
    await backend.admin(tenant, 'POST', '/plans', { product_id: product.id, name: 'Monthly', duration: '1m', price: 500, currency: 'INR' });
    const page = await newPage();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id });
    const problem = widget(page).locator('[part="problem"]');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('not allowed');
    await poll(() => page.getByRole('status').textContent()).toContain('not allowed');
    const events = await pageEvents(page);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'offer-checkout:error',
      bubbles: true,
      composed: true,
      detail: { action: 'load', status: 403, code: 'origin_not_allowed' },
    });
    // Asking again cannot change the answer: no retry is offered.
    expect(await page.getByRole('button').count()).toBe(0);
    expect(await page.getByRole('radio').count()).toBe(0);
  });

  test('an anonymous visitor can browse, and Subscribe asks them to sign in (login_required event)', async () => {
    const { tenant, product } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    const page = await newPage();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id });
    const subscribe = page.getByRole('button', { name: /^Subscribe/ });
    await subscribe.waitFor();
    // One sign-in message, before and after the click.
    const signIn = () => widget(page).evaluate((host) => host.shadowRoot!.textContent!.split('Sign in on this site to subscribe.').length - 1);
    expect(await signIn()).toBe(1);
    await subscribe.click();
    await poll(() => (pageEvents(page) as Promise<{ type: string }[]>).then((e) => e.length)).toBeGreaterThan(0);
    expect(await widget(page).locator('[part="action-message"]').textContent()).toBe('Sign in on this site to subscribe.');
    // The live region says it once for screen readers; nothing else on screen repeats it.
    expect(await signIn()).toBe(2);
    expect(await page.getByRole('status').textContent()).toBe('Sign in on this site to subscribe.');
    const events = await pageEvents(page);
    expect(events.filter((e) => e.type === 'offer-checkout:error').map((e) => e.detail)).toContainEqual(
      expect.objectContaining({ action: 'subscribe', code: 'login_required' }),
    );
    expect(events.some((e) => e.type === 'offer-checkout:subscribed')).toBe(false);
  });

  test('an expired user token is explained (invalid_user_token), not shown as a broken widget', async () => {
    const { tenant, product } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    const expired = mintUserToken(tenant.user_token_secret, { sub: 'late', exp: Math.floor(Date.now() / 1000) - 60 });
    const page = await newPage();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': expired });
    await widget(page).locator('[part="problem"]').waitFor();
    expect(await widget(page).locator('[part="problem"]').textContent()).toContain('session has expired');
    expect((await pageEvents(page)).map((e) => e.detail)).toContainEqual(expect.objectContaining({ action: 'load', status: 401, code: 'invalid_user_token' }));
    // A fresh token (set by the page after signing in again) reloads the widget.
    const fresh = mintUserToken(tenant.user_token_secret, { sub: 'late' });
    await widget(page).evaluate((el, token) => el.setAttribute('user-token', token), fresh);
    await page.getByRole('radio', { name: /Monthly/ }).waitFor();
  });

  test('keyboard alone: Tab reaches the plans, the code box and Subscribe, each with a visible focus ring', async () => {
    const { tenant, product } = await catalog([
      { name: 'Monthly', duration: '1m', price: 49_900 },
      { name: 'Quarterly', duration: '3m', price: 129_900 },
    ]);
    const token = mintUserToken(tenant.user_token_secret, { sub: 'u-keyboard', email: 'k@example.com', email_verified: true });
    const page = await newPage();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token });
    await page.getByRole('radio', { name: /Quarterly/ }).waitFor();

    expect(await tabTo(page, /^input\|radio\|.*Monthly/)).toContain('Monthly');
    const ring = () =>
      widget(page).evaluate((host) => {
        let el: Element | null = host.shadowRoot!.activeElement;
        // A radio's ring is drawn on its choice card; other controls draw their own.
        if (el instanceof HTMLInputElement && el.type === 'radio') el = el.closest('.choice');
        const style = getComputedStyle(el!);
        return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
      });
    expect(await ring()).toBe(true);
    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: /Quarterly/ }).isChecked()).toBe(true);
    expect(await focused(page)).toMatch(/Quarterly/);

    // The code field is a labelled text box.
    expect(await tabTo(page, /^input\|text\|Promo code$/)).toBeTruthy();
    expect(await ring()).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Promo code' }).count()).toBe(1);
    expect(await tabTo(page, /^button\|submit\|Apply$/)).toBeTruthy();
    expect(await tabTo(page, /^button\|button\|Subscribe/)).toMatch(/Subscribe for ₹1,299.00/);
    expect(await ring()).toBe(true);
  });

  test('no serious axe-core violations, on a light and on a dark page', async () => {
    const { tenant, product } = await catalog([
      { name: 'Monthly', duration: '1m', price: 49_900 },
      { name: 'Yearly', duration: '1y', price: 499_900 },
    ]);
    await createOffer(tenant, product.id, { code: 'WELCOME20', discount: { type: 'percent', value: 20 }, discoverability: 'public' });
    for (const dark of [false, true]) {
      const page = await newPage();
      await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id }, { dark });
      await page.getByRole('radio', { name: /20% off/ }).waitFor();
      expect(await axeViolations(page), dark ? 'dark page' : 'light page').toEqual([]);
      // With a discount applied, and with a refused code and its message.
      await page.getByRole('radio', { name: /20% off/ }).check();
      await poll(() => widget(page).locator('[part="summary"]').textContent()).toContain('WELCOME20');
      expect(await axeViolations(page), 'discount applied').toEqual([]);
      await page.getByRole('textbox', { name: 'Promo code' }).fill('NOSUCHCODE');
      await page.getByRole('button', { name: 'Apply' }).click();
      await poll(() => widget(page).locator('[part="code-message"]').textContent()).toContain('could not find');
      expect(await axeViolations(page), 'refused code').toEqual([]);
      // The card paints its own colours from the page's color-scheme.
      const bg = await widget(page).evaluate((host) => getComputedStyle(host.shadowRoot!.querySelector('.base')!).backgroundColor);
      expect(bg).toBe(dark ? 'rgb(23, 26, 33)' : 'rgb(255, 255, 255)');
    }
  });

  test('page styles do not leak in, widget styles do not leak out; custom properties and ::part theme it', async () => {
    const { tenant, product } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    const page = await newPage();
    const pageCss = `
      * { letter-spacing: 4px; }
      button { background: rgb(255, 0, 0) !important; text-transform: uppercase; }
      label { display: none !important; }
      offer-checkout { --offer-checkout-accent-color: rgb(0, 128, 0); }
      offer-checkout::part(summary) { outline: 2px dashed rgb(0, 0, 255); }`;
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id }, { pageCss });
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<button id="own" class="primary" type="button">Page button</button>'));
    const subscribe = page.getByRole('button', { name: /^Subscribe/ });
    await widget(page).locator('[part="summary"]').waitFor();
    const inside = await subscribe.evaluate((b) => {
      const s = getComputedStyle(b);
      const label = b.getRootNode() instanceof ShadowRoot ? (b.getRootNode() as ShadowRoot).querySelector('label')! : null;
      const summary = (b.getRootNode() as ShadowRoot).querySelector('[part="summary"]')!;
      return {
        background: s.backgroundColor,
        textTransform: s.textTransform,
        letterSpacing: s.letterSpacing,
        labelDisplay: label ? getComputedStyle(label).display : '',
        summaryOutline: getComputedStyle(summary).outlineStyle + ' ' + getComputedStyle(summary).outlineColor,
      };
    });
    expect(inside.background).toBe('rgb(0, 128, 0)'); // the custom property, not the page's `button` rule
    expect(inside.textTransform).toBe('none');
    expect(inside.letterSpacing).toBe('normal');
    expect(inside.labelDisplay).not.toBe('none');
    expect(inside.summaryOutline).toBe('dashed rgb(0, 0, 255)'); // ::part(summary)
    // The widget's `button.primary` rule does not reach the page's own button.
    const own = await page.locator('#own').evaluate((b) => getComputedStyle(b).width);
    expect(own).not.toBe(await subscribe.evaluate((b) => getComputedStyle(b).width));
  });

  test('group access by verified email domain comes first, is claimed in one keypress, and a full group is explained', async () => {
    const { tenant, product } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    const groupProduct = await backend.admin(tenant, 'POST', '/products', { name: 'Group users' });
    const groupPlan = await backend.admin(tenant, 'POST', '/plans', {
      product_id: groupProduct.id,
      name: 'XYZ Corp seats',
      duration: '1y',
      price: 0,
      currency: 'INR',
    });
    const group = await backend.admin(tenant, 'POST', '/groups', {
      name: 'XYZ Corp',
      plan_id: groupPlan.id,
      email_domains: ['xyz-corp.com'],
      seat_limit: 1,
    });
    const page = await newPage();
    const first = mintUserToken(tenant.user_token_secret, { sub: 'emp-1', email: 'asha@xyz-corp.com', email_verified: true });
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': first });
    const claim = page.getByRole('button', { name: 'Get access with XYZ Corp' });
    await claim.waitFor();
    expect(await widget(page).locator('[part="group-access"]').textContent()).toContain('Your organisation gives you access');
    // It is the first thing in the widget: the first Tab stop.
    expect(await tabTo(page, /^button\|button\|Get access with XYZ Corp$/, 1)).toBeTruthy();
    await page.keyboard.press('Enter');
    await widget(page).locator('[part="success"]').waitFor();
    expect(await widget(page).locator('[part="success"]').textContent()).toContain('You have access through XYZ Corp');
    await poll(() => page.getByRole('status').textContent()).toContain('access through XYZ Corp');
    const subscribed = (await pageEvents(page)).filter((e) => e.type === 'offer-checkout:subscribed');
    expect(subscribed).toHaveLength(1);
    expect(subscribed[0]).toMatchObject({
      bubbles: true,
      composed: true,
      detail: { via: 'group', groupId: group.id, planId: groupPlan.id, subscription: { user_id: 'emp-1', source: 'group', amount_due: 0 } },
    });

    // A colleague finds the only seat taken.
    const second = mintUserToken(tenant.user_token_secret, { sub: 'emp-2', email: 'ravi@xyz-corp.com', email_verified: true });
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': second });
    await page.getByRole('button', { name: 'Get access with XYZ Corp' }).click();
    await poll(() => widget(page).locator('[part="group-message"]').textContent()).toContain('no free seats');
    const errors = (await pageEvents(page)).filter((e) => e.type === 'offer-checkout:error');
    expect(errors.map((e) => e.detail)).toContainEqual(expect.objectContaining({ action: 'claim', status: 409, code: 'seats_exhausted' }));
    // The plans are still there to buy instead.
    expect(await page.getByRole('radio', { name: /Monthly/ }).count()).toBe(1);
  });

  test('the demo publisher page (public/index.html) renders the widget from /demo/config.json and switches to dark', async () => {
    const { tenant, product } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    const token = mintUserToken(tenant.user_token_secret, { sub: 'demo-reader', email: 'reader@example.com', email_verified: true });
    // What `npm start` serves from the worker, here from the publisher origin with the API on the worker's.
    site.page('/', readFileSync(DEMO_PAGE, 'utf8'));
    site.page('/widget/offer-checkout.js', readFileSync(BUNDLE), 'text/javascript');
    site.page(
      '/demo/config.json',
      JSON.stringify({ apiBase: worker.url, publishableKey: tenant.publishable_key, productId: product.id, userToken: token }),
      'application/json',
    );
    const page = await newPage();
    await page.goto(`${site.origin}/`);
    await page.getByRole('radio', { name: /Monthly/ }).waitFor();
    expect(await widget(page).getAttribute('api-base')).toBe(worker.url);
    expect(await widget(page).getAttribute('user-token')).toBe(token);
    const background = () => widget(page).evaluate((host) => getComputedStyle(host.shadowRoot!.querySelector('.base')!).backgroundColor);
    expect(await background()).toBe('rgb(255, 255, 255)');
    const toggle = page.getByRole('button', { name: 'Dark page' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await background()).toBe('rgb(23, 26, 33)');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: /^Subscribe/ }).click();
    // A paid plan: the checkout is pending until the page takes the payment.
    await poll(() => widget(page).locator('[part="payment"]').textContent()).toContain('Payment awaited');
    expect(await paymentRequired(page)).toHaveLength(1);
  });

  test('offers and codes: a listed offer, refusals in plain words, then Subscribe by keyboard with a code', async () => {
    const { tenant, product, plans } = await catalog([
      { name: 'Monthly', duration: '1m', price: 49_900 },
      { name: 'Quarterly', duration: '3m', price: 129_900 },
    ]);
    const quarterly = plans[1];
    await createOffer(tenant, product.id, { code: 'WELCOME20', discount: { type: 'percent', value: 20 }, discoverability: 'public', subscription_limit: 2 });
    await createOffer(tenant, product.id, { code: 'SOON10', discount: { type: 'percent', value: 10 }, starts_at: day(2), ends_at: day(40) });
    const seat = await createOffer(tenant, product.id, { code: 'SEAT1', discount: { type: 'flat', amount: 50_000, currency: 'INR' }, max_redemptions: 1 });
    const token = mintUserToken(tenant.user_token_secret, { sub: 'reader-1', email: 'r1@example.com', email_verified: true });
    const page = await newPage();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token, 'plan-id': quarterly.id });
    const status = () => page.getByRole('status').textContent();
    const summary = () => widget(page).locator('[part="summary"]').textContent();

    // plan-id preselects; the public offer is listed (private ones are not) with its price on that plan.
    const listed = page.getByRole('radio', { name: /20% off/ });
    await listed.waitFor();
    expect(await page.getByRole('radio', { name: /Quarterly/ }).isChecked()).toBe(true);
    expect(await widget(page).locator('[part="offer"]').count()).toBe(2); // "No offer" + WELCOME20
    expect(await widget(page).locator('[part="offer"]').nth(1).textContent()).toContain('₹1,039.20');
    await listed.check();
    await poll(summary).toContain('₹1,039.20');
    const summaryText = (await summary())!.replace(/\s+/g, ' ');
    expect(summaryText).toContain('Discount (WELCOME20)');
    expect(summaryText).toContain('−₹259.80');
    expect(summaryText).toContain('₹1,039.20 / 3 months for 6 months, then ₹1,299.00');
    await poll(status).toContain('Code WELCOME20 applied');
    const quotes = (await pageEvents(page)).filter((e) => e.type === 'offer-checkout:quote');
    expect(quotes.at(-1)).toMatchObject({
      bubbles: true,
      composed: true,
      detail: { planId: quarterly.id, code: 'WELCOME20', price: 129_900, discount: 25_980, amountDue: 103_920, currency: 'INR', discountedCycles: 2, formatted: { amountDue: '₹1,039.20' } },
    });

    // Refusals, typed with the keyboard.
    const box = page.getByRole('textbox', { name: 'Promo code' });
    const refusals: [string, string, string][] = [
      ['nosuchcode', 'code_not_found', 'could not find that code'],
      ['soon10', 'offer_not_started', 'has not started yet'],
      ['no-way!', 'code_invalid_format', '3 to 32 letters and digits'],
    ];
    for (const [typed, code, words] of refusals) {
      await box.fill('');
      await box.focus();
      await page.keyboard.type(typed);
      await page.keyboard.press('Enter');
      await poll(() => widget(page).locator('[part="code-message"]').textContent()).toContain(words);
      expect(await box.getAttribute('aria-invalid')).toBe('true');
      await poll(status).toContain('was not applied');
      // The code applied before stays applied.
      expect(await summary()).toContain('Discount (WELCOME20)');
      expect((await pageEvents(page)).filter((e) => e.type === 'offer-checkout:error').at(-1)!.detail).toMatchObject({ action: 'quote', status: 422, code });
    }
    expect(await page.getByRole('button', { name: /^Subscribe/ }).textContent()).toContain('Subscribe for ₹1,039.20');

    // A private code, then Subscribe with the keyboard alone.
    await box.fill('seat1');
    await page.keyboard.press('Enter');
    await poll(() => widget(page).locator('[part="code-message"]').textContent()).toContain('Code SEAT1 applied');
    expect(await box.getAttribute('aria-invalid')).toBe('false');
    expect(await tabTo(page, /^button\|button\|Subscribe for ₹799.00$/)).toBeTruthy();
    await page.keyboard.press('Enter');
    // ₹799.00 is due: the checkout is pending, the page is asked to take the payment.
    await widget(page).locator('[part="payment"]').waitFor();
    await poll(status).toContain('Quarterly (₹799.00) is held for you until');
    expect(await focused(page)).toMatch(/^div\|/); // focus moved to the payment notice
    const [paid, ...more] = await paymentRequired(page);
    expect(more).toEqual([]);
    expect(paid).toMatchObject({ bubbles: true, composed: true, detail: { amount_due: 79_900, currency: 'INR', hold_expires_at: expect.any(String) } });
    expect(Object.keys(paid!.detail).sort()).toEqual(['amount_due', 'currency', 'hold_expires_at', 'subscription_id']);
    const sub = await backend.admin(tenant, 'GET', `/subscriptions/${paid!.detail.subscription_id}`);
    expect(sub).toMatchObject({ user_id: 'reader-1', plan_id: quarterly.id, offer_id: seat.id, amount_due: 79_900, discount: 50_000, status: 'pending' });
    expect((await pageEvents(page)).filter((e) => e.type === 'offer-checkout:subscribed')).toEqual([]);

    // The same reader, back on the page: the pending checkout is shown before any form.
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token });
    await poll(() => widget(page).locator('[part="payment"]').textContent()).toContain('Quarterly (₹799.00) is held for you until');
    expect(await page.getByRole('button', { name: /^Subscribe/ }).count()).toBe(0);

    // The one seat of SEAT1 is gone for the next reader.
    const other = mintUserToken(tenant.user_token_secret, { sub: 'reader-2', email: 'r2@example.com', email_verified: true });
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': other });
    await page.getByRole('textbox', { name: 'Promo code' }).fill('SEAT1');
    await page.getByRole('button', { name: 'Apply' }).click();
    await poll(() => widget(page).locator('[part="code-message"]').textContent()).toContain('fully claimed');
  });

  test('renders light and dark with a public offer applied (the screenshots are taken by scripts/screenshots.mjs)', async () => {
    const { tenant, product } = await catalog([
      { name: 'Monthly', duration: '1m', price: 49_900, description: 'Daily brief and model portfolios' },
      { name: 'Quarterly', duration: '3m', price: 129_900, description: 'Save 13% on the monthly price' },
      { name: 'Yearly', duration: '1y', price: 499_900, description: 'Best value' },
    ]);
    await createOffer(tenant, product.id, { code: 'WELCOME20', discount: { type: 'percent', value: 20 }, discoverability: 'public', subscription_limit: 2 });
    const token = mintUserToken(tenant.user_token_secret, { sub: 'u-shot', email: 'reader@example.com', email_verified: true });
    for (const dark of [false, true]) {
      const page = await newPage();
      await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token }, { dark });
      await page.getByRole('radio', { name: /Quarterly/ }).check();
      await page.getByRole('radio', { name: /20% off/ }).check();
      await poll(() => widget(page).locator('[part="summary"]').textContent()).toContain('WELCOME20');
      await poll(() => widget(page).locator('[part="summary"]').getAttribute('aria-busy')).toBe('false');
      const png = await page.locator('main').screenshot();
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }
  });
});

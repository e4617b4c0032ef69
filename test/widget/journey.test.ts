/**
 * The subscriber's journey through <offer-checkout>, in real Chromium against the real local
 * worker, from a publisher page on another origin: a refused code next to an applied one, offer
 * terms, the confirmation, an existing or pending subscription, sign-in and retries, narrow
 * screens, flat discounts above the price, Hindi, and an element removed mid-request.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  Backend,
  PublisherSite,
  axeViolations,
  ensureWidgetBuilt,
  freePort,
  launchBrowser,
  mintUserToken,
  pageEvents,
  publisherPage,
  startWorker,
  type LocalWorker,
  type Tenant,
} from './harness';

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

/** Runs in the page before its scripts: records `offer-checkout:payment-required` in `window.paid`. */
function recordPaymentRequired() {
  const w = window as unknown as { paid: unknown[] };
  w.paid = [];
  document.addEventListener('offer-checkout:payment-required', (e) => {
    w.paid.push({ bubbles: e.bubbles, composed: e.composed, detail: (e as CustomEvent).detail });
  });
}
const paymentRequired = (page: Page): Promise<{ bubbles: boolean; composed: boolean; detail: any }[]> => page.evaluate(() => (window as any).paid);

const errors: string[] = [];
async function newPage(width = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(recordPaymentRequired);
  return page;
}

async function catalog(plans: { name: string; duration: string; price: number; description?: string }[]) {
  const tenant: Tenant = await backend.createTenant([site.origin]);
  const product = await backend.admin(tenant, 'POST', '/products', { name: 'Markets Brief' });
  const created = [];
  for (const p of plans) created.push(await backend.admin(tenant, 'POST', '/plans', { product_id: product.id, currency: 'INR', ...p }));
  return { tenant, product, plans: created };
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

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
async function openWidget(page: Page, attrs: Record<string, string | undefined>, opts: { lang?: string } = {}): Promise<void> {
  await page.goto(site.page(`/journey-${++pageSeq}.html`, publisherPage({ workerUrl: worker.url, attrs, ...opts })));
}

const widget = (page: Page) => page.locator('offer-checkout');
const part = (page: Page, name: string) => widget(page).locator(`[part="${name}"]`);
const text = async (page: Page, name: string) => ((await part(page, name).textContent()) ?? '').replace(/\s+/g, ' ').trim();
const token = (tenant: Tenant, sub: string) => mintUserToken(tenant.user_token_secret, { sub, email: `${sub}@example.com`, email_verified: true });

describe('the subscriber journey', () => {
  test('a refused code leaves the applied one in place and says why; offer cards state the period and the cycles', async () => {
    const { tenant, product } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    await createOffer(tenant, product.id, { code: 'WELCOME20', discount: { type: 'percent', value: 20 }, discoverability: 'public', subscription_limit: 2 });
    const page = await newPage();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token(tenant, 'r1') });
    const card = page.getByRole('radio', { name: /20% off/ });
    await card.waitFor();
    expect(await part(page, 'offer').nth(1).textContent()).toContain('₹399.20 / month for 2 months, then ₹499.00');
    await card.check();
    await poll(() => text(page, 'code-message')).toBe('Code WELCOME20 applied: 20% off.');

    const box = page.getByRole('textbox', { name: 'Promo code' });
    await box.fill('BOGUS123');
    await page.keyboard.press('Enter');
    await poll(() => text(page, 'code-message')).toBe('Code BOGUS123 was not applied. We could not find that code.');
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    // WELCOME20 is still what is priced, listed as chosen, and what Subscribe charges.
    expect(await text(page, 'summary')).toContain('Discount (WELCOME20) −₹99.80');
    expect(await text(page, 'summary')).toContain('Due now ₹399.20');
    expect(await card.isChecked()).toBe(true);
    expect(await page.getByRole('button', { name: /^Subscribe/ }).textContent()).toContain('Subscribe for ₹399.20');
    expect(await page.getByRole('button', { name: 'Remove code WELCOME20' }).count()).toBe(1);
    const events = await pageEvents(page);
    expect(events.filter((e) => e.type === 'offer-checkout:error').map((e) => e.detail)).toEqual([
      expect.objectContaining({ action: 'quote', status: 422, code: 'code_not_found' }),
    ]);
    // The refusal did not announce a new price: the last quote event is still WELCOME20's.
    expect(events.filter((e) => e.type === 'offer-checkout:quote').at(-1)!.detail).toMatchObject({ code: 'WELCOME20', amountDue: 39_920 });
    // Removing the code goes back to the full price.
    await page.getByRole('button', { name: 'Remove code WELCOME20' }).click();
    await poll(() => text(page, 'summary')).toBe('Price ₹499.00 / month Due now ₹499.00');
    expect(await page.getByRole('radio', { name: 'No offer' }).isChecked()).toBe(true);
  });

  test('a code refused at checkout (taken by someone else meanwhile) is dropped, said, and the full price is shown', async () => {
    const { tenant, product, plans } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    await createOffer(tenant, product.id, { code: 'SEAT1', discount: { type: 'percent', value: 50 }, max_redemptions: 1 });
    const page = await newPage();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token(tenant, 'late') });
    await page.getByRole('textbox', { name: 'Promo code' }).fill('seat1');
    await page.keyboard.press('Enter');
    await poll(() => text(page, 'code-message')).toBe('Code SEAT1 applied: 50% off.');
    const first = await backend.call('POST', '/v1/subscriptions', tenant.publishable_key, { plan_id: plans[0].id, code: 'SEAT1' }, { 'X-User-Token': token(tenant, 'early') });
    expect(first.status, first.text).toBe(201);
    await page.getByRole('button', { name: 'Subscribe for ₹249.50' }).click();
    await poll(() => text(page, 'code-message')).toBe('Code SEAT1 was not applied. This offer has been fully claimed.');
    expect(await text(page, 'action-message')).toBe('This offer has been fully claimed.');
    await poll(() => text(page, 'summary')).toBe('Price ₹499.00 / month Due now ₹499.00');
    expect(await page.getByRole('button', { name: /^Subscribe/ }).textContent()).toContain('Subscribe for ₹499.00');
    expect((await pageEvents(page)).filter((e) => e.type === 'offer-checkout:error').map((e) => e.detail)).toEqual([
      expect.objectContaining({ action: 'subscribe', status: 422, code: 'redemptions_exhausted' }),
    ]);
    expect(await paymentRequired(page)).toEqual([]);
  });

  test('a flat discount larger than the price is shown as what it takes off; success names the code, the discount and what is paid after', async () => {
    const { tenant, product, plans } = await catalog([
      { name: 'Monthly', duration: '1m', price: 49_900 },
      { name: 'Yearly', duration: '1y', price: 499_900 },
    ]);
    const flat = await createOffer(tenant, product.id, { code: 'FLAT500', discount: { type: 'flat', amount: 50_000, currency: 'INR' }, discoverability: 'public', subscription_limit: 1 });
    // The admin API warned about it at creation.
    expect(flat.warnings).toEqual([expect.objectContaining({ plan_id: plans[0].id, reason: 'discount_makes_plan_free' })]);
    const page = await newPage();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token(tenant, 'r2') });
    await page.getByRole('radio', { name: /₹499.00 off/ }).waitFor();
    expect(await page.getByRole('radio', { name: /₹500.00 off/ }).count()).toBe(0);
    expect(await part(page, 'offer').nth(1).textContent()).toContain('₹0.00 / month for 1 month, then ₹499.00');
    await page.getByRole('radio', { name: /₹499.00 off/ }).check();
    await poll(() => text(page, 'code-message')).toBe('Code FLAT500 applied: ₹499.00 off.');
    expect(await text(page, 'summary')).toContain('Discount (FLAT500) −₹499.00');
    // On the yearly plan the same code takes its ₹500.00.
    await page.getByRole('radio', { name: /Yearly/ }).check();
    await poll(() => text(page, 'summary')).toContain('Discount (FLAT500) −₹500.00');
    await page.getByRole('radio', { name: /Monthly/ }).check();
    await poll(() => page.getByRole('button', { name: /^Subscribe/ }).textContent()).toContain('Subscribe for free');

    await page.getByRole('button', { name: /^Subscribe/ }).click();
    await part(page, 'success').waitFor();
    const success = await text(page, 'success');
    expect(success).toContain('You are subscribed to Monthly');
    expect(success).toContain('Code FLAT500: ₹499.00 off for 1 month.');
    expect(success).toContain('Due now: ₹0.00');
    expect(success).toContain('After that: ₹499.00 / month.');
    const subscribed = (await pageEvents(page)).filter((e) => e.type === 'offer-checkout:subscribed');
    expect(subscribed).toEqual([
      expect.objectContaining({ bubbles: true, composed: true, detail: expect.objectContaining({ code: 'FLAT500', via: 'checkout', subscription: expect.objectContaining({ status: 'active', discount: 49_900, amount_due: 0 }) }) }),
    ]);
    expect(await paymentRequired(page)).toEqual([]);
  });

  test('a pending checkout fires payment-required and shows the payment awaited until the hold expires (time via Intl)', async () => {
    const { tenant, product } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    const page = await newPage();
    await page.clock.install();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token(tenant, 'r3') });
    await page.getByRole('button', { name: 'Subscribe for ₹499.00' }).click();
    await part(page, 'payment').waitFor();
    const [paid] = await paymentRequired(page);
    expect(paid).toMatchObject({ bubbles: true, composed: true });
    expect(Object.keys(paid!.detail).sort()).toEqual(['amount_due', 'currency', 'hold_expires_at', 'subscription_id']);
    expect(paid!.detail).toMatchObject({ amount_due: 49_900, currency: 'INR', subscription_id: expect.stringMatching(/^sub_/) });
    const hold = Date.parse(paid!.detail.hold_expires_at);
    expect(hold).toBeGreaterThan(Date.now());
    const when = await page.evaluate((at) => new Intl.DateTimeFormat('en-IN', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at)), hold);
    expect(await text(page, 'payment')).toBe(`Payment awaited Monthly (₹499.00) is held for you until ${when}: complete the payment by then.`);
    expect((await pageEvents(page)).filter((e) => e.type === 'offer-checkout:subscribed')).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    // Unpaid past the hold: said, with a way to start again.
    await page.clock.fastForward(hold - (await page.evaluate(() => Date.now())) + 60_000);
    await poll(() => text(page, 'payment')).toContain('The time to pay has run out: nothing was charged.');
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(1);
  });

  test('an existing subscription is shown before the form, from GET /v1/subscriptions with the user token', async () => {
    const { tenant, product, plans } = await catalog([
      { name: 'Monthly', duration: '1m', price: 49_900 },
      { name: 'Yearly', duration: '1y', price: 499_900 },
    ]);
    const reader = token(tenant, 'r4');
    const checkout = await backend.call('POST', '/v1/subscriptions', tenant.publishable_key, { plan_id: plans[1].id }, { 'X-User-Token': reader });
    expect(checkout.status, checkout.text).toBe(201);
    await backend.admin(tenant, 'POST', `/subscriptions/${checkout.json.id}/activate`, {}, 200);
    const page = await newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': reader });
    await part(page, 'existing').waitFor();
    expect(await text(page, 'existing')).toContain('You already subscribe to Yearly');
    // No form and no Subscribe button: nothing to click that would fail.
    expect(await page.getByRole('button').count()).toBe(0);
    expect(await page.getByRole('radio').count()).toBe(0);
    expect(requests).toContain('GET /v1/subscriptions');
    expect(requests).not.toContain('POST /v1/subscriptions');
    // Another reader of the same tenant sees the form.
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token(tenant, 'r5') });
    await page.getByRole('button', { name: /^Subscribe/ }).waitFor();
    expect(await part(page, 'existing').count()).toBe(0);
  });

  test('a pending checkout found on return is shown until its hold expires, then the form comes back', async () => {
    const { tenant, product, plans } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    const reader = token(tenant, 'r6');
    const checkout = await backend.call('POST', '/v1/subscriptions', tenant.publishable_key, { plan_id: plans[0].id }, { 'X-User-Token': reader });
    expect(checkout.json).toMatchObject({ status: 'pending', hold_expires_at: expect.any(String) });
    const page = await newPage();
    await page.clock.install();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': reader });
    await poll(() => text(page, 'payment')).toContain('Monthly (₹499.00) is held for you until');
    expect(await page.getByRole('button', { name: /^Subscribe/ }).count()).toBe(0);
    expect(await paymentRequired(page)).toEqual([]); // found, not made here: the page already knows
    await page.clock.fastForward(Date.parse(checkout.json.hold_expires_at) - (await page.evaluate(() => Date.now())) + 60_000);
    await page.getByRole('button', { name: 'Subscribe for ₹499.00' }).waitFor();
  });

  test('retry only where it can help: a refused key has none, an unreachable server has one', async () => {
    const { tenant, product } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    const page = await newPage();
    await openWidget(page, { 'publishable-key': 'pk_test_not_a_real_key', 'product-id': product.id });
    await part(page, 'problem').waitFor();
    // The API answers an unknown key without CORS headers, so the page cannot read the 401: the
    // widget tells "server reached but refused this page" from "server unreachable" (docs/widget.md).
    const refused = (await pageEvents(page)).map((e) => e.detail);
    expect(refused, JSON.stringify(refused)).toEqual([expect.objectContaining({ action: 'load', status: 403, code: 'origin_not_allowed' })]);
    expect(await text(page, 'problem')).toBe('This page is not allowed to sell these subscriptions.');
    expect(await page.getByRole('button').count()).toBe(0);

    // A server that is not there: the network failed, so trying again may work.
    const closed = `http://127.0.0.1:${await freePort()}`;
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'api-base': closed });
    await poll(() => text(page, 'problem')).toContain('We could not reach the server. Try again.');
    const unreachable = (await pageEvents(page)).map((e) => e.detail);
    expect(unreachable, JSON.stringify(unreachable)).toEqual([expect.objectContaining({ action: 'load', status: 0, code: 'network_error' })]);
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    // Pointing it at the real worker, Try again loads the plans.
    await widget(page).evaluate((el, url) => {
      el.setAttribute('api-base', url);
    }, worker.url);
    await page.getByRole('radio', { name: /Monthly/ }).waitFor();
  });

  test('the layout holds at 320 and 375 px: no price breaks inside itself, nothing overflows', async () => {
    const { tenant, product } = await catalog([
      { name: 'Monthly', duration: '1m', price: 49_900 },
      { name: 'Quarterly plan with a long name for small screens', duration: '3m', price: 129_900, description: 'Save 13% on the monthly price' },
      { name: 'Yearly', duration: '1y', price: 12_99_900 },
    ]);
    await createOffer(tenant, product.id, { code: 'WELCOME20', discount: { type: 'percent', value: 20 }, discoverability: 'public', subscription_limit: 2 });
    for (const [width, lang] of [
      [320, 'en-IN'],
      [375, 'en-IN'],
      [320, 'hi'],
    ] as const) {
      const page = await newPage(width);
      await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token(tenant, 'narrow') }, { lang });
      await page.getByRole('radio').nth(1).check();
      await part(page, 'summary').waitFor();
      const layout = await widget(page).evaluate((host) => {
        const root = host.shadowRoot!;
        // One line: every box of the text sits on the same line.
        const oneLine = (el: Element) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          return tops.size === 1;
        };
        const base = root.querySelector('.base')!;
        return {
          prices: [...root.querySelectorAll('.price, .summary dd:not(.note)')].map((el) => ({ text: el.textContent, oneLine: oneLine(el) })),
          overflow: base.scrollWidth > base.clientWidth || document.documentElement.scrollWidth > window.innerWidth,
          overlaps: [...root.querySelectorAll('.choice')].some((c) => {
            const name = c.querySelector('.main')!.getBoundingClientRect();
            const price = c.querySelector('.price')?.getBoundingClientRect();
            return !!price && price.left < name.right - 1 && price.top < name.bottom - 1;
          }),
        };
      });
      expect(layout.prices.length, `${width} ${lang}`).toBeGreaterThan(3);
      for (const p of layout.prices) expect(p.oneLine, `${width} ${lang}: ${p.text}`).toBe(true);
      expect(layout.overflow, `${width} ${lang}`).toBe(false);
      expect(layout.overlaps, `${width} ${lang}`).toBe(false);
      expect(layout.prices.map((p) => p.text)).toContain(lang === 'hi' ? '₹1,299.00 / 3 महीने' : '₹1,299.00 / 3 months');
    }
  });

  test('Hindi: words from the hi catalogue chosen by the page or the element, Intl in that locale, English fallback', async () => {
    const { tenant, product } = await catalog([
      { name: 'Monthly', duration: '1m', price: 49_900 },
      { name: 'Yearly', duration: '1y', price: 499_900 },
    ]);
    await createOffer(tenant, product.id, { code: 'WELCOME20', discount: { type: 'percent', value: 20 }, discoverability: 'public', subscription_limit: 2 });
    const page = await newPage();
    const attrs = { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token(tenant, 'hindi') };
    await openWidget(page, attrs, { lang: 'hi' });
    await page.getByRole('group', { name: 'प्लान चुनें' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'प्रोमो कोड' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: '₹499.00 में सदस्यता लें' }).count()).toBe(1);
    expect(await part(page, 'plan').nth(1).textContent()).toContain('₹4,999.00 / साल');
    expect(await part(page, 'offer').nth(1).textContent()).toContain('2 महीने तक ₹399.20 / महीना, फिर ₹499.00');
    await page.getByRole('radio', { name: /20% की छूट/ }).check();
    await poll(() => text(page, 'code-message')).toBe('कोड WELCOME20 लागू हो गया: 20% की छूट।');
    expect(await text(page, 'summary')).toContain('छूट (WELCOME20) −₹99.80');
    await page.getByRole('textbox', { name: 'प्रोमो कोड' }).fill('BOGUS123');
    await page.getByRole('button', { name: 'लागू करें' }).click();
    await poll(() => text(page, 'code-message')).toBe('कोड BOGUS123 लागू नहीं हुआ। यह कोड हमें नहीं मिला।');
    expect(await axeViolations(page)).toEqual([]);

    // `lang` on the element wins over the page; a language without a catalogue falls back to English.
    await page.goto(
      site.page(`/journey-${++pageSeq}.html`, publisherPage({ workerUrl: worker.url, attrs: { ...attrs, lang: 'hi-IN' }, lang: 'en-GB' })),
    );
    await page.getByRole('group', { name: 'प्लान चुनें' }).waitFor();
    await openWidget(page, attrs, { lang: 'fr-FR' });
    await page.getByRole('group', { name: 'Choose a plan' }).waitFor();
    // Money still through Intl in the page's locale.
    expect(await part(page, 'plan').first().textContent()).toMatch(/499,00\s₹/);
    // Switching the element's lang re-renders in place.
    await widget(page).evaluate((el) => el.setAttribute('lang', 'hi'));
    await page.getByRole('group', { name: 'प्लान चुनें' }).waitFor();
  });

  test('header and footer slots carry the publisher\'s own content inside the card', async () => {
    const { tenant, product } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    const page = await newPage();
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id });
    await page.getByRole('radio', { name: /Monthly/ }).waitFor();
    const slots = await widget(page).evaluate((el) => {
      el.insertAdjacentHTML('beforeend', '<h2 slot="header">Subscribe to Markets Brief</h2><p slot="footer">Cancel any time.</p>');
      const root = el.shadowRoot!;
      const names = [...root.querySelectorAll('slot')].map((s) => [s.name, s.assignedElements().map((e) => e.textContent)]);
      const base = root.querySelector('.base')!;
      const first = base.firstElementChild as HTMLSlotElement;
      const last = [...base.children].filter((c) => !c.classList.contains('sr-only')).at(-1) as HTMLSlotElement;
      return { names, first: first.name, last: last.name };
    });
    expect(slots.names).toEqual([
      ['header', ['Subscribe to Markets Brief']],
      ['footer', ['Cancel any time.']],
    ]);
    expect([slots.first, slots.last]).toEqual(['header', 'footer']);
    expect(await page.getByRole('heading', { name: 'Subscribe to Markets Brief' }).isVisible()).toBe(true);
  });

  test('removed from the page mid-request: requests aborted, no error, no event, no late update; put back, it loads again', async () => {
    const { tenant, product } = await catalog([{ name: 'Monthly', duration: '1m', price: 49_900 }]);
    await createOffer(tenant, product.id, { code: 'SLOW10', discount: { type: 'percent', value: 10 } });
    const page = await newPage();
    let holdQuotes = true;
    await page.route('**/v1/quotes', async (route) => {
      if (holdQuotes) await new Promise((r) => setTimeout(r, 1500));
      await route.continue().catch(() => {});
    });
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(`${new URL(r.url()).pathname} ${r.failure()?.errorText}`));
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id, 'user-token': token(tenant, 'gone') });
    await page.getByRole('textbox', { name: 'Promo code' }).fill('SLOW10');
    await page.getByRole('button', { name: 'Apply' }).click();
    await poll(() => part(page, 'summary').getAttribute('aria-busy')).toBe('true');
    const before = await widget(page).evaluate((el) => {
      (window as any).kept = el;
      el.remove();
      return el.shadowRoot!.innerHTML;
    });
    await poll(() => failed).toContainEqual(expect.stringMatching(/^\/v1\/quotes .*ABORTED/));
    await new Promise((r) => setTimeout(r, 2000));
    expect(await page.evaluate(() => (window as any).kept.shadowRoot.innerHTML)).toBe(before);
    expect(await pageEvents(page)).toEqual([]);
    expect(errors).toEqual([]);

    // Back on the page, the interrupted quote runs again and is shown.
    holdQuotes = false;
    await page.evaluate(() => document.querySelector('main')!.append((window as any).kept));
    await poll(() => text(page, 'code-message')).toBe('Code SLOW10 applied: 10% off.');
    expect(await text(page, 'summary')).toContain('Due now ₹449.10');

    // Removed while the plans are loading: nothing fails either.
    await page.route('**/v1/plans**', async (route) => {
      await new Promise((r) => setTimeout(r, 1000));
      await route.continue().catch(() => {});
    });
    await openWidget(page, { 'publishable-key': tenant.publishable_key, 'product-id': product.id });
    await part(page, 'loading').waitFor();
    await widget(page).evaluate((el) => el.remove());
    await poll(() => failed.filter((f) => f.startsWith('/v1/plans')).length).toBe(1);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await pageEvents(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

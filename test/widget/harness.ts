/**
 * Browser-test harness of the widget: the real local worker (`wrangler dev` on a fresh migrated
 * D1), a publisher page served from a second origin, headless Chromium driven by playwright-core
 * ($CHROMIUM_PATH, else a system Chromium, else the one inside the npm package
 * @sparticuz/chromium: scripts/browser.mjs), and small clients of the platform and admin APIs.
 * Nothing here is mocked.
 *
 * Lifecycle: every worker and browser started through this module is stopped after the test file
 * that imported it (an `afterAll` registered here, run after the file's own; it also covers a
 * `beforeAll` that failed half-way), when the process exits, by a watcher when the process dies
 * without cleaning up, and by the global teardown (test/setup/processes.ts); docs/tooling.md.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
// @ts-expect-error plain ESM script without types
import { startLocalWorker, stopAllLocalWorkers, ROOT } from '../../scripts/local-worker.mjs';
// @ts-expect-error plain ESM script without types
import { launchChromium, systemChromium, chromiumPath, CHROMIUM_ARGS as ARGS } from '../../scripts/browser.mjs';

/**
 * The configured or system Chromium ($CHROMIUM_PATH, /usr/bin/chromium), or '' when the browser
 * comes from the npm package @sparticuz/chromium (its path is known only once unpacked: see
 * `chromiumExecutable()`).
 */
export const CHROMIUM: string = (systemChromium() as string | undefined) ?? '';
export const CHROMIUM_ARGS: readonly string[] = ARGS as string[];
/** The Chromium executable the tests launch (unpacking the npm package's on first use). */
export const chromiumExecutable = (): Promise<string> => chromiumPath() as Promise<string>;
export const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const BUNDLE = join(ROOT as string, 'public', 'widget', 'offer-checkout.js');
export const DEMO_PAGE = join(ROOT as string, 'public', 'index.html');

export interface LocalWorker {
  url: string;
  platformKey: string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Builds the widget when the bundle is missing or older than its sources (`npm test` builds first anyway). */
export function ensureWidgetBuilt(): void {
  const dir = join(ROOT as string, 'widget');
  const newest = Math.max(...readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs));
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newest) return;
  execFileSync(join(ROOT as string, 'node_modules', '.bin', 'vite'), ['build', '--config', 'widget/vite.config.ts'], {
    cwd: ROOT as string,
    stdio: 'ignore',
    env: { ...process.env, PATH: `${join(ROOT as string, 'node_modules', '.bin')}:${process.env.PATH}` },
  });
}

/** The secrets the test workers run with, passed explicitly (never read from `.dev.vars`). */
export const TEST_SECRETS = { PLATFORM_KEY: 'widget-test-platform-key', SECRET_DERIVATION_KEY: 'widget-test-derivation-key' };

const browsers = new Set<Browser>();

afterAll(async () => {
  await Promise.all([...browsers].map((b) => b.close().catch(() => {})));
  browsers.clear();
  await stopAllLocalWorkers();
});

export async function startWorker(): Promise<LocalWorker> {
  return (await startLocalWorker({ port: await freePort(), secrets: TEST_SECRETS })) as LocalWorker;
}

export async function launchBrowser(): Promise<Browser> {
  const browser = (await launchChromium()) as Browser;
  browsers.add(browser);
  browser.once('disconnected', () => browsers.delete(browser));
  return browser;
}

/** A publisher's web server on its own origin: serves pages registered by the tests. */
export class PublisherSite {
  private pages = new Map<string, { body: string | Buffer; type: string }>();
  private server: Server | null = null;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const file = this.pages.get((req.url ?? '/').split('?')[0]!);
      if (!file) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' }).end(file.body);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Registers a page (or any file) and answers its URL. */
  page(path: string, body: string | Buffer, type = 'text/html; charset=utf-8'): string {
    this.pages.set(path, { body, type });
    return `${this.origin}${path}`;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise((r) => this.server!.close(r));
  }
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * A publisher page embedding the widget with one module script from the worker, recording the
 * widget's events in `window.events`. `pageCss` is the publisher's own CSS.
 */
export function publisherPage(opts: {
  workerUrl: string;
  attrs: Record<string, string | undefined>;
  lang?: string;
  dark?: boolean;
  pageCss?: string;
}): string {
  const attrs = Object.entries(opts.attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${escapeAttr(v!)}"`)
    .join(' ');
  return `<!doctype html>
<html lang="${opts.lang ?? 'en-IN'}">
<head>
<meta charset="utf-8">
<title>Publisher test page</title>
<script type="module" src="${opts.workerUrl}/widget/offer-checkout.js"></script>
<style>
  :root { color-scheme: ${opts.dark ? 'dark' : 'light'}; }
  body { font-family: Georgia, serif; margin: 24px; background: ${opts.dark ? '#0f1115' : '#f6f7f9'}; color: ${opts.dark ? '#e8ebf0' : '#1a1d23'}; }
  ${opts.pageCss ?? ''}
</style>
</head>
<body>
<main>
<h1>Subscribe</h1>
<offer-checkout ${attrs}></offer-checkout>
</main>
<script>
  window.events = [];
  for (const name of ['offer-checkout:quote', 'offer-checkout:subscribed', 'offer-checkout:error']) {
    document.addEventListener(name, (e) => window.events.push({ type: e.type, bubbles: e.bubbles, composed: e.composed, detail: e.detail }));
  }
</script>
</body>
</html>`;
}

export interface Tenant {
  id: string;
  secret_key: string;
  publishable_key: string;
  user_token_secret: string;
}

export interface ApiResult {
  status: number;
  json: any;
  text: string;
}

/** The platform and admin APIs of one local worker. */
export class Backend {
  constructor(private readonly worker: LocalWorker) {}

  async call(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResult> {
    const res = await fetch(`${this.worker.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, json, text };
  }

  async expect(status: number, method: string, path: string, key: string, body?: unknown): Promise<any> {
    const res = await this.call(method, path, key, body);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${res.text}`);
    return res.json;
  }

  createTenant(allowedOrigins: string[], name = 'Widget test publisher'): Promise<Tenant> {
    return this.expect(201, 'POST', '/platform/v1/tenants', this.worker.platformKey, { name, allowed_origins: allowedOrigins });
  }

  admin(tenant: Tenant, method: string, path: string, body?: unknown, status = method === 'POST' ? 201 : 200): Promise<any> {
    return this.expect(status, method, `/admin/v1${path}`, tenant.secret_key, body);
  }
}

/** A user token: HS256 JWT signed with the tenant's user-token secret. */
export function mintUserToken(secret: string, claims: { sub: string; email?: string; email_verified?: boolean; exp?: number }): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const data = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}`;
  return `${data}.${createHmac('sha256', secret).update(data).digest('base64url')}`;
}

/** Polls `fn` until it returns a truthy value. */
export async function until<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      last = value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The events the page recorded. */
export function pageEvents(page: Page): Promise<{ type: string; bubbles: boolean; composed: boolean; detail: any }[]> {
  return page.evaluate(() => (window as any).events);
}

/** Describes the deeply focused element (through shadow roots): "tag|type|accessible text". */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return '';
    const label = (el as HTMLInputElement).labels?.[0]?.textContent ?? '';
    return `${el.tagName.toLowerCase()}|${(el as HTMLInputElement).type ?? ''}|${(label || el.textContent || '').replace(/\s+/g, ' ').trim()}`;
  });
}

/** Presses Tab until the focused element matches `pattern`; fails after `max` presses. */
export async function tabTo(page: Page, pattern: RegExp, max = 25): Promise<string> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (pattern.test(now)) return now;
  }
  throw new Error(`Tab never reached ${pattern} (last: ${await focused(page)})`);
}

/** Runs axe-core on the page (it walks open shadow roots) and answers the serious and critical violations. */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => JSON.stringify(n.target)) }));
  });
}

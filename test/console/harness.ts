/**
 * The console's browser-test helpers, on top of the widget's harness (the real local worker,
 * real Chromium, axe): building the console when its bundle is stale, signing in through the
 * form, and a page per test in its own browser context (so cookies never leak between tests).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
// @ts-expect-error plain ESM script without types
import { ROOT } from '../../scripts/local-worker.mjs';
import { axeViolations } from '../widget/harness';

const CONSOLE_DIR = join(ROOT as string, 'console');
const BUILT = join(ROOT as string, 'public', 'console', 'index.html');

/** Builds the console when public/console/ is missing or older than console/ (`npm test` builds first anyway). */
export function ensureConsoleBuilt(): void {
  const newest = Math.max(...readdirSync(CONSOLE_DIR).map((f) => statSync(join(CONSOLE_DIR, f)).mtimeMs));
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newest) return;
  execFileSync(join(ROOT as string, 'node_modules', '.bin', 'vite'), ['build', '--config', 'console/vite.config.ts'], {
    cwd: ROOT as string,
    stdio: 'ignore',
    env: { ...process.env, PATH: `${join(ROOT as string, 'node_modules', '.bin')}:${process.env.PATH}` },
  });
}

/** `expect.poll` with a timeout for a loaded machine. */
export const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Page errors seen (uncaught exceptions): a test expects none. */
  errors: string[];
}

export async function openConsole(
  browser: Browser,
  url: string,
  opts: { width?: number; height?: number; dark?: boolean } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    deviceScaleFactor: 1,
    colorScheme: opts.dark ? 'dark' : 'light',
    acceptDownloads: true,
    locale: 'en-US',
    // Only so axe-core can be injected: the console's CSP allows no inline script.
    bypassCSP: true,
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => {
    errors.push(e.message);
    console.error('page error:', e.message);
  });
  await page.goto(`${url}/console/`);
  return { page, context, errors };
}

/** Signs in through the form (the key is typed, never injected into storage). */
export async function signIn(page: Page, secretKey: string): Promise<void> {
  await page.getByLabel('Secret key').fill(secretKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Fails with the violations listed when axe finds a serious or critical one. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `axe on ${screen}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

export const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

// Headless Chromium for the browser tests, the screenshots script and the widget bench, with no
// apt-get and no download outside the npm registry. The executable is, in order:
//   1. $CHROMIUM_PATH, when set;
//   2. a system Chromium at /usr/bin/chromium (or chromium-browser), when present;
//   3. the Chromium shipped inside the npm package @sparticuz/chromium (a devDependency), which
//      `executablePath()` unpacks once into the OS temp directory.
// It is driven by playwright-core, headless, with only the flags below (not the package's own
// Lambda flags: those turn off web security and site isolation, which the CORS tests rely on).
import { existsSync } from 'node:fs';
import { chromium as playwright } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-dev-shm-usage',
  '--no-zygote',
];

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The configured or system Chromium, or undefined when the npm package's is to be used. */
export function systemChromium() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return SYSTEM_CHROMIUMS.find((p) => existsSync(p));
}

let unpacked;
/** The path of the Chromium executable to launch (see the order above). */
export async function chromiumPath() {
  const system = systemChromium();
  if (system) return system;
  unpacked ??= import('@sparticuz/chromium').then((m) => m.default.executablePath());
  return unpacked;
}

/** Launches headless Chromium; `options` are playwright's launch options. */
export async function launchChromium(options = {}) {
  return playwright.launch({
    executablePath: await chromiumPath(),
    headless: true,
    timeout: 60_000,
    ...options,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}

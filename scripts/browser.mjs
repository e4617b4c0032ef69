// Headless Chromium for the browser tests, the screenshots script and the widget bench, with no
// apt-get and no download outside the npm registry. The executable is, in order:
//   1. $CHROMIUM_PATH, when set;
//   2. a system Chromium at /usr/bin/chromium (or chromium-browser), when present;
//   3. the Chromium shipped inside the npm package @sparticuz/chromium (a devDependency), unpacked
//      once per machine into $TMPDIR/offer-checkout-chromium-<version>/ (see unpackedChromium).
// It is driven by playwright-core, headless, with only the flags below (not the package's own
// Lambda flags: those turn off web security and site isolation, which the CORS tests rely on).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/**
 * Unpacks the npm package's Chromium once per machine and version, safely under concurrency:
 * the package itself unpacks into `$TMPDIR/chromium` and treats the file as ready as soon as it
 * exists, so two processes unpacking at once (the widget and console projects start together)
 * or one killed half-way would launch a truncated binary. Here each process unpacks into a
 * staging directory of its own (the package run in a child with TMPDIR pointing there), then
 * renames it into place; a rename that loses the race discards its copy and uses the winner's.
 */
async function unpackedChromium() {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@sparticuz', 'chromium', 'package.json'), 'utf8'));
  const dir = join(tmpdir(), `offer-checkout-chromium-${version}`);
  const executable = join(dir, 'chromium');
  if (existsSync(executable)) return executable;
  const staging = mkdtempSync(join(tmpdir(), 'offer-checkout-chromium-staging-'));
  try {
    const script = 'import("@sparticuz/chromium").then((m) => m.default.executablePath()).then((p) => console.log(p))';
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, TMPDIR: staging }, timeout: 120_000 });
    if (stdout.trim() !== join(staging, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${stdout.trim()}, not ${staging}`);
    try {
      renameSync(staging, dir);
    } catch (e) {
      if (!existsSync(executable)) throw e;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return executable;
}

let unpacked;
/** The path of the Chromium executable to launch (see the order above). */
export async function chromiumPath() {
  const system = systemChromium();
  if (system) return system;
  unpacked ??= unpackedChromium();
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

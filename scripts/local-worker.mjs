// Starts the worker locally with `wrangler dev` on a migrated local D1, and stops it.
// Used by `npm start`, `npm run bench` and the widget's browser tests.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');
const NODE_BIN = join(ROOT, 'node_modules', '.bin');

export const DEFAULT_SECRETS = {
  PLATFORM_KEY: 'dev-platform-key',
  SECRET_DERIVATION_KEY: 'dev-derivation-key',
};

function env() {
  // Node 22 from node_modules first on PATH (wrangler needs Node >= 22.12).
  return { ...process.env, PATH: `${NODE_BIN}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', CI: process.env.CI ?? '' };
}

/** Applies the migrations to the local D1 in `persistTo`. */
export function migrateLocal(persistTo) {
  execFileSync(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo], {
    cwd: ROOT,
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`worker did not answer ${url}/health within ${timeoutMs} ms`);
}

/**
 * Starts `wrangler dev` on `port` with a migrated local D1.
 * @returns {{url: string, platformKey: string, persistTo: string, stop: () => Promise<void>, child: import('node:child_process').ChildProcess}}
 */
export async function startLocalWorker({ port = 8787, persistTo, secrets = DEFAULT_SECRETS, quiet = true, timeoutMs = 60_000 } = {}) {
  const dir = persistTo ?? mkdtempSync(join(tmpdir(), 'offer-checkout-'));
  migrateLocal(dir);
  const vars = Object.entries(secrets).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
  const child = spawn(
    WRANGLER,
    ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', dir, '--show-interactive-dev-session=false', '--log-level', quiet ? 'error' : 'info', ...vars],
    { cwd: ROOT, env: env(), stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', detached: true },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    await new Promise((r) => {
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
        r();
      }, 3000);
      child.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
  };
  try {
    await waitForHealth(url, child, timeoutMs);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, platformKey: secrets.PLATFORM_KEY, persistTo: dir, stop, child };
}

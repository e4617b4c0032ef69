// Starts the worker locally with `wrangler dev` on a migrated local D1, and stops it.
// Used by `npm start`, `npm run bench`, the screenshots script and the browser tests.
//
// Process hygiene: wrangler runs in its own process group (with workerd under it), and every
// group started here is stopped by `stop()`, by `stopAllLocalWorkers()`, when this process exits,
// by a detached watcher when this process dies without cleaning up (SIGKILL, a crash), and,
// under vitest, by the global teardown (test/setup/processes.ts), which reads the pid files
// written into $OFFER_CHECKOUT_PID_DIR. Secrets reach wrangler through an env file (mode 0600 in
// a private temp directory), never on the command line; with `--env-file` wrangler does not read
// the developer's `.dev.vars`.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

export function wranglerEnv() {
  return {
    ...process.env,
    // Node 22 from node_modules first on PATH (wrangler needs Node >= 22.12).
    PATH: `${NODE_BIN}:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: 'false',
    // Offline-friendly: no fetch of the `Request.cf` data (miniflare uses its placeholder), so an
    // offline start prints no stack traces.
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    CI: process.env.CI ?? '',
  };
}

/** Applies the migrations to the local D1 in `persistTo`. */
export function migrateLocal(persistTo) {
  execFileSync(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo], {
    cwd: ROOT,
    env: wranglerEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Every process group started here and not yet stopped: pid → cleanup. */
const running = new Map();

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {}
}

// Last resort when this process ends without stopping its workers (a crashed test file, an
// uncaught error): the groups are killed synchronously on exit.
process.once('exit', () => {
  for (const [pid, cleanup] of running) {
    killGroup(pid, 'SIGKILL');
    cleanup();
  }
});

/** Stops every worker this process started. */
export async function stopAllLocalWorkers() {
  await Promise.all([...running.values()].map((entry) => entry.stop?.()));
}

// A tiny detached watcher per worker: when the process that started the worker is gone (killed,
// crashed, a test fork torn down with SIGKILL: cases where no handler of ours runs), it stops
// the worker's process group; it exits by itself once the group is gone.
const REAPER = `
const [parent, group] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const timer = setInterval(() => {
  if (!alive(-group)) process.exit(0);
  if (alive(parent)) return;
  clearInterval(timer);
  try { process.kill(-group, 'SIGTERM'); } catch {}
  setTimeout(() => { try { process.kill(-group, 'SIGKILL'); } catch {} process.exit(0); }, 3000);
}, 500);
`;

function watchParent(group) {
  spawn(process.execPath, ['-e', REAPER, String(process.pid), String(group)], { detached: true, stdio: 'ignore' }).unref();
}

async function waitForHealth(url, child, timeoutMs, stderr) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited with ${child.exitCode ?? child.signalCode}${stderr() ? `:\n${stderr()}` : ''}`);
    }
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`worker did not answer ${url}/health within ${timeoutMs} ms${stderr() ? `:\n${stderr()}` : ''}`);
}

const envLine = (k, v) => `${k}=${JSON.stringify(String(v))}\n`;

/**
 * Starts `wrangler dev` on `port` with a migrated local D1 and exactly the given secrets.
 * @returns {Promise<{url: string, platformKey: string, persistTo: string, stop: () => Promise<void>, child: import('node:child_process').ChildProcess}>}
 */
export async function startLocalWorker({ port = 8787, persistTo, secrets = DEFAULT_SECRETS, quiet = true, timeoutMs = 60_000, vars = {} } = {}) {
  const dir = persistTo ?? mkdtempSync(join(tmpdir(), 'offer-checkout-'));
  migrateLocal(dir);
  // The secrets file lives in its own private directory (mkdtemp makes it 0700), removed on stop.
  const secretsDir = mkdtempSync(join(tmpdir(), 'offer-checkout-secrets-'));
  const envFile = join(secretsDir, 'worker.env');
  writeFileSync(envFile, Object.entries({ ...vars, ...secrets }).map(([k, v]) => envLine(k, v)).join(''), { mode: 0o600 });
  const child = spawn(
    WRANGLER,
    [
      'dev',
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      dir,
      '--env-file',
      envFile,
      '--show-interactive-dev-session=false',
      '--log-level',
      quiet ? 'error' : 'info',
    ],
    { cwd: ROOT, env: wranglerEnv(), stdio: quiet ? ['ignore', 'ignore', 'pipe'] : ['ignore', 'inherit', 'inherit'], detached: true },
  );
  if (child.pid) watchParent(child.pid);
  let errText = '';
  child.stderr?.on('data', (d) => {
    errText = (errText + d.toString()).slice(-4000);
  });
  const pidFile = process.env.OFFER_CHECKOUT_PID_DIR && child.pid ? join(process.env.OFFER_CHECKOUT_PID_DIR, `${child.pid}.pid`) : null;
  if (pidFile) writeFileSync(pidFile, String(child.pid));
  const cleanup = () => {
    running.delete(child.pid);
    rmSync(secretsDir, { recursive: true, force: true });
    if (pidFile) rmSync(pidFile, { force: true });
    if (!persistTo) rmSync(dir, { recursive: true, force: true });
  };
  const exited = new Promise((r) => child.once('exit', r));
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child.pid, 'SIGTERM');
        const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      // workerd may outlive wrangler by a moment: make sure nothing of the group is left.
      killGroup(child.pid, 'SIGKILL');
      child.stderr?.destroy();
      cleanup();
    })());
  cleanup.stop = stop;
  running.set(child.pid, cleanup);
  try {
    await waitForHealth(`http://127.0.0.1:${port}`, child, timeoutMs, () => errText.trim());
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: `http://127.0.0.1:${port}`, platformKey: secrets.PLATFORM_KEY, persistTo: dir, stop, child };
}

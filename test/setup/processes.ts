/**
 * Global setup of the browser projects (widget, console): a directory where every `wrangler dev`
 * started by a test process records its pid (scripts/local-worker.mjs), and a teardown that stops
 * each recorded process group, whatever happened to the test file that started it (a failed
 * `beforeAll`, a timeout, a crashed fork). So a failing suite ends `npm test` promptly and leaves
 * no wrangler or workerd behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const alive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Both browser projects name this setup; they share one directory and the last teardown sweeps it.
const shared = globalThis as { offerCheckoutPidDirUsers?: number };

export default function setup(): () => Promise<void> {
  // Inherited by the test processes vitest starts after the global setup.
  const dir = (process.env.OFFER_CHECKOUT_PID_DIR ??= mkdtempSync(join(tmpdir(), 'offer-checkout-pids-')));
  shared.offerCheckoutPidDirUsers = (shared.offerCheckoutPidDirUsers ?? 0) + 1;
  return async () => {
    shared.offerCheckoutPidDirUsers = (shared.offerCheckoutPidDirUsers ?? 1) - 1;
    if (shared.offerCheckoutPidDirUsers > 0) return;
    const pids = readdirSync(dir)
      .map((f) => Number(readFileSync(join(dir, f), 'utf8')))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {}
    }
    const deadline = Date.now() + 3000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids.filter(alive)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
    delete process.env.OFFER_CHECKOUT_PID_DIR;
  };
}

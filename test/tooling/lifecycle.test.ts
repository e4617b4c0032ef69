/**
 * A failing browser suite ends vitest promptly with a non-zero exit and leaves no process: a
 * child vitest runs test/tooling/fixtures/ (a file failing in `beforeAll` after starting a
 * worker and a browser, and a file failing in a test), and every process it started is found
 * by a marker in its environment.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Live processes whose environment carries `marker`. */
function processesWith(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker)) continue;
      found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 120)}`);
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

describe('process lifecycle of the browser tests', () => {
  it('a suite failing in beforeAll and in a test exits non-zero within a minute and leaves no wrangler, workerd or Chromium', async () => {
    const marker = `OFFER_CHECKOUT_LIFECYCLE=${process.pid}-${Date.now()}`;
    const env: NodeJS.ProcessEnv = { ...process.env, OFFER_CHECKOUT_LIFECYCLE: marker.split('=')[1] };
    // The child's global setup makes its own pid directory (not this run's).
    delete env.OFFER_CHECKOUT_PID_DIR;
    const started = Date.now();
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', '--config', 'test/tooling/fixtures/lifecycle.config.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    const seconds = (Date.now() - started) / 1000;
    const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
    expect(clean).toContain('fails on purpose in beforeAll');
    expect(clean).toMatch(/Tests\s+1 failed/);
    expect(code, clean.slice(-2000)).toBe(1);
    expect(seconds).toBeLessThan(90);
    // What the child started is stopped by the time it exits (the watchers within a second or so).
    let left = processesWith(marker);
    for (let i = 0; i < 50 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesWith(marker);
    }
    expect(left).toEqual([]);
  }, 120_000);
});

/**
 * The production deploy path, offline: the guard refuses what cannot or must not be deployed,
 * [env.production] carries every binding of the top level, and the production bundle builds
 * (`wrangler deploy --dry-run --env production`) with no demo file in it. `npm test` runs
 * `npm run build` first, so dist/assets/ is fresh.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
// @ts-expect-error plain ESM script without types
import { assetProblems, configProblems, PLACEHOLDER_DB_ID } from '../../scripts/deploy-guard.mjs';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');

async function script(file: string, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(NODE, [join(ROOT, 'scripts', file), ...args], { cwd: ROOT, timeout: 120_000 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('npm run deploy: the guard', () => {
  it('refuses while the D1 database_id is the all-zero placeholder, saying what to do', async () => {
    const { problems } = await configProblems();
    expect(problems.join('\n')).toContain('placeholder database_id');
    const res = await script('deploy-guard.mjs');
    expect(res.code).toBe(1);
    expect(res.out).toContain('deploy refused');
    expect(res.out).toContain('wrangler d1 create offer-checkout');
    expect(PLACEHOLDER_DB_ID).toBe('00000000-0000-0000-0000-000000000000');
  });

  it('finds every top-level binding in [env.production], minified, with its own asset directory', async () => {
    const { problems, assetsDir, prod } = await configProblems({ checkDatabaseId: false });
    expect(problems).toEqual([]);
    expect(assetsDir).toBe(join(ROOT, 'dist', 'assets'));
    expect(prod.minify).toBe(true);
    expect(prod.vars.ENVIRONMENT).toBe('production');
  });

  it('refuses an asset directory with a demo page, a demo config or a key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'offer-checkout-assets-'));
    try {
      mkdirSync(join(dir, 'widget'));
      writeFileSync(join(dir, 'widget', 'offer-checkout.js'), 'export {}');
      writeFileSync(join(dir, 'index.html'), '<!doctype html>');
      mkdirSync(join(dir, 'demo'));
      writeFileSync(join(dir, 'demo', 'config.json'), JSON.stringify({ publishableKey: `pk_${'a'.repeat(52)}` }));
      const problems: string[] = assetProblems(dir);
      expect(problems.some((p) => p.includes('index.html') && p.includes('not a production asset'))).toBe(true);
      expect(problems.some((p) => p.includes('demo') && p.includes('not a production asset'))).toBe(true);
      expect(problems.some((p) => p.includes('config.json') && p.includes('looks like a key'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the production bundle', () => {
  it('builds with wrangler deploy --dry-run --env production and holds no demo file', async () => {
    expect(assetProblems(join(ROOT, 'dist', 'assets'))).toEqual([]);
    const res = await script('bundle-size.mjs');
    expect(res.out).toMatch(/worker bundle \(minified\): [\d.]+ KiB/);
    expect(res.code, res.out).toBe(0);
  });
});

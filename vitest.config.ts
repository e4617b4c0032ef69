import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { experimental_readRawConfig } from 'wrangler';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));

/**
 * The worker tests' wrangler config: wrangler.toml's top level as JSON, its paths made absolute,
 * in a directory of its own under the OS temp dir. wrangler loads `.dev.vars` from the config's
 * directory, so pointing the plugin at the repository's wrangler.toml would hand the tests the
 * developer's local secrets; from here it finds none, and the tests get only the bindings below.
 */
function testWranglerConfig(): string {
  const { rawConfig } = experimental_readRawConfig({ config: join(ROOT, 'wrangler.toml') }) as { rawConfig: Record<string, any> };
  const config = { ...rawConfig };
  delete config.env;
  if (config.main) config.main = resolve(ROOT, config.main);
  if (config.assets?.directory) config.assets = { ...config.assets, directory: resolve(ROOT, config.assets.directory) };
  config.d1_databases = (config.d1_databases ?? []).map((db: Record<string, string>) => (db.migrations_dir ? { ...db, migrations_dir: resolve(ROOT, db.migrations_dir) } : db));
  const text = JSON.stringify(config, null, 2);
  const dir = join(tmpdir(), `offer-checkout-vitest-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
  const file = join(dir, 'wrangler.json');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = join(dir, `wrangler.json.${process.pid}`);
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  return file;
}

/**
 * Projects:
 * - `worker`: the worker's tests inside workerd (miniflare) against a real local D1 with the
 *   real migrations applied (test/setup/apply-migrations.ts), with only the bindings given here
 *   (never the developer's `.dev.vars`: see testWranglerConfig);
 * - `widget`: the widget's tests in real Chromium against a real local worker;
 * - `console`: the publisher console's tests, in real Chromium against a real local worker;
 * - `tooling`: the deploy guard and the production bundle (`wrangler deploy --dry-run`), in node.
 */
export default defineConfig(async (): Promise<ViteUserConfig> => {
  const migrations = await readD1Migrations('./migrations');
  return {
    test: {
      // The JSON report is what .ci/run counts; the default reporter is for people.
      reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }] as ['json', { outputFile: string }]],
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: testWranglerConfig() },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  PLATFORM_KEY: 'test-platform-key',
                  SECRET_DERIVATION_KEY: 'test-derivation-key',
                  ENVIRONMENT: 'test',
                },
              },
            }),
          ],
          test: {
            name: 'worker',
            include: ['test/domain/**/*.test.ts', 'test/routes/**/*.test.ts', 'test/db/**/*.test.ts'],
            // A real local HTTP receiver (and fake DNS-over-HTTPS resolver) for webhook deliveries.
            globalSetup: ['./test/setup/webhook-receiver.ts'],
            setupFiles: ['./test/setup/apply-migrations.ts'],
            testTimeout: 30_000,
          },
        },
        {
          test: {
            name: 'widget',
            globalSetup: ['./test/setup/processes.ts'],
            include: ['test/widget/**/*.test.ts'],
            environment: 'node',
            testTimeout: 120_000,
            hookTimeout: 180_000,
            fileParallelism: false,
          },
        },
        {
          test: {
            name: 'tooling',
            include: ['test/tooling/**/*.test.ts'],
            environment: 'node',
            testTimeout: 120_000,
          },
        },
        {
          test: {
            name: 'console',
            globalSetup: ['./test/setup/processes.ts'],
            include: ['test/console/**/*.test.ts'],
            environment: 'node',
            testTimeout: 120_000,
            hookTimeout: 180_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});

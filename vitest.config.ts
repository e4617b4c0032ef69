import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';

/**
 * Projects:
 * - `worker`: the worker's tests inside workerd (miniflare) against a real local D1 with the
 *   real migrations applied (test/setup/apply-migrations.ts);
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
              wrangler: { configPath: './wrangler.toml' },
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

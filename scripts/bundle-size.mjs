#!/usr/bin/env node
// The production bundle: `wrangler deploy --dry-run --env production` into a temp directory, its
// worker size (raw and gzip) and the production asset directory's files. Fails (exit 1) when the
// dry run fails, when the asset directory fails the deploy guard, or when the bundle contains a
// demo file. `--write` records the figures in docs/BENCHMARKS.md (its "Production bundle" section
// only, between the `bench:bundle` markers); without it nothing in the tree changes.
//
//   npm run build && node scripts/bundle-size.mjs [--write]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, wranglerEnv } from './local-worker.mjs';
import { assetProblems, configProblems } from './deploy-guard.mjs';

const out = mkdtempSync(join(tmpdir(), 'offer-checkout-bundle-'));
try {
  let log;
  try {
    log = execFileSync(join(ROOT, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--env', 'production', '--outdir', out], {
      cwd: ROOT,
      env: wranglerEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  } catch (e) {
    console.error(`wrangler deploy --dry-run --env production failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    process.exit(1);
  }
  const files = readdirSync(out).filter((f) => !f.endsWith('.map') && statSync(join(out, f)).isFile());
  const code = Buffer.concat(files.map((f) => readFileSync(join(out, f))));
  const worker = { raw: code.length, gzip: gzipSync(code, { level: 9 }).length };
  const { assetsDir, problems } = await configProblems({ checkDatabaseId: false });
  problems.push(...assetProblems(assetsDir));
  const assetFiles = [];
  const walk = (dir) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else assetFiles.push({ path: relative(assetsDir, p), size: statSync(p).size });
    }
  };
  walk(assetsDir);
  const demo = assetFiles.filter((f) => /index\.html$|demo|config\.json/.test(f.path) && !f.path.startsWith('console/'));
  if (demo.length) problems.push(`demo files in the production assets: ${demo.map((f) => f.path).join(', ')}`);
  if (/demo\/config\.json|Demo Publisher/.test(code.toString('latin1'))) problems.push('the worker bundle contains demo content');
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const assetTotal = assetFiles.reduce((n, f) => n + f.size, 0);
  const upload = log.match(/Total Upload: ([^\n]+)/)?.[1]?.trim();
  const top = (prefix) => assetFiles.filter((f) => f.path.startsWith(prefix)).reduce((n, f) => n + f.size, 0);
  console.log(`worker bundle (minified): ${kib(worker.raw)}, gzip ${kib(worker.gzip)}${upload ? ` (wrangler: ${upload})` : ''}`);
  console.log(`production assets: ${assetFiles.length} files, ${kib(assetTotal)} (widget ${kib(top('widget/'))}, console ${kib(top('console/'))}, docs UI ${kib(top('docs/'))})`);
  if (problems.length) {
    console.error(`production bundle refused:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  if (process.argv.includes('--write')) {
    const file = join(ROOT, 'docs', 'BENCHMARKS.md');
    const section = `<!-- bench:bundle -->
## Production bundle (scripts/bundle-size.mjs)

Measured on ${new Date().toISOString().slice(0, 10)} with \`npm run build && node scripts/bundle-size.mjs --write\`
(\`wrangler deploy --dry-run --env production\`, minified; \`.ci/run\` runs the same dry run on every CI run).

| part | size |
| --- | ---: |
| worker bundle (minified) | ${kib(worker.raw)} |
| worker bundle, gzip | ${kib(worker.gzip)} |
| production assets (\`dist/assets\`: ${assetFiles.length} files) | ${kib(assetTotal)} |
| of which widget/ | ${kib(top('widget/'))} |
| of which console/ | ${kib(top('console/'))} |
| of which docs/ (Swagger UI) | ${kib(top('docs/'))} |

The assets hold no demo page, demo config or key (checked by scripts/deploy-guard.mjs). Before the
production environment, \`wrangler deploy --dry-run\` bundled 1.46 MB unminified and shipped the demo page.
<!-- /bench:bundle -->`;
    const text = readFileSync(file, 'utf8');
    const re = /<!-- bench:bundle -->[\s\S]*?<!-- \/bench:bundle -->/;
    writeFileSync(file, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
    console.log(`wrote the "Production bundle" section of ${relative(ROOT, file)}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

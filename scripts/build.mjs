#!/usr/bin/env node
// `npm run build`: every front end and the two asset directories.
//
// 1. the widget (`build:widget` → public/widget/), and the console (`build:console` →
//    public/console/) once console/vite.config.ts and its script exist, so the build never
//    breaks while a part is still being written;
// 2. the /docs reference UI: Swagger UI's two files from the npm package swagger-ui-dist, copied
//    to public/docs/ (the worker serves them as its own static assets: offline, one origin);
// 3. the production asset directory dist/assets/ ([env.production.assets] in wrangler.toml):
//    an allow-list copy of public/ — _headers, widget/, console/, docs/ — and nothing else, so the
//    demo page, its generated demo/config.json (keys and a user token) or any other local file
//    can never be deployed. scripts/deploy-guard.mjs checks it again before a deploy.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PUBLIC = join(ROOT, 'public');
export const PRODUCTION_ASSETS = join(ROOT, 'dist', 'assets');
/** What the production asset directory may hold (top-level names). */
export const PRODUCTION_ALLOW = ['_headers', 'widget', 'console', 'docs'];

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const steps = ['build:widget'];
if (pkg.scripts['build:console'] && existsSync(join(ROOT, 'console', 'vite.config.ts'))) {
  steps.push('build:console');
} else {
  console.log('build: no console/vite.config.ts or build:console script yet; skipping the console');
}
for (const step of steps) {
  const r = spawnSync('npm', ['run', '--silent', step], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The reference UI.
const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
mkdirSync(join(PUBLIC, 'docs'), { recursive: true });
for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js', 'LICENSE']) {
  cpSync(join(swaggerDir, file), join(PUBLIC, 'docs', file === 'LICENSE' ? 'swagger-ui.LICENSE.txt' : file));
}

// The production asset directory.
rmSync(PRODUCTION_ASSETS, { recursive: true, force: true });
mkdirSync(PRODUCTION_ASSETS, { recursive: true });
for (const name of PRODUCTION_ALLOW) {
  if (existsSync(join(PUBLIC, name))) cpSync(join(PUBLIC, name), join(PRODUCTION_ASSETS, name), { recursive: true });
}
const size = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((n, f) => n + size(join(p, f)), 0) : statSync(p).size);
console.log(`build: dist/assets (production) holds ${readdirSync(PRODUCTION_ASSETS).sort().join(', ')} — ${(size(PRODUCTION_ASSETS) / 1024).toFixed(0)} KB`);

#!/usr/bin/env node
// Refuses a production deploy that cannot work or would ship what it must not. Run by
// `npm run deploy` before the build (config and secrets) and after it (`--assets`):
//
//   node scripts/deploy-guard.mjs             config + secrets (online: `wrangler secret list`)
//   node scripts/deploy-guard.mjs --assets    the production asset directory, after `npm run build`
//   node scripts/deploy-guard.mjs --offline   config (without the D1 id) + assets, no network:
//                                             what CI and test/tooling/deploy.test.ts check
//
// Checks:
// - [env.production] carries every binding of the top level (an environment inherits none);
// - its D1 database_id is not the all-zero placeholder;
// - the required secrets exist on the production worker (`wrangler secret list`), failing
//   clearly when wrangler cannot tell (offline, not logged in);
// - the production asset directory holds only the allow-listed builds: no demo page, no demo
//   config, nothing that looks like a key or a user token.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ROOT, wranglerEnv } from './local-worker.mjs';

export const REQUIRED_SECRETS = ['PLATFORM_KEY', 'SECRET_DERIVATION_KEY'];
export const PLACEHOLDER_DB_ID = '00000000-0000-0000-0000-000000000000';
const ALLOWED_ASSETS = new Set(['_headers', 'widget', 'console', 'docs']);
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');

/** Binding names of a resolved wrangler config, by kind. */
function bindingsOf(config) {
  const names = (list, key = 'binding') => (list ?? []).map((b) => b[key]).filter(Boolean);
  return {
    d1_databases: names(config.d1_databases),
    r2_buckets: names(config.r2_buckets),
    kv_namespaces: names(config.kv_namespaces),
    'queues.producers': names(config.queues?.producers),
    'queues.consumers': names(config.queues?.consumers, 'queue'),
    'durable_objects.bindings': names(config.durable_objects?.bindings, 'name'),
    services: names(config.services),
    workflows: names(config.workflows),
    analytics_engine_datasets: names(config.analytics_engine_datasets),
    vectorize: names(config.vectorize),
    hyperdrive: names(config.hyperdrive),
    send_email: names(config.send_email, 'name'),
    ai: config.ai?.binding ? [config.ai.binding] : [],
    browser: config.browser?.binding ? [config.browser.binding] : [],
    'triggers.crons': config.triggers?.crons ?? [],
    'assets.binding': config.assets?.binding ? [config.assets.binding] : [],
    'vars (names)': Object.keys(config.vars ?? {}),
  };
}

/** Problems of the production config, compared with the top level. */
export async function configProblems({ checkDatabaseId = true } = {}) {
  const { unstable_readConfig } = await import('wrangler');
  const configPath = join(ROOT, 'wrangler.toml');
  const top = unstable_readConfig({ config: configPath }, { hideWarnings: true });
  const prod = unstable_readConfig({ config: configPath, env: 'production' }, { hideWarnings: true });
  const problems = [];
  const a = bindingsOf(top);
  const b = bindingsOf(prod);
  for (const kind of Object.keys(a)) {
    const missing = a[kind].filter((n) => !b[kind].includes(n));
    if (missing.length) problems.push(`[env.production] lacks ${kind}: ${missing.join(', ')} (bindings are not inherited: copy them from the top level of wrangler.toml)`);
  }
  for (const db of prod.d1_databases ?? []) {
    if (checkDatabaseId && (!db.database_id || db.database_id === PLACEHOLDER_DB_ID)) {
      problems.push(`D1 "${db.binding}" still has the placeholder database_id: run \`npx wrangler d1 create ${db.database_name}\` and put the printed id in [[env.production.d1_databases]] of wrangler.toml`);
    }
  }
  const assetsDir = prod.assets?.directory ? resolve(ROOT, prod.assets.directory) : null;
  if (!assetsDir) problems.push('[env.production] names no assets directory');
  else if (assetsDir === resolve(ROOT, 'public')) problems.push('[env.production.assets] points at public/, which holds the local demo page: use dist/assets');
  if (!prod.minify) problems.push('[env.production] does not set minify = true');
  return { problems, assetsDir, prod };
}

const KEYISH = /\b(sk|pk)_[A-Za-z0-9]{20,}|\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}/;

/** Problems of the production asset directory (after `npm run build`). */
export function assetProblems(assetsDir) {
  const problems = [];
  if (!existsSync(assetsDir)) return [`${relative(ROOT, assetsDir)}/ does not exist: run \`npm run build\` first`];
  for (const name of readdirSync(assetsDir)) {
    if (!ALLOWED_ASSETS.has(name)) problems.push(`${relative(ROOT, join(assetsDir, name))} is not a production asset (allowed: ${[...ALLOWED_ASSETS].join(', ')})`);
  }
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const rel = relative(assetsDir, path);
      if (/(^|\/)demo(\/|\.|$)|config\.json$|\.dev\.vars/.test(rel)) problems.push(`${relative(ROOT, path)} looks like demo or local configuration`);
      if (statSync(path).size < 8 * 1024 * 1024 && KEYISH.test(readFileSync(path, 'latin1'))) problems.push(`${relative(ROOT, path)} contains something that looks like a key or a user token`);
    }
  };
  walk(assetsDir);
  if (!existsSync(join(assetsDir, 'widget', 'offer-checkout.js'))) problems.push(`${relative(ROOT, assetsDir)}/widget/offer-checkout.js is missing: run \`npm run build\``);
  return problems;
}

/** Problems with the production worker's secrets (asks Cloudflare through wrangler). */
export function secretProblems() {
  let out;
  try {
    out = execFileSync(WRANGLER, ['secret', 'list', '--env', 'production', '--format', 'json'], {
      cwd: ROOT,
      env: wranglerEnv(),
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const text = `${e.stderr ?? ''}${e.stdout ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '');
    const why = (text.match(/\[ERROR\]\s*(.+)/)?.[1] ?? text.trim().split('\n').find(Boolean) ?? e.message).trim().slice(0, 400);
    return [
      `could not list the production worker's secrets with \`wrangler secret list --env production\` (${why}). ` +
        'Be online and logged in (`npx wrangler login`), then set them: ' +
        REQUIRED_SECRETS.map((s) => `\`npx wrangler secret put ${s} --env production\``).join(', '),
    ];
  }
  let names;
  try {
    names = JSON.parse(out.slice(out.indexOf('['))).map((s) => s.name);
  } catch {
    return [`could not read the output of \`wrangler secret list\`: ${out.slice(0, 200)}`];
  }
  return REQUIRED_SECRETS.filter((s) => !names.includes(s)).map((s) => `secret ${s} is not set on the production worker: \`npx wrangler secret put ${s} --env production\``);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = new Set(process.argv.slice(2));
  const offline = args.has('--offline');
  const assetsOnly = args.has('--assets');
  const config = await configProblems({ checkDatabaseId: !offline && !assetsOnly });
  const problems = assetsOnly ? [] : config.problems;
  if (assetsOnly || offline) problems.push(...(config.assetsDir ? assetProblems(config.assetsDir) : ['[env.production] names no assets directory']));
  if (!assetsOnly && !offline && problems.length === 0) problems.push(...secretProblems());
  if (problems.length) {
    console.error(`deploy refused:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log(`deploy guard: ok (${offline ? 'offline checks: config and assets' : assetsOnly ? 'production assets' : 'config and secrets'})`);
}

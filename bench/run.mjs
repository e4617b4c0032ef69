// `npm run bench`: starts the worker locally (wrangler dev, fresh migrated local D1), measures
// each route against GET /health on the same server in one run, and writes docs/BENCHMARKS.md.
// Scenario modules (bench/*.mjs exporting `run(ctx)`) add their own sections.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT, startLocalWorker } from '../scripts/local-worker.mjs';
import { seedDemo } from '../scripts/demo-seed.mjs';
import { COMPARISON_HEADER, compareWithHealth, formatComparison } from './load.mjs';

const only = process.argv.slice(2);
const PORT = Number(process.env.BENCH_PORT ?? 8790);
const server = await startLocalWorker({ port: PORT });
const ctx = { url: server.url, platformKey: server.platformKey, server };
/** Sections by scenario name, in this order in the file. */
const ORDER = ['foundation', 'offers', 'access', 'bulk', 'widget'];
const sections = new Map();

try {
  // Foundation: the public plan listing against /health.
  if (only.length === 0 || only.includes('foundation')) {
    const demo = await seedDemo({ url: server.url, platformKey: server.platformKey, origins: [] });
    const headers = { Authorization: `Bearer ${demo.tenant.publishable_key}` };
    const plans = await compareWithHealth({ base: server.url, name: 'GET /v1/plans', path: `/v1/plans?product_id=${demo.product.id}`, makeRequest: () => ({ headers }) });
    sections.set('foundation', `## Foundation\n\n${COMPARISON_HEADER}\n${formatComparison(plans)}\n`);
    console.log(`GET /v1/plans: ${plans.route.rps.toFixed(0)} rps vs /health ${plans.health.rps.toFixed(0)} (ratio ${plans.ratio.toFixed(2)})`);
  }
  for (const name of ORDER.slice(1)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const file = join(ROOT, 'bench', `${name}.mjs`);
    if (!existsSync(file)) continue;
    console.log(`Running bench/${name}.mjs…`);
    const mod = await import(file);
    try {
      sections.set(name, await mod.run(ctx));
    } catch (e) {
      sections.set(name, `## ${name}\n\nThe scenario failed in this run: \`${String(e?.message ?? e).slice(0, 300)}\`\n`);
      console.error(e);
    }
  }
} finally {
  await server.stop();
}

const header = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString()} (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}).
Each ratio compares a route with \`GET /health\` (which touches no database) on the same local
worker (\`wrangler dev\`, local D1), measured side by side in one run: rounds alternate between
the two and the median round of each is kept. Local D1 is SQLite in the same process, so the
ratios show the worker's own cost; at the edge every D1 round trip adds network latency, which is
why the round-trip counts are reported per route.
`;
const path = join(ROOT, 'docs', 'BENCHMARKS.md');
// A partial run (`npm run bench -- offers`) replaces only its own sections and keeps the others.
const marker = (name) => [`<!-- bench:${name} -->`, `<!-- /bench:${name} -->`];
const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
const body = ORDER.map((name) => {
  const [open, close] = marker(name);
  if (sections.has(name)) return `${open}\n${sections.get(name).trim()}\n${close}\n`;
  const start = previous.indexOf(open);
  const end = previous.indexOf(close);
  return start >= 0 && end > start ? `${previous.slice(start, end + close.length)}\n` : '';
}).filter(Boolean);
writeFileSync(path, `${header}\n${body.join('\n')}`);
console.log(`Wrote ${path}${only.length > 0 ? ` (sections: ${only.join(', ')}; others kept)` : ''}`);

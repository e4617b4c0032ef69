// `npm start`: builds the widget, runs the worker locally on a migrated local D1 (wrangler dev),
// seeds a demo tenant with a catalog, and prints the URLs and demo keys.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ROOT, startLocalWorker } from './local-worker.mjs';
import { seedDemo } from './demo-seed.mjs';

const PORT = Number(process.env.PORT ?? 8787);
const persistTo = join(ROOT, '.wrangler', 'state');
const demoFile = join(ROOT, '.wrangler', 'demo.json');

// Local secrets live in .dev.vars (gitignored), made once so the demo keys stay valid.
const devVars = join(ROOT, '.dev.vars');
if (!existsSync(devVars)) {
  writeFileSync(devVars, `PLATFORM_KEY=${randomBytes(24).toString('hex')}\nSECRET_DERIVATION_KEY=${randomBytes(32).toString('hex')}\n`);
}
const secrets = Object.fromEntries(
  readFileSync(devVars, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]),
);

console.log('Building the widget…');
execFileSync('npm', ['run', '--silent', 'build:widget'], { cwd: ROOT, stdio: 'inherit' });

console.log('Starting the worker on a migrated local D1…');
mkdirSync(persistTo, { recursive: true });
const server = await startLocalWorker({ port: PORT, persistTo, secrets, quiet: false });
const url = `http://localhost:${PORT}`;

let demo = existsSync(demoFile) ? JSON.parse(readFileSync(demoFile, 'utf8')) : null;
if (demo) {
  const check = await fetch(`${server.url}/admin/v1/products`, { headers: { Authorization: `Bearer ${demo.tenant.secret_key}` } });
  if (!check.ok) demo = null;
}
if (!demo) {
  demo = await seedDemo({ url: server.url, platformKey: secrets.PLATFORM_KEY, origins: [url, `http://127.0.0.1:${PORT}`] });
  writeFileSync(demoFile, JSON.stringify(demo, null, 2));
}
mkdirSync(join(ROOT, 'public', 'demo'), { recursive: true });
writeFileSync(
  join(ROOT, 'public', 'demo', 'config.json'),
  JSON.stringify({ apiBase: url, publishableKey: demo.tenant.publishable_key, productId: demo.product.id, userToken: demo.userToken }, null, 2),
);

console.log(`
offer-checkout is running.

  Demo publisher page   ${url}/
  Widget module         ${url}/widget/offer-checkout.js
  API docs              ${url}/docs   (OpenAPI: ${url}/openapi.json)
  Health                ${url}/health

  Demo tenant           ${demo.tenant.id} (${demo.tenant.name}, time zone ${demo.tenant.time_zone})
  Secret key (admin)    ${demo.tenant.secret_key}
  Publishable key       ${demo.tenant.publishable_key}
  User-token secret     ${demo.tenant.user_token_secret}
  Demo user token       ${demo.userToken}
  Demo product          ${demo.product.id}
  Demo codes            ${demo.offers.map((o) => o.code).filter(Boolean).join(', ') || '(none)'}
  Platform key          ${secrets.PLATFORM_KEY}   (from .dev.vars)

Try: curl -H "Authorization: Bearer ${demo.tenant.publishable_key}" ${url}/v1/plans
Press Ctrl-C to stop.
`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await new Promise(() => {});

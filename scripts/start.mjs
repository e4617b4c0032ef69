// `npm start`: builds the front ends (`npm run build`), runs the worker locally on a migrated
// local D1 (wrangler dev), seeds a demo tenant with a catalog the first time, and prints the URLs
// and the demo keys.
//
// - Local secrets (PLATFORM_KEY, SECRET_DERIVATION_KEY) are generated once into .dev.vars
//   (gitignored, mode 0600) so the demo keys stay valid across starts; they reach wrangler
//   through an env file (scripts/local-worker.mjs), never on its command line.
// - The demo user token is signed afresh at every start (valid 30 days), so the demo page keeps
//   working however old the demo tenant is.
// - Ctrl-C, SIGTERM or SIGHUP (to this process or to the npm running it), or the npm parent
//   going away, stop wrangler and workerd (their whole process group) before exiting.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ROOT, startLocalWorker } from './local-worker.mjs';
import { seedDemo, signUserToken } from './demo-seed.mjs';

const PORT = Number(process.env.PORT ?? 8787);
const persistTo = join(ROOT, '.wrangler', 'state');
const demoFile = join(ROOT, '.wrangler', 'demo.json');

let server;
let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await server?.stop();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(0));
// npm may be killed without passing a signal on (SIGKILL): watch it and the `sh -c` between it and
// this process (npm runs scripts through a shell), and stop when either is gone.
const parentOf = (pid) => {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
  } catch {
    return 0; // no /proc (macOS): the direct parent is still watched
  }
};
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};
const watched = [process.ppid, parentOf(process.ppid)].filter((pid) => pid > 1);
setInterval(() => {
  if (process.ppid === 1 || watched.some((pid) => !alive(pid))) stop(0);
}, 1000).unref();

const devVars = join(ROOT, '.dev.vars');
if (!existsSync(devVars)) {
  writeFileSync(devVars, `PLATFORM_KEY=${randomBytes(24).toString('hex')}\nSECRET_DERIVATION_KEY=${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
}
chmodSync(devVars, 0o600);
const secrets = Object.fromEntries(
  readFileSync(devVars, 'utf8')
    .split('\n')
    .filter((l) => /^\s*[A-Z_][A-Z0-9_]*\s*=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim().replace(/^"(.*)"$/, '$1')]),
);
for (const name of ['PLATFORM_KEY', 'SECRET_DERIVATION_KEY']) {
  if (!secrets[name]) {
    console.error(`.dev.vars has no ${name}: add it, or delete .dev.vars to have new local secrets generated.`);
    process.exit(1);
  }
}

try {
  console.log('Building the widget, the console and the API reference UI…');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });

  console.log('Starting the worker on a migrated local D1…');
  mkdirSync(persistTo, { recursive: true });
  server = await startLocalWorker({ port: PORT, persistTo, secrets, quiet: false });
} catch (e) {
  console.error(`npm start failed: ${e.message}`);
  await stop(1);
}
const url = `http://localhost:${PORT}`;

let demo = existsSync(demoFile) ? JSON.parse(readFileSync(demoFile, 'utf8')) : null;
if (demo) {
  const check = await fetch(`${server.url}/admin/v1/products`, { headers: { Authorization: `Bearer ${demo.tenant.secret_key}` } });
  if (!check.ok) demo = null;
}
if (!demo) {
  try {
    demo = await seedDemo({ url: server.url, platformKey: secrets.PLATFORM_KEY, origins: [url, `http://127.0.0.1:${PORT}`] });
  } catch (e) {
    console.error(`could not seed the demo tenant: ${e.message}`);
    await stop(1);
  }
}
// A fresh demo user token at every start.
demo.userToken = signUserToken(demo.tenant.user_token_secret, { sub: 'demo-user-1', email: 'reader@example.com', email_verified: true });
writeFileSync(demoFile, JSON.stringify(demo, null, 2), { mode: 0o600 });
// The demo page's configuration: local only (public/demo/ is gitignored, and the production
// asset directory dist/assets/ never contains it: scripts/build.mjs, scripts/deploy-guard.mjs).
mkdirSync(join(ROOT, 'public', 'demo'), { recursive: true });
writeFileSync(
  join(ROOT, 'public', 'demo', 'config.json'),
  JSON.stringify({ apiBase: url, publishableKey: demo.tenant.publishable_key, productId: demo.product.id, userToken: demo.userToken }, null, 2),
);
const hasConsole = existsSync(join(ROOT, 'public', 'console', 'index.html'));

console.log(`
offer-checkout is running.

  Demo publisher page   ${url}/
  Publisher console     ${hasConsole ? `${url}/console/   (sign in with the secret key below)` : '(not built: no console/ yet)'}
  Widget module         ${url}/widget/offer-checkout.js
  API reference         ${url}/docs   (OpenAPI: ${url}/openapi.json)
  Health                ${url}/health

  Demo tenant           ${demo.tenant.id} (${demo.tenant.name}, time zone ${demo.tenant.time_zone})
  Secret key (admin)    ${demo.tenant.secret_key}
  Publishable key       ${demo.tenant.publishable_key}
  User-token secret     ${demo.tenant.user_token_secret}
  Demo user token       ${demo.userToken}
  Demo product          ${demo.product.id}
  Demo codes            ${demo.offers.map((o) => o.code).filter(Boolean).join(', ') || '(none)'}
  Platform key          ${secrets.PLATFORM_KEY}   (from .dev.vars)

Cron sweeps run every minute (npm start triggers them; wrangler dev alone does not).
Try: curl -H "Authorization: Bearer ${demo.tenant.publishable_key}" ${url}/v1/plans
Press Ctrl-C to stop.
`);

// wrangler dev does not run cron triggers by itself: fire the scheduled handler every minute, as
// the `* * * * *` cron does in production (hold expiry, stalled jobs, webhook retries).
setInterval(() => {
  fetch(`${server.url}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('* * * * *')}`).catch(() => {});
}, 60_000).unref();

// Keep running until a signal (above); wrangler exiting on its own ends `npm start` too.
server.child.once('exit', (code) => {
  if (!stopping) {
    console.error(`wrangler dev exited (${code}); stopping.`);
    stop(1);
  }
});
await new Promise(() => {});

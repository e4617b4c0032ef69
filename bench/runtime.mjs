// The lean local runtime of the benchmarks (docs/BENCHMARKS.md): the worker bundled by wrangler
// (`wrangler deploy --dry-run`, the bundle a deploy would ship) and run by Miniflare's
// programmatic API on one workerd process, with real local D1, R2, Queues and Durable Objects
// from wrangler.toml, but none of `wrangler dev`'s proxy stack. Beside it, the floor: a trivial
// worker on bare workerd (a generated capnp config, no Miniflare), so a run can say how close
// the runtime itself comes to the bare runtime.
//
// Server CPU is read from /proc: the user + system time of the workerd process(es) serving the
// worker, so the load generator's own CPU (this Node process) is never counted.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const wranglerRequire = createRequire(join(ROOT, 'node_modules', 'wrangler', 'package.json'));

export const BENCH_SECRETS = { PLATFORM_KEY: 'bench-platform-key', SECRET_DERIVATION_KEY: 'bench-derivation-key' };

/** Options of wrangler.toml that the lean runtime takes over (bindings and the worker's settings). */
const TAKEN = ['compatibilityDate', 'compatibilityFlags', 'bindings', 'd1Databases', 'r2Buckets', 'queueProducers', 'queueConsumers', 'durableObjects', 'ratelimits', 'cronTriggers'];

/** The placeholder worker that carries the worker's direct socket when assets are served. */
const DIRECT = 'direct-socket';

const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s.

/** CPU milliseconds (user + system) of the processes with these pids, from /proc. */
export function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {}
  }
  return (ticks * 1000) / CLK_TCK;
}

/** Every descendant pid of `pid` whose command is workerd. */
function workerdPids(pid) {
  const out = [];
  const walk = (p) => {
    let children = [];
    try {
      children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {}
    for (const c of children) {
      try {
        if (readFileSync(`/proc/${c}/comm`, 'utf8').trim() === 'workerd') out.push(c);
      } catch {}
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Bundles the worker as a deploy would (top-level wrangler.toml environment) into `outdir`. */
export function bundleWorker(outdir) {
  execFileSync(join(BIN, 'wrangler'), ['deploy', '--dry-run', '--outdir', outdir], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PATH: `${BIN}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG: 'error' },
  });
  return join(outdir, 'index.js');
}

/** Applies migrations/*.sql (drizzle-kit's statement breakpoints) to a D1 binding. */
export async function applyMigrations(db) {
  const files = readdirSync(join(ROOT, 'migrations')).filter((f) => f.endsWith('.sql')).sort();
  for (const f of files) {
    const statements = readFileSync(join(ROOT, 'migrations', f), 'utf8')
      .split('--> statement-breakpoint')
      .map((s) => s.trim())
      .filter(Boolean);
    await db.batch(statements.map((s) => db.prepare(s)));
  }
}

/**
 * Starts the worker on the lean runtime on a fresh, migrated local D1 (nothing seeded).
 * `bindings` are added to the worker's vars (the bench sets EXPOSE_ROUND_TRIPS=1).
 * `inspectorPort` (0: any free port) opens workerd's inspector on 127.0.0.1; its HTTP address is
 * returned as `inspectorUrl`.
 *
 * `assets: true` also serves ./public as wrangler.toml's `[assets]` configures it (the ASSETS
 * binding, `run_worker_first`): Miniflare's asset services, the same ones `wrangler dev` runs.
 * `url` (on `port`) then reaches the worker through them: Miniflare points the worker's default
 * socket at its asset RPC proxy worker, which hands each request to the router worker, which
 * sends `run_worker_first` paths to the worker and everything else to the asset worker, as
 * production's asset router does. The worker keeps a direct socket of its own beside it,
 * `directUrl` (on `directPort`, any free port by default). Without assets (the default) there is
 * one socket, the worker's own, and `directUrl` is `url`.
 */
export async function startLeanRuntime({ port = 0, bindings = {}, quiet = true, inspectorPort, assets = false, directPort = 0 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'offer-checkout-bench-'));
  let mf;
  try {
    const script = bundleWorker(join(dir, 'bundle'));
    const wrangler = await import(wranglerRequire.resolve('wrangler'));
    const { Miniflare, convertV4MiniflareOptions, Log, LogLevel } = await import(wranglerRequire.resolve('miniflare'));
    const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(join(ROOT, 'wrangler.toml'));
    const taken = Object.fromEntries(TAKEN.filter((k) => workerOptions[k] !== undefined).map((k) => [k, workerOptions[k]]));
    if (assets && !workerOptions.assets) throw new Error('wrangler.toml has no [assets] to serve');
    const before = new Set(workerdPids(process.pid));
    mf = new Miniflare(
      convertV4MiniflareOptions({
        host: '127.0.0.1',
        port: 0,
        cf: false,
        logRequests: false,
        log: new Log(quiet ? LogLevel.ERROR : LogLevel.INFO),
        resourcePersistencePath: join(dir, 'state'),
        ...(inspectorPort !== undefined ? { inspectorPort, inspectorHost: '127.0.0.1' } : {}),
        workers: [
          {
            name: 'offer-checkout',
            // Requests reach the worker on its own socket, not through Miniflare's entry worker
            // (which costs about as much again as a trivial worker: measured in docs/BENCHMARKS.md).
            // With assets, Miniflare points this socket at its asset RPC proxy instead.
            unsafeDirectSockets: [{ host: '127.0.0.1', port }],
            modules: true,
            scriptPath: script,
            modulesRoot: dirname(script),
            ...taken,
            ...(assets ? { assets: workerOptions.assets } : {}),
            bindings: { ...(taken.bindings ?? {}), ...BENCH_SECRETS, ...bindings },
          },
          // With assets, the worker's own socket: Miniflare sends a worker's default direct socket
          // to the asset proxy when that worker has assets, but a socket declared on another worker
          // with `serviceName` goes straight to the named worker. This placeholder only carries it.
          ...(assets
            ? [
                {
                  name: DIRECT,
                  modules: true,
                  script: 'export default { fetch() { return new Response(null, { status: 404 }); } };',
                  compatibilityDate: taken.compatibilityDate,
                  unsafeDirectSockets: [{ host: '127.0.0.1', port: directPort, serviceName: 'offer-checkout' }],
                },
              ]
            : []),
        ],
      }),
    );
    await mf.ready;
    const url = (await mf.unsafeGetDirectURL('offer-checkout')).href.replace(/\/$/, '');
    const directUrl = assets ? (await mf.unsafeGetDirectURL(DIRECT)).href.replace(/\/$/, '') : url;
    // workerd's inspector: /json lists one target per isolate; the worker's is `core:user:offer-checkout`.
    const inspectorUrl = inspectorPort !== undefined ? `http://127.0.0.1:${(await mf.getInspectorURL()).port}` : undefined;
    await applyMigrations(await mf.getD1Database('DB'));
    // Only this runtime's workerd (another runtime or the floor may run beside it).
    const pids = workerdPids(process.pid).filter((p) => !before.has(p));
    return {
      url,
      directUrl,
      platformKey: BENCH_SECRETS.PLATFORM_KEY,
      runtime: assets
        ? "Miniflare's programmatic API: one workerd process, no wrangler dev proxy, ./public served by Miniflare's asset router in front of the worker (wrangler.toml's [assets] and run_worker_first), the worker also on a direct socket"
        : "Miniflare's programmatic API: one workerd process, the worker on a direct socket, no wrangler dev proxy",
      assets,
      inspectorUrl,
      pids,
      cpuMs: () => cpuMs(pids),
      stop: async () => {
        await mf.dispose().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    // A failed start (a port in use, a bundle that does not build) leaves nothing behind.
    await mf?.dispose().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The floor: a worker that only answers {"ok":true}, on bare workerd with a generated config. */
export async function startFloor({ port }) {
  const dir = mkdtempSync(join(tmpdir(), 'offer-checkout-floor-'));
  writeFileSync(join(dir, 'floor.js'), `export default { fetch() { return new Response('{"ok":true}', { headers: { 'Content-Type': 'application/json' } }); } };\n`);
  writeFileSync(
    join(dir, 'floor.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .floor) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const floor :Workerd.Worker = (
  modules = [ (name = "floor", esModule = embed "floor.js") ],
  compatibilityDate = "2026-11-01",
);
`,
  );
  const workerd = wranglerRequire.resolve('workerd/bin/workerd');
  const child = spawn(workerd, ['serve', join(dir, 'floor.capnp')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {}
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('the bare workerd floor did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    runtime: 'bare workerd (generated capnp config)',
    pids: [child.pid],
    cpuMs: () => cpuMs([child.pid]),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


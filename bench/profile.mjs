// `node bench/profile.mjs [route-kind] [seconds]`: a CPU profile of one hot route on the lean
// runtime, through the worker isolate's inspector (Profiler.start/stop over CDP), while the
// route is under load at 32 connections. Writes .bench/<kind>.cpuprofile (open it in any
// Chrome DevTools) and prints the functions with the most self time.
// Kinds: quote-cache, quote-d1, listing, access, checkout, claim (bench/hot-routes.mjs); a kind
// with several routes takes its first, or the n-th with `kind:n` (quote-cache:2 = with a code).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startLeanRuntime } from './runtime.mjs';
import { hotRoutes, measureWithCpu, seed } from './hot-routes.mjs';

const [kind, nth = '1'] = (process.argv[2] ?? 'quote-cache').split(':');
const seconds = Number(process.argv[3] ?? 5);
const inspectorPort = 9329;
const server = await startLeanRuntime({ port: 8797, inspectorPort });

async function session() {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const target = targets.find((t) => t.title?.includes('offer-checkout') || t.id?.includes('offer-checkout')) ?? targets[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r, j) => {
    ws.onopen = r;
    ws.onerror = j;
  });
  let id = 0;
  const pending = new Map();
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  };
  const send = (method, params = {}) =>
    new Promise((r) => {
      const n = ++id;
      pending.set(n, r);
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  return { send, close: () => ws.close() };
}

try {
  const s = await seed({ url: server.url, platformKey: server.platformKey }, { ranges: kind === 'access' ? 100_000 : 10 });
  const route = hotRoutes(s).filter((r) => r.kind === kind)[Number(nth) - 1];
  if (!route) throw new Error(`no route of kind ${kind}`);
  const make = route.prepare ? route.prepare() : route.make;
  await measureWithCpu(server, { path: route.path, connections: 32, make, seconds: 2 }); // warm up
  const cdp = await session();
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  const m = await measureWithCpu(server, { path: route.path, connections: 32, make: route.prepare ? route.prepare() : route.make, seconds });
  const { result } = await cdp.send('Profiler.stop');
  cdp.close();
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  const file = join(ROOT, '.bench', `${kind}-${nth}.cpuprofile`);
  writeFileSync(file, JSON.stringify(result.profile));
  // Self time per function (samples × interval), top 25.
  const { nodes, samples, timeDeltas } = result.profile;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const self = new Map();
  samples.forEach((sid, i) => {
    const n = byId.get(sid);
    const cf = n.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').pop()}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`${route.name}: ${m.rps.toFixed(0)} rps, ${m.cpuPerRequest.toFixed(3)} ms CPU/request; profile ${file}`);
  for (const [k, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
} finally {
  await server.stop();
}

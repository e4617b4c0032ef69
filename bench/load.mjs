// A small closed-loop load generator over keep-alive HTTP (loopback only, bounded in time).
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function once(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    // A body goes with its Content-Length, as a browser's fetch sends it (Node would otherwise
    // send it chunked, which no browser does and which costs the server a streamed read).
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const sent = payload === undefined ? headers : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)), ...headers };
    const req = http.request(
      { hostname: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: sent, agent },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export { once as request };

/** An API call with a key: the parsed JSON answer, or an error naming the status and body. */
export async function apiJson(base, method, path, key, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res.json();
}

/**
 * Runs `concurrency` request loops for `seconds` and reports requests per second, latency
 * percentiles and the status codes seen. `makeRequest(i)` may vary the request per call.
 */
export async function measure({ url, seconds = 3, concurrency = 32, makeRequest = () => ({}) }) {
  const latencies = [];
  const statuses = {};
  let count = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = performance.now();
  let i = 0;
  async function loop() {
    while (Date.now() < deadline) {
      const t = performance.now();
      const res = await once(url, makeRequest(i++));
      latencies.push(performance.now() - t);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      count++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { rps: count / elapsed, count, p50: pct(50), p99: pct(99), statuses };
}

/**
 * Measures a route against GET /health on the same server, interleaved in rounds so both see
 * the same machine conditions; returns the medians and the ratio.
 */
export async function compareWithHealth({ base, name, path, rounds = 3, seconds = 3, concurrency = 32, makeRequest }) {
  const health = [];
  const route = [];
  for (let r = 0; r < rounds; r++) {
    health.push(await measure({ url: `${base}/health`, seconds, concurrency }));
    route.push(await measure({ url: `${base}${path}`, seconds, concurrency, makeRequest }));
  }
  const median = (xs) => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)];
  const h = median(health);
  const m = median(route);
  return { name, health: h, route: m, ratio: m.rps / h.rps };
}

export function formatComparison(c, target = 0.5) {
  const ok = c.ratio >= target;
  return `| ${c.name} | ${c.route.rps.toFixed(0)} | ${c.health.rps.toFixed(0)} | **${c.ratio.toFixed(2)}** | ${ok ? 'meets' : 'misses'} ≥ ${target} | ${c.route.p50.toFixed(1)} / ${c.route.p99.toFixed(1)} ms | ${JSON.stringify(c.route.statuses)} |`;
}

export const COMPARISON_HEADER = `| route | route rps | /health rps | ratio | target | route p50 / p99 | statuses |
| --- | ---: | ---: | ---: | --- | --- | --- |`;

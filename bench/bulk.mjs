// Bulk work at size (docs/jobs.md): a 1,000,000-row eligible-user list uploaded (generated on the
// fly, streamed, never held in memory on either side) and processed end to end, and a
// 1,000,000-code set, on the lean runtime (bench/runtime.mjs: workerd with local D1, R2 and
// Queues, the worker on a direct socket, its inspector open). Reports seconds, rows/s, codes/s,
// the worker isolate's V8 heap (through the inspector) and the workerd process's peak memory (RSS
// sampled from /proc).
//
// `npm run bench` calls run(ctx) with the runtime as ctx.server (its pids and inspectorUrl);
// `node_modules/.bin/node bench/bulk.mjs [rows] [codes]` runs it alone on a fresh lean runtime.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROWS = 1_000_000;
const CODES = 1_000_000;
// A smaller run for a quick check (BULK_BENCH_ROWS=100000 npm run bench -- bulk); the section says
// the size it ran at.
const ENV_ROWS = Number(process.env.BULK_BENCH_ROWS ?? ROWS);
const ENV_CODES = Number(process.env.BULK_BENCH_CODES ?? CODES);

const day = (offset = 0) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function api(url, method, path, key, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      if (res.status === 503 && attempt < 10) throw new Error('503');
      return { status: res.status, json: text ? JSON.parse(text) : undefined, text };
    } catch (e) {
      if (attempt >= 10) throw e;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Memory of the runtime's workerd process (its pid comes with the runtime: bench/runtime.mjs)
// ---------------------------------------------------------------------------------------------

const rssBytes = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};

function memorySampler(pids) {
  let peak = 0;
  let baseline = 0;
  const sample = () => {
    const total = pids.reduce((s, pid) => s + rssBytes(pid), 0);
    if (baseline === 0) baseline = total;
    peak = Math.max(peak, total);
  };
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peak, baseline };
    },
  };
}

const mib = (b) => (b / 2 ** 20).toFixed(0);

// ---------------------------------------------------------------------------------------------
// The worker isolate's own V8 heap (what the 128 MB limit is about), through workerd's inspector
// (the runtime's `inspectorUrl`): Runtime.getHeapUsage on the worker's isolate
// (`core:user:offer-checkout`, which also runs the queue consumer) every 100 ms.
// ---------------------------------------------------------------------------------------------

async function isolateHeapSampler(inspectorUrl) {
  if (!inspectorUrl) return null;
  const targets = await (await fetch(`${inspectorUrl}/json`, { signal: AbortSignal.timeout(5000) })).json();
  const target = targets.find((t) => t.id === 'core:user:offer-checkout');
  if (!target) return null;
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  let peak = 0;
  let baseline = 0;
  const pending = new Map();
  ws.onmessage = (event) => {
    let msg;
    try {
      msg = JSON.parse(String(event.data));
    } catch {
      return;
    }
    pending.get(msg.id)?.(msg.result);
    pending.delete(msg.id);
  };
  const sample = () =>
    new Promise((resolve) => {
      const n = ++id;
      pending.set(n, (result) => {
        if (result?.usedSize !== undefined) {
          if (baseline === 0) baseline = result.usedSize;
          peak = Math.max(peak, result.usedSize);
        }
        resolve();
      });
      ws.send(JSON.stringify({ id: n, method: 'Runtime.getHeapUsage' }));
      setTimeout(resolve, 1000);
    });
  await sample();
  const timer = setInterval(sample, 100);
  return {
    reset() {
      peak = 0;
      baseline = 0;
      return sample();
    },
    async read() {
      await sample();
      return { peak, baseline };
    },
    close() {
      clearInterval(timer);
      ws.close();
    },
  };
}

const heapCell = (h) => (h ? `${(h.baseline / 2 ** 20).toFixed(1)} → **${(h.peak / 2 ** 20).toFixed(1)} MiB**` : 'not measured');

// ---------------------------------------------------------------------------------------------
// The upload: a CSV generated on the fly with an exact Content-Length
// ---------------------------------------------------------------------------------------------

// Rows in a scrambled order (a permutation of 0..rows-1), as a real export from a CRM would be:
// sorted ids would make every index insert an append and flatter the numbers.
let permute = (i) => i;
const scrambled = (rows) => {
  const p = 999_983; // prime, so i -> i * p mod rows is a permutation unless rows is a multiple of p
  permute = rows % p === 0 ? (i) => i : (i) => Number((BigInt(i) * BigInt(p) + 12_345n) % BigInt(rows));
};
const rowOf = (i) => {
  const id = String(permute(i)).padStart(7, '0');
  return `u${id},user${id}@example.com\n`;
};
const HEADER = 'user_id,email\n';

function csvLength(rows) {
  scrambled(rows);
  let n = HEADER.length;
  for (let i = 0; i < rows; i++) n += rowOf(i).length;
  return n;
}

function putCsv(url, path, key, rows) {
  const length = csvLength(rows);
  const target = new URL(`${url}${path}`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'PUT',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'text/csv', 'Content-Length': length },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text, bytes: length }));
      },
    );
    req.on('error', reject);
    let i = 0;
    const write = () => {
      while (i <= rows) {
        let chunk = '';
        if (i === 0) chunk += HEADER;
        const end = Math.min(rows, i + 10_000);
        for (let k = Math.max(0, i === 0 ? 0 : i); k < end; k++) chunk += rowOf(k);
        i = end === rows ? rows + 1 : end;
        if (!req.write(chunk)) return req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

async function waitForJob(url, key, jobId, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    const res = await api(url, 'GET', `/admin/v1/jobs/${jobId}`, key);
    last = res.json;
    if (last?.status === 'succeeded' || last?.status === 'failed') return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${jobId} did not finish in ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

export async function run({ url, platformKey, server, rows = ENV_ROWS, codes = ENV_CODES }) {
  const pids = server?.pids ?? [];
  const tenant = (await api(url, 'POST', '/platform/v1/tenants', platformKey, { name: 'Bulk bench' })).json;
  const key = tenant.secret_key;
  const product = (await api(url, 'POST', '/admin/v1/products', key, { name: 'Bench product' })).json;
  await api(url, 'POST', '/admin/v1/plans', key, { product_id: product.id, name: 'Monthly', duration: '1m', price: 10_000, currency: 'INR' });
  const offerBody = {
    discount: { type: 'percent', value: 10 },
    applies_to: { product_ids: [product.id], durations: ['1m'] },
    starts_at: day(0),
    ends_at: day(30),
    discoverability: 'public',
  };

  // 1. Eligible-user list.
  const listOffer = await api(url, 'POST', '/admin/v1/offers', key, { ...offerBody, code: `BENCH${Date.now().toString(36).toUpperCase()}`, eligibility: 'list' });
  if (listOffer.status !== 201) throw new Error(`offer: ${listOffer.text}`);
  const heap = await isolateHeapSampler(server?.inspectorUrl).catch(() => null);
  const memory = memorySampler(pids);
  await heap?.reset();
  const t0 = performance.now();
  const upload = await putCsv(url, `/admin/v1/offers/${listOffer.json.id}/eligible-users`, key, rows);
  const tUploaded = performance.now();
  if (upload.status !== 202) throw new Error(`upload: ${upload.status} ${upload.text}`);
  const listJob = await waitForJob(url, key, JSON.parse(upload.text).job.id, 300_000);
  const t1 = performance.now();
  const listMemory = memory.stop();
  const listHeap = heap ? await heap.read() : null;
  if (listJob.status !== 'succeeded' || listJob.processed !== rows) throw new Error(`list job: ${JSON.stringify(listJob)}`);
  const offerAfter = (await api(url, 'GET', `/admin/v1/offers/${listOffer.json.id}`, key)).json;
  console.log(`list: ${rows} rows in ${((t1 - t0) / 1000).toFixed(1)} s (upload ${((tUploaded - t0) / 1000).toFixed(1)} s), RSS peak ${mib(listMemory.peak)} MiB, isolate heap peak ${listHeap ? mib(listHeap.peak) : 'n/a'} MiB`);

  // 2. Code set.
  const memory2 = memorySampler(pids);
  await heap?.reset();
  const t2 = performance.now();
  const setOffer = await api(url, 'POST', '/admin/v1/offers', key, { ...offerBody, code_set: { count: codes, prefix: 'B' }, eligibility: 'all' });
  if (setOffer.status !== 201) throw new Error(`code set offer: ${setOffer.text}`);
  const codeJob = await waitForJob(url, key, setOffer.json.job.id, 300_000);
  const t3 = performance.now();
  const codeMemory = memory2.stop();
  const codeHeap = heap ? await heap.read() : null;
  heap?.close();
  if (codeJob.status !== 'succeeded' || codeJob.processed !== codes) throw new Error(`code job: ${JSON.stringify(codeJob)}`);
  console.log(`codes: ${codes} in ${((t3 - t2) / 1000).toFixed(1)} s, RSS peak ${mib(codeMemory.peak)} MiB, isolate heap peak ${codeHeap ? mib(codeHeap.peak) : 'n/a'} MiB`);

  // 3. The code export, streamed.
  const t4 = performance.now();
  const csv = await fetch(`${url}/admin/v1/offers/${setOffer.json.id}/codes.csv`, { headers: { Authorization: `Bearer ${key}` } });
  let exportBytes = 0;
  let exportLines = 0;
  let exportError = null;
  try {
    for await (const chunk of csv.body) {
      exportBytes += chunk.byteLength;
      for (const b of chunk) if (b === 10) exportLines++;
    }
  } catch (e) {
    exportError = String(e?.cause?.message ?? e?.message ?? e);
  }
  const t5 = performance.now();
  console.log(`export: ${exportLines} lines, ${exportBytes} bytes in ${((t5 - t4) / 1000).toFixed(1)} s${exportError ? ` (cut: ${exportError})` : ''}`);

  const listSeconds = (t1 - t0) / 1000;
  const codeSeconds = (t3 - t2) / 1000;
  const exportSeconds = (t5 - t4) / 1000;
  const lines = [
    `## Bulk jobs`,
    ``,
    `On the lean runtime (the deploy bundle on Miniflare's programmatic API, one workerd process with local`,
    `D1, R2 and Queues, the worker on a direct socket; a fresh database of its own).${rows !== ROWS || codes !== CODES ? ' **A reduced run** (BULK_BENCH_ROWS / BULK_BENCH_CODES), not the default million.' : ''} Chunks of 1,000 rows`,
    `(2,000 codes) per D1 transaction, each bound as one JSON value and expanded with \`json_each(?)\`.`,
    `Memory: the worker isolate's V8 heap (\`Runtime.getHeapUsage\` through workerd's inspector on the`,
    `worker's isolate, every 100 ms; this is what the 128 MB isolate limit is about), and the resident`,
    `set of the whole workerd process (from /proc), which also holds local D1 (SQLite and its cache for`,
    `the rows), R2 and the queue.`,
    ``,
    `| scenario | size | end to end | throughput | worker isolate heap: before → peak | workerd process RSS: before → peak |`,
    `| --- | ---: | ---: | ---: | ---: | ---: |`,
    `| eligible-user list (\`PUT …/eligible-users\`, ${mib(upload.bytes)} MiB CSV) | ${rows.toLocaleString('en')} rows | ${listSeconds.toFixed(1)} s (upload ${((tUploaded - t0) / 1000).toFixed(1)} s) | ${Math.round(rows / listSeconds).toLocaleString('en')} rows/s | ${heapCell(listHeap)} | ${mib(listMemory.baseline)} → ${mib(listMemory.peak)} MiB |`,
    `| code set (\`POST /admin/v1/offers\` with \`code_set\`) | ${codes.toLocaleString('en')} codes | ${codeSeconds.toFixed(1)} s | ${Math.round(codes / codeSeconds).toLocaleString('en')} codes/s | ${heapCell(codeHeap)} | ${mib(codeMemory.baseline)} → ${mib(codeMemory.peak)} MiB |`,
    `| codes.csv export (streamed) | ${(exportLines - 1).toLocaleString('en')} codes, ${mib(exportBytes)} MiB${exportError ? ` (cut short: ${exportError})` : ''} | ${exportSeconds.toFixed(1)} s | ${Math.round((exportLines - 1) / exportSeconds).toLocaleString('en')} rows/s | | |`,
    ``,
    `The list job ended \`${listJob.status}\` with ${listJob.processed.toLocaleString('en')} rows processed, ${listJob.failed} failed; the offer's`,
    `eligible users: ${offerAfter?.eligible_users ?? offerAfter?.eligible_users_count ?? 'n/a'}. Targets: under 60 s for each.`,
    ``,
  ];
  const section = lines.join('\n');
  console.log(section);
  return section;
}

// Standalone: `node_modules/.bin/node bench/bulk.mjs [rows] [codes]`.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { startLeanRuntime } = await import('./runtime.mjs');
  const server = await startLeanRuntime({ port: Number(process.env.BENCH_PORT ?? 0), inspectorPort: 0 });
  try {
    await run({ url: server.url, platformKey: server.platformKey, server, rows: Number(process.argv[2] ?? ENV_ROWS), codes: Number(process.argv[3] ?? ENV_CODES) });
  } finally {
    await server.stop();
  }
}

// Bulk work at size (docs/jobs.md): a 1,000,000-row eligible-user list uploaded (generated on the
// fly, streamed, never held in memory on either side) and processed end to end, and a
// 1,000,000-code set, on the local worker (wrangler dev: workerd, local D1, R2 and Queues).
// Reports seconds, rows/s, codes/s and the workerd process's peak memory (RSS sampled from /proc).
//
// `npm run bench` calls run(ctx); `npx node bench/bulk.mjs [rows] [codes]` runs it alone on a fresh worker.
import http from 'node:http';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROWS = 1_000_000;
const CODES = 1_000_000;

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
// Memory of the workerd processes under wrangler's process group
// ---------------------------------------------------------------------------------------------

function workerdPids(groupId) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pgrp = Number(fields[2]);
      if (comm.includes('workerd') && (groupId === undefined || pgrp === groupId)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

const rssBytes = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};

function memorySampler(groupId) {
  let peak = 0;
  let baseline = 0;
  const sample = () => {
    const total = workerdPids(groupId).reduce((s, pid) => s + rssBytes(pid), 0);
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
    reset() {
      peak = 0;
      baseline = 0;
      sample();
    },
  };
}

const mib = (b) => (b / 2 ** 20).toFixed(0);

// ---------------------------------------------------------------------------------------------
// The worker isolate's own V8 heap (what the 128 MB limit is about), through wrangler's inspector
// proxy: its port is one of the sockets the process group listens on; Runtime.getHeapUsage
// every 100 ms.
// ---------------------------------------------------------------------------------------------

function listeningPorts(groupId) {
  const inodes = new Set();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== groupId) continue;
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        try {
          const m = /socket:\[(\d+)\]/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
          if (m) inodes.add(m[1]);
        } catch {}
      }
    } catch {}
  }
  const ports = new Set();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f[3] === '0A' && inodes.has(f[9])) ports.add(parseInt(f[1].split(':')[1], 16));
      }
    } catch {}
  }
  return [...ports];
}

async function isolateHeapSampler(groupId) {
  if (groupId === undefined) return null;
  // wrangler's inspector proxy (one `workers` target) answers; workerd's own per-worker
  // targets accept a second client but stay silent while wrangler holds the session.
  let target = null;
  for (const port of listeningPorts(groupId)) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(1000) });
      if (!res.ok) continue;
      const list = await res.json();
      target = list.find((t) => t.description === 'workers') ?? target;
      if (target) break;
    } catch {}
  }
  if (!target) return null;
  const { default: WS } = await import('ws'); // wrangler's own dependency
  const ws = new WS(target.webSocketDebuggerUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  let peak = 0;
  let baseline = 0;
  const pending = new Map();
  ws.on('message', (raw) => {
    let msg;
    try {
      msg = JSON.parse(String(raw));
    } catch {
      return;
    }
    pending.get(msg.id)?.(msg.result);
    pending.delete(msg.id);
  });
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

export async function run({ url, platformKey, server, rows = ROWS, codes = CODES }) {
  const groupId = server?.child?.pid;
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
  const heap = await isolateHeapSampler(groupId).catch(() => null);
  const memory = memorySampler(groupId);
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
  const memory2 = memorySampler(groupId);
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
    `On the local worker (\`wrangler dev\`: workerd with local D1, R2 and Queues). Chunks of 1,000 rows`,
    `(2,000 codes) per D1 transaction, each bound as one JSON value and expanded with \`json_each(?)\`.`,
    `Memory: the worker isolate's V8 heap (\`Runtime.getHeapUsage\` through the inspector, every 100 ms;`,
    `this is what the 128 MB isolate limit is about), and the resident set of the whole workerd`,
    `process, which also holds local D1 (SQLite and its cache for the million rows), R2 and the queue.`,
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

// Standalone: `npx node bench/bulk.mjs [rows] [codes]`.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { startLocalWorker } = await import('../scripts/local-worker.mjs');
  const server = await startLocalWorker({ port: Number(process.env.BENCH_PORT ?? 8795) });
  try {
    await run({ url: server.url, platformKey: server.platformKey, server, rows: Number(process.argv[2] ?? ROWS), codes: Number(process.argv[3] ?? CODES) });
  } finally {
    await server.stop();
  }
}

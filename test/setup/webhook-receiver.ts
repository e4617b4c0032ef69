/**
 * vitest globalSetup (Node): a real local HTTP receiver for webhook tests. The worker under test
 * (inside workerd) POSTs to http://127.0.0.1:<port>/hook/<name>; tests read what arrived from
 * GET /log/<name>. `?fail=N` makes the first N requests to that name answer 500; `?status=S`
 * makes every request answer S. It is also a fake DNS-over-HTTPS resolver (GET /dns-query?name=&type=,
 * JSON API) with a fixed table, so the worker's real resolver code can be pointed at it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Received {
  at: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  answered: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    webhookReceiverPort: number;
  }
}

let server: Server | undefined;

/** The fake resolver's records (type A / AAAA). */
const DNS: Record<string, { A?: string[]; AAAA?: string[] }> = {
  'public.hooks.test': { A: ['93.184.216.34'], AAAA: ['2606:2800:220:1:248:1893:25c8:1946'] },
  'private.hooks.test': { A: ['10.20.30.40'] },
  'metadata.hooks.test': { A: ['169.254.169.254'] },
  'sneaky.hooks.test': { A: ['93.184.216.34'], AAAA: ['::1'] },
};

export default async function setup({ provide }: { provide: (key: 'webhookReceiverPort', value: number) => void }) {
  const log = new Map<string, Received[]>();
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, kind, name] = url.pathname.split('/');
    if (req.method === 'GET' && kind === 'dns-query') {
      const host = (url.searchParams.get('name') ?? '').toLowerCase();
      const type = url.searchParams.get('type') === 'AAAA' ? 'AAAA' : 'A';
      const record = DNS[host];
      const answers = (record?.[type] ?? []).map((data) => ({ name: host, type: type === 'A' ? 1 : 28, TTL: 60, data }));
      res.writeHead(200, { 'content-type': 'application/dns-json' });
      res.end(JSON.stringify({ Status: record ? 0 : 3, Answer: answers }));
      return;
    }
    if (req.method === 'GET' && kind === 'log' && name) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(log.get(name) ?? []));
      return;
    }
    if (req.method === 'POST' && kind === 'hook' && name) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const entries = log.get(name) ?? [];
        log.set(name, entries);
        const fail = Number(url.searchParams.get('fail') ?? 0);
        const fixed = url.searchParams.get('status');
        const answered = fixed ? Number(fixed) : entries.length < fail ? 500 : 200;
        entries.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
        res.writeHead(answered, { 'content-type': 'text/plain' });
        res.end(answered < 300 ? 'ok' : 'nope');
      });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  provide('webhookReceiverPort', (server.address() as AddressInfo).port);
  return async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  };
}

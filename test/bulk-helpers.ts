import { env } from 'cloudflare:test';
import { admin, type TestTenant } from './helpers';

/** Polls a job until it has ended (succeeded or failed). */
export async function waitForJob(tenant: TestTenant, jobId: string, timeoutMs = 20_000): Promise<any> {
  const api = admin(tenant);
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const res = await api.get(`/jobs/${jobId}`);
    if (res.status !== 200) throw new Error(`job ${jobId}: ${res.status} ${res.text}`);
    if (res.json.status === 'succeeded' || res.json.status === 'failed') return res.json;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${res.json.status} after ${timeoutMs} ms: ${res.text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let offerSeq = 0;

/** A minimal offer row written straight to D1 (bulk tests do not depend on the offer API). */
export async function insertOffer(tenant: TestTenant, opts: { state?: 'in_progress' | 'published'; eligibility?: 'all' | 'list' } = {}): Promise<string> {
  const id = `offer_bulk${Date.now().toString(36)}${(offerSeq++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO offers (id, tenant_id, code, discount_type, discount_basis_points, all_products, durations, starts_at, ends_at,
       eligibility, discoverability, state, created_at, updated_at)
     VALUES (?, ?, NULL, 'percent', 1000, 1, '["1m"]', ?, ?, ?, 'private', ?, ?, ?)`,
  )
    .bind(id, tenant.id, now - 1000, now + 86_400_000, opts.eligibility ?? 'list', opts.state ?? 'published', now, now)
    .run();
  return id;
}

export async function offerRow(offerId: string): Promise<{ state: string; eligible_users_count: number }> {
  return (await env.DB.prepare('SELECT state, eligible_users_count FROM offers WHERE id = ?').bind(offerId).first())!;
}

/** Parses a CSV response of ours (no quoted newlines in our own output except where tested). */
export function csvRows(text: string): string[][] {
  return text
    .split('\r\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split(','));
}

import { describe, expect, it } from 'vitest';
import { env, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { app } from '../../worker/app';
import { BASE } from '../helpers';
import { STALLED_AFTER_MS, sweepStalledJobs } from '../../worker/jobs/stalled-jobs';
import type { JobMessage } from '../../worker/jobs/types';
import { admin, createCatalog, createTenant, type TestTenant } from '../helpers';
import { csvRows, insertOffer, offerRow, waitForJob } from '../bulk-helpers';
import { day } from '../offers-helpers';
import { runJob } from '../../worker/jobs/runner';
import { bulkDb } from '../../worker/db/bulk';
import { codeBucket, codeBucketLength, codeEntropyBits, codeRandomLength, generateCodes } from '../../worker/domain/codes';
import { CODE_ALPHABET } from '../../worker/domain/crypto';

async function codeSetOffer(tenant: TestTenant, codeSet: Record<string, unknown>) {
  const { product } = await createCatalog(tenant);
  return admin(tenant).post('/offers', {
    code_set: codeSet,
    discount: { type: 'percent', value: 100 },
    applies_to: { product_ids: [product.id], durations: ['1m'] },
    starts_at: day(0),
    ends_at: day(30),
    eligibility: 'all',
    discoverability: 'private',
  });
}

const storedCodes = async (offerId: string) =>
  (await env.DB.prepare(`SELECT code, kind FROM codes WHERE offer_id = ? ORDER BY code`).bind(offerId).all<{ code: string; kind: string }>()).results;

describe('code sets', () => {
  it('writes the offer and its job in one batch: a failed queue send answers 201 and the sweep starts the job', async () => {
    const tenant = await createTenant();
    const { product } = await createCatalog(tenant);
    const refusingQueue = { send: async () => Promise.reject(new Error('queue unavailable')), sendBatch: async () => Promise.reject(new Error('queue unavailable')) };
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`${BASE}/admin/v1/offers`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${tenant.secret_key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          code_set: { count: 20 },
          discount: { type: 'percent', value: 10 },
          applies_to: { product_ids: [product.id], durations: ['1m'] },
          starts_at: day(0),
          ends_at: day(30),
          eligibility: 'all',
          discoverability: 'private',
        }),
      }),
      { ...env, JOBS_QUEUE: refusingQueue as unknown as Queue<JobMessage> },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body.status).toBe('in_progress');
    expect(body.job).toMatchObject({ status: 'queued', total: 20, offer_id: body.id });
    // The offer and its job exist together.
    const jobRow = await env.DB.prepare('SELECT status, offer_id, tenant_id FROM jobs WHERE id = ?').bind(body.job.id).first();
    expect(jobRow).toEqual({ status: 'queued', offer_id: body.id, tenant_id: tenant.id });
    // The cron's sweep sends the lost message once the job has made no progress for a while.
    const sent: JobMessage[] = [];
    const recording = { send: async (m: JobMessage) => void sent.push(m) } as unknown as Queue<JobMessage>;
    await sweepStalledJobs({ ...env, JOBS_QUEUE: recording }, Date.now() + STALLED_AFTER_MS + 1_000);
    expect(sent).toContainEqual({ jobId: body.job.id, tenantId: tenant.id });
    while ((await runJob(env, body.job.id)) === 'more');
    expect(await offerRow(body.id)).toMatchObject({ state: 'published' });
    expect(await storedCodes(body.id)).toHaveLength(20);
  });

  it('a refused code set writes nothing: no offer without its job', async () => {
    const tenant = await createTenant();
    const before = (await env.DB.prepare('SELECT count(*) AS n FROM offers WHERE tenant_id = ?').bind(tenant.id).first<{ n: number }>())!.n;
    const res = await codeSetOffer(tenant, { count: 0 });
    expect(res.status).toBe(400);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM offers WHERE tenant_id = ?').bind(tenant.id).first<{ n: number }>())!.n).toBe(before);
  });

  it('generates unique single-use codes with the prefix, >= 40 bits from the look-alike-free alphabet, and publishes the offer', async () => {
    const tenant = await createTenant();
    const res = await codeSetOffer(tenant, { count: 250, prefix: 'spring' });
    expect(res.status, res.text).toBe(201);
    expect(res.json.job).toMatchObject({ status: 'queued', total: 250, processed: 0, failed: 0 });
    const job = await waitForJob(tenant, res.json.job.id);
    expect(job).toMatchObject({ status: 'succeeded', total: 250, processed: 250, failed: 0 });
    const codes = await storedCodes(res.json.id);
    expect(codes).toHaveLength(250);
    expect(new Set(codes.map((c) => c.code)).size).toBe(250);
    for (const { code, kind } of codes) {
      expect(kind).toBe('set');
      expect(code).toMatch(/^SPRING[23456789ABCDEFGHJKMNPQRSTVWXYZ]{12}$/); // 2 chunk symbols + 10 random
    }
    expect(await offerRow(res.json.id)).toMatchObject({ state: 'published' });
    const offer = await admin(tenant).get(`/offers/${res.json.id}`);
    expect(offer.json.status).toBe('active');
  });

  it('exports codes.csv with each code and its redemption state', async () => {
    const tenant = await createTenant();
    const res = await codeSetOffer(tenant, { count: 30 });
    await waitForJob(tenant, res.json.job.id);
    const [first] = await storedCodes(res.json.id);
    await env.DB.prepare(`UPDATE codes SET redeemed_by = 'sub_x1', redeemed_at = ? WHERE tenant_id = ? AND code = ?`).bind(Date.parse('2026-01-02T03:04:05Z'), tenant.id, first!.code).run();
    const csv = await admin(tenant).get(`/offers/${res.json.id}/codes.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = csvRows(csv.text);
    expect(rows[0]).toEqual(['code', 'kind', 'status', 'subscription_id', 'user_id', 'product_id', 'plan_id', 'redeemed_at']);
    expect(rows).toHaveLength(31);
    expect(rows[1]).toEqual([first!.code, 'set', 'redeemed', 'sub_x1', '', '', '', '2026-01-02T03:04:05.000Z']);
    expect(rows.slice(2).every((r) => r[2] === 'available' && r[0]!.length === 12)).toBe(true);
    expect((await admin(await createTenant()).get(`/offers/${res.json.id}/codes.csv`)).status).toBe(404);
  });

  it('refuses a bad code_set with the field named', async () => {
    const tenant = await createTenant();
    for (const [codeSet, path] of [
      [{ count: 0 }, 'code_set.count'],
      [{ count: 1_000_001 }, 'code_set.count'],
      [{ count: 5, prefix: 'no-dash' }, 'code_set.prefix'],
      [{ count: 5, prefix: 'A'.repeat(24) }, 'code_set.prefix'],
    ] as const) {
      const res = await codeSetOffer(tenant, codeSet);
      expect(res.status, res.text).toBe(400);
      expect(res.json.errors.map((e: any) => e.path)).toContain(path);
    }
  });

  it('never reuses a code the tenant ever had: collisions are skipped and topped up, resumably', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant, { state: 'in_progress' });
    // A job mid-way: its chunks claim 40 codes written, but only 25 are stored (as if 15 collided).
    const id = `job_codes${Math.random().toString(36).slice(2, 10)}`;
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO jobs (id, tenant_id, kind, status, offer_id, total, processed, cursor, params, created_at, updated_at)
       VALUES (?, ?, 'code_set', 'running', ?, 40, 40, 3, ?, ?, ?)`,
    )
      .bind(id, tenant.id, offerId, JSON.stringify({ count: 40, prefix: 'T', randomLength: 10 }), now, now)
      .run();
    const existing = generateCodes(25, 'T', 10);
    await env.DB.batch(
      existing.map((code) =>
        env.DB.prepare(`INSERT INTO codes (tenant_id, code, offer_id, kind, created_at) VALUES (?, ?, ?, 'set', ?)`).bind(tenant.id, code, offerId, now),
      ),
    );
    while ((await runJob(env, id, { codeChunk: 4, maxChunks: 2 })) === 'more');
    const job = await bulkDb(env.DB).prepare('SELECT status, processed, total FROM jobs WHERE id = ?').bind(id).first();
    expect(job).toEqual({ status: 'succeeded', processed: 40, total: 40 });
    const codes = await storedCodes(offerId);
    expect(codes).toHaveLength(40);
    expect(codes.map((c) => c.code)).toEqual(expect.arrayContaining(existing));
    expect(await offerRow(offerId)).toMatchObject({ state: 'published' });
  });

  it('runs the code set in many chunks, each exactly once, with two runners at once', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant, { state: 'in_progress' });
    const id = `job_codes${Math.random().toString(36).slice(2, 10)}`;
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO jobs (id, tenant_id, kind, status, offer_id, total, params, created_at, updated_at) VALUES (?, ?, 'code_set', 'queued', ?, 101, ?, ?, ?)`,
    )
      .bind(id, tenant.id, offerId, JSON.stringify({ count: 101, prefix: '', randomLength: 10 }), now, now)
      .run();
    await Promise.all([runJob(env, id, { codeChunk: 10 }), runJob(env, id, { codeChunk: 10 })]);
    while ((await runJob(env, id, { codeChunk: 10 })) === 'more');
    expect(await storedCodes(offerId)).toHaveLength(101);
  });
});

describe('generated codes (pure)', () => {
  it('have at least 40 bits of randomness whatever the prefix, and stay within 32 characters', () => {
    for (const prefix of ['', 'A', 'SUMMER2026', 'X'.repeat(23)]) {
      const n = codeRandomLength(prefix);
      expect(codeEntropyBits(n)).toBeGreaterThanOrEqual(40);
      expect(prefix.length + codeBucketLength(prefix) + n).toBeLessThanOrEqual(32);
      const [code] = generateCodes(1, prefix, n);
      expect(code!.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('name their chunk in distinct bucket symbols, so the codes of one chunk are index neighbours', () => {
    const buckets = Array.from({ length: 900 }, (_, i) => codeBucket(i, 2));
    expect(new Set(buckets).size).toBe(900);
    expect(codeBucket(0, 2)).toBe('22');
    expect(codeBucket(5, 0)).toBe('');
    expect(codeBucketLength('')).toBe(2);
    expect(codeBucketLength('X'.repeat(21))).toBe(1);
    expect(codeBucketLength('X'.repeat(23))).toBe(0);
    expect(generateCodes(3, 'P', 10, 'ZZ').every((c) => /^PZZ.{10}$/.test(c))).toBe(true);
  });

  it('use every symbol of the alphabet and no look-alikes', () => {
    const seen = new Set(generateCodes(2000, '', 10).join(''));
    expect([...seen].sort().join('')).toBe([...CODE_ALPHABET].sort().join(''));
    for (const c of '01OIL') expect(seen.has(c)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { admin, createTenant } from '../helpers';
import { insertOffer, waitForJob } from '../bulk-helpers';

describe('GET /admin/v1/jobs/{id}', () => {
  it('answers {id, status, total, processed, failed}, only to the owning tenant', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const res = await admin(tenant).raw('PUT', `/offers/${offerId}/eligible-users`, 'email\na@x.com\n', 'text/csv');
    const job = await waitForJob(tenant, res.json.job.id);
    expect(Object.keys(job)).toEqual(expect.arrayContaining(['id', 'status', 'total', 'processed', 'failed']));
    expect(job).toMatchObject({ kind: 'eligible_users', offer_id: offerId, status: 'succeeded', total: 1, processed: 1, failed: 0 });
    expect(job.finished_at).toMatch(/Z$/);
    const other = admin(await createTenant());
    expect((await other.get(`/jobs/${job.id}`)).status).toBe(404);
    expect((await other.get(`/jobs/${job.id}/errors.csv`)).status).toBe(404);
  });

  it('answers 404 for an unknown job and 400 for a malformed id, as problem+json', async () => {
    const api = admin(await createTenant());
    const unknown = await api.get('/jobs/job_doesnotexist');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await api.get('/jobs/NOT-AN-ID!')).status).toBe(400);
  });

  it('serves errors.csv with only the header when nothing failed, and neutralises formulas in rows', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const ok = await waitForJob(tenant, (await admin(tenant).raw('PUT', `/offers/${offerId}/eligible-users`, 'email\na@x.com\n', 'text/csv')).json.job.id);
    expect((await admin(tenant).get(`/jobs/${ok.id}/errors.csv`)).text).toBe('line,reason,row\r\n');
    const bad = await waitForJob(tenant, (await admin(tenant).raw('PUT', `/offers/${offerId}/eligible-users`, 'email\n=cmd|calc\n', 'text/csv')).json.job.id);
    const text = (await admin(tenant).get(`/jobs/${bad.id}/errors.csv`)).text;
    expect(text).toBe("line,reason,row\r\n2,invalid email,'=cmd|calc\r\n");
  });
});

describe('job failures', async () => {
  const { env } = await import('cloudflare:test');
  const { runJob } = await import('../../worker/jobs/runner');
  const { handleJobBatch, MAX_ATTEMPTS } = await import('../../worker/jobs/consumer');

  async function insertJob(tenantId: string, fields: { kind: string; offerId?: string | null; planId?: string | null; params: string }) {
    const id = `job_fail${Math.random().toString(36).slice(2, 10)}`;
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO jobs (id, tenant_id, kind, status, offer_id, plan_id, input_key, input_bytes, params, created_at, updated_at)
       VALUES (?, ?, ?, 'queued', ?, ?, 'uploads/none.csv', 10, ?, ?, ?)`,
    )
      .bind(id, tenantId, fields.kind, fields.offerId ?? null, fields.planId ?? null, fields.params, now, now)
      .run();
    return id;
  }

  it('fails an import whose plan is gone and a code set whose offer is gone, with the offer marked failed', async () => {
    const tenant = await createTenant();
    const importJob = await insertJob(tenant.id, { kind: 'plan_import', planId: 'plan_gone', params: '{"columns":{"userId":0,"email":null,"columnCount":1}}' });
    expect(await runJob(env, importJob)).toBe('done');
    expect((await admin(tenant).get(`/jobs/${importJob}`)).json.status).toBe('failed');

    const offerId = await insertOffer(tenant, { state: 'in_progress' });
    const listJob = await insertJob(tenant.id, { kind: 'eligible_users', offerId, params: '{"columns":{"userId":0,"email":null,"columnCount":1}}' });
    expect(await runJob(env, listJob)).toBe('done'); // its upload is missing from R2
    expect((await admin(tenant).get(`/jobs/${listJob}`)).json.status).toBe('failed');
    const offer = await admin(tenant).get(`/offers/${offerId}`);
    expect(offer.json.status).toBe('failed');
  });

  it('continues a job that did not finish in one invocation with a fresh message', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const key = `uploads/${tenant.id}/cont.csv`;
    const csv = 'email\n' + Array.from({ length: 30 }, (_, i) => `c${i}@x.com`).join('\n') + '\n';
    await env.UPLOADS.put(key, csv);
    const id = `job_cont${Math.random().toString(36).slice(2, 10)}`;
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO jobs (id, tenant_id, kind, status, offer_id, input_key, input_bytes, byte_offset, line, params, created_at, updated_at)
       VALUES (?, ?, 'eligible_users', 'queued', ?, ?, ?, 6, 2, ?, ?, ?)`,
    )
      .bind(id, tenant.id, offerId, key, csv.length, JSON.stringify({ columns: { userId: null, email: 0, columnCount: 1 } }), now, now)
      .run();
    let acked = 0;
    const batch = {
      queue: 'offer-checkout-jobs',
      messages: [{ id: 'm', timestamp: new Date(), body: { jobId: id, tenantId: tenant.id }, attempts: 1, ack: () => void acked++, retry() {} }],
      ackAll() {},
      retryAll() {},
    } as unknown as MessageBatch<{ jobId: string; tenantId: string }>;
    // This invocation stops after one chunk of 5 rows; the message it sends lets the real consumer finish.
    await handleJobBatch(batch, env, { uploadChunkRows: 5, maxChunks: 1 });
    expect(acked).toBe(1);
    const job = await waitForJob(tenant, id);
    expect(job).toMatchObject({ status: 'succeeded', processed: 30, failed: 0 });
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM eligible_users WHERE offer_id = ?').bind(offerId).first())!.n).toBe(30);
  });

  it('retries a run that throws, and marks the job failed after the last attempt', async () => {
    const tenant = await createTenant();
    const id = await insertJob(tenant.id, { kind: 'eligible_users', offerId: null, params: '{not json' });
    const outcome = { acked: 0, retried: 0 };
    const batch = (attempts: number) =>
      ({
        queue: 'offer-checkout-jobs',
        messages: [
          {
            id: 'm1',
            timestamp: new Date(),
            body: { jobId: id, tenantId: tenant.id },
            attempts,
            ack: () => void outcome.acked++,
            retry: () => void outcome.retried++,
          },
        ],
        ackAll() {},
        retryAll() {},
      }) as unknown as MessageBatch<{ jobId: string; tenantId: string }>;
    await handleJobBatch(batch(1), env);
    expect(outcome).toEqual({ acked: 0, retried: 1 });
    expect((await admin(tenant).get(`/jobs/${id}`)).json.status).toBe('running');
    await handleJobBatch(batch(MAX_ATTEMPTS), env);
    expect(outcome).toEqual({ acked: 1, retried: 1 });
    expect((await admin(tenant).get(`/jobs/${id}`)).json.status).toBe('failed');
  });
});

import { describe, expect, it } from 'vitest';
import { env as testEnv } from 'cloudflare:test';
import { admin, createCatalog, createTenant } from '../helpers';
import { insertOffer, waitForJob } from '../bulk-helpers';
import { runJob as runJobForRace } from '../../worker/jobs/runner';
import { handleJobBatch as handleForRace } from '../../worker/jobs/consumer';
import { STALLED_AFTER_MS, sweepStalledJobs } from '../../worker/jobs/stalled-jobs';
import { SWEEPS } from '../../worker/jobs/sweeps';
import type { JobMessage } from '../../worker/jobs/types';

/** A queue binding that records what is sent (or refuses every send). */
function recordingQueue(fail = false) {
  const sent: JobMessage[] = [];
  return {
    sent,
    queue: {
      send: async (m: JobMessage) => {
        if (fail) throw new Error('queue unavailable');
        sent.push(m);
      },
      sendBatch: async () => {
        if (fail) throw new Error('queue unavailable');
      },
    } as unknown as Queue<JobMessage>,
  };
}

async function codeSetJobRow(tenantId: string, offerId: string, count: number, updatedAt = Date.now()) {
  const id = `job_race${Math.random().toString(36).slice(2, 10)}`;
  await testEnv.DB.prepare(
    `INSERT INTO jobs (id, tenant_id, kind, status, offer_id, total, params, created_at, updated_at) VALUES (?, ?, 'code_set', 'queued', ?, ?, ?, ?, ?)`,
  )
    .bind(id, tenantId, offerId, count, JSON.stringify({ count, prefix: '', randomLength: 10 }), updatedAt, updatedAt)
    .run();
  return id;
}

describe('job chains', () => {
  it('an upload answers 202 with its queued job and a Location, for a list and for a plan import', async () => {
    const tenant = await createTenant();
    const { plans } = await createCatalog(tenant, { durations: ['1m'] });
    const offerId = await insertOffer(tenant);
    const list = await admin(tenant).raw('PUT', `/offers/${offerId}/eligible-users`, 'user_id\nu1\nu2\n', 'text/csv');
    expect(list.status).toBe(202);
    expect(list.headers.get('Location')).toBe(`/admin/v1/jobs/${list.json.job.id}`);
    expect(list.json.job).toMatchObject({ kind: 'eligible_users', status: 'queued', offer_id: offerId, plan_id: null, processed: 0, failed: 0, finished_at: null });
    const imp = await admin(tenant).raw('POST', `/plans/${plans['1m'].id}/imports`, 'user_id\nu1\n', 'text/csv');
    expect(imp.status).toBe(202);
    expect(imp.json.job).toMatchObject({ kind: 'plan_import', status: 'queued', plan_id: plans['1m'].id, offer_id: null, total: 1 });
    expect(await waitForJob(tenant, imp.json.job.id)).toMatchObject({ status: 'succeeded', processed: 1 });
    expect(await waitForJob(tenant, list.json.job.id)).toMatchObject({ status: 'succeeded', processed: 2 });
  });

  it('a run that loses a chunk cursor to another run ends its chain: no message is sent', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant, { state: 'in_progress' });
    const id = await codeSetJobRow(tenant.id, offerId, 50);
    // Another runner takes the cursor just before this run's first chunk commits.
    let raced = false;
    const DB = new Proxy(testEnv.DB, {
      get(target, prop, receiver) {
        if (prop === 'batch') {
          return async (stmts: D1PreparedStatement[]) => {
            if (!raced) {
              raced = true;
              await target.prepare('UPDATE jobs SET cursor = cursor + 1 WHERE id = ?').bind(id).run();
            }
            return target.batch(stmts);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const q = recordingQueue();
    let acked = 0;
    const batch = {
      queue: 'offer-checkout-jobs',
      messages: [{ id: 'm', timestamp: new Date(), body: { jobId: id, tenantId: tenant.id }, attempts: 1, ack: () => void acked++, retry() {} }],
      ackAll() {},
      retryAll() {},
    } as unknown as MessageBatch<JobMessage>;
    await handleForRace(batch, { ...testEnv, DB, JOBS_QUEUE: q.queue }, { codeChunk: 10 });
    expect(raced).toBe(true);
    expect(acked).toBe(1);
    expect(q.sent).toEqual([]);
    expect(await runJobForRace({ ...testEnv, DB }, id, { codeChunk: 10, maxChunks: 1 })).not.toBe('lost'); // a fresh run goes on
  });

  it('the stalled-jobs sweep sends the message of a queued or running job without progress again, and only those', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant, { state: 'in_progress' });
    const now = Date.now();
    const stalled = await codeSetJobRow(tenant.id, offerId, 5, now - STALLED_AFTER_MS - 1_000);
    const recent = await codeSetJobRow(tenant.id, offerId, 5, now - 1_000);
    const done = await codeSetJobRow(tenant.id, offerId, 5, now - STALLED_AFTER_MS - 1_000);
    await testEnv.DB.prepare("UPDATE jobs SET status = 'succeeded' WHERE id = ?").bind(done).run();
    expect(SWEEPS.map((s) => s.name)).toContain('stalled-jobs');
    const q = recordingQueue();
    await sweepStalledJobs({ ...testEnv, JOBS_QUEUE: q.queue }, now);
    const ids = q.sent.map((m) => m.jobId);
    expect(ids).toContain(stalled);
    expect(ids).not.toContain(recent);
    expect(ids).not.toContain(done);
    expect(q.sent.find((m) => m.jobId === stalled)?.tenantId).toBe(tenant.id);
    // Touched: the next sweep waits STALLED_AFTER_MS again before re-sending it.
    const again = recordingQueue();
    await sweepStalledJobs({ ...testEnv, JOBS_QUEUE: again.queue }, now + 1_000);
    expect(again.sent.map((m) => m.jobId)).not.toContain(stalled);
    await sweepStalledJobs({ ...testEnv, JOBS_QUEUE: again.queue }, now + STALLED_AFTER_MS + 2_000);
    expect(again.sent.map((m) => m.jobId)).toEqual(expect.arrayContaining([stalled, recent]));
  });
});

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

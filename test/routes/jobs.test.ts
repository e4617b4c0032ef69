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

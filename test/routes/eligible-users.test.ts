import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { admin, createTenant } from '../helpers';
import { insertOffer, offerRow, waitForJob } from '../bulk-helpers';

async function listOf(offerId: string) {
  const { results } = await env.DB.prepare('SELECT user_id, email FROM eligible_users WHERE offer_id = ? ORDER BY id').bind(offerId).all();
  return results;
}

describe('PUT /admin/v1/offers/{id}/eligible-users', () => {
  it('processes a list as a job: 202 {job}, then succeeded with the rows stored', async () => {
    const tenant = await createTenant();
    const offerId = await insertOffer(tenant);
    const res = await admin(tenant).raw('PUT', `/offers/${offerId}/eligible-users`, 'user_id,email\nu1,a@example.com\nu2,b@example.com\n', 'text/csv');
    expect(res.status).toBe(202);
    expect(res.json.job).toMatchObject({ status: 'queued', total: 2, processed: 0, failed: 0 });
    const job = await waitForJob(tenant, res.json.job.id);
    expect(job).toMatchObject({ status: 'succeeded', total: 2, processed: 2, failed: 0 });
    expect(await listOf(offerId)).toEqual([
      { user_id: 'u1', email: 'a@example.com' },
      { user_id: 'u2', email: 'b@example.com' },
    ]);
    expect(await offerRow(offerId)).toMatchObject({ state: 'published', eligible_users_count: 2 });
  });
});

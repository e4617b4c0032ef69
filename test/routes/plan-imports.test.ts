import { describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import { admin, createCatalog, createTenant, type TestTenant } from '../helpers';
import { csvRows, waitForJob } from '../bulk-helpers';

const importCsv = (tenant: TestTenant, planId: string, csv: string) => admin(tenant).raw('POST', `/plans/${planId}/imports`, csv, 'text/csv');

const subsOf = async (planId: string) =>
  (
    await env.DB.prepare(`SELECT user_id, product_id, status, source, price, discount, amount_due, currency, cycle FROM subscriptions WHERE plan_id = ? ORDER BY user_id`)
      .bind(planId)
      .all()
  ).results;

describe('POST /admin/v1/plans/{id}/imports', () => {
  it('subscribes every listed user to the plan at no charge, as a job with an error report', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant, { durations: ['1y'], price: 50_000 });
    const plan = plans['1y'];
    const res = await importCsv(tenant, plan.id, 'email,user_id\nA@corp.com,emp1\nb@corp.com,emp2\nc@corp.com,\nbad,emp4\nd@corp.com,emp1\n');
    expect(res.status).toBe(202);
    expect(res.json.job).toMatchObject({ kind: 'plan_import', status: 'queued', plan_id: plan.id });
    const job = await waitForJob(tenant, res.json.job.id);
    expect(job).toMatchObject({ status: 'succeeded', total: 5, processed: 5, failed: 2 });
    const subs = await subsOf(plan.id);
    expect(subs).toEqual(
      ['emp1', 'emp2'].map((user_id) => ({
        user_id,
        product_id: product.id,
        status: 'active',
        source: 'import',
        price: 0,
        discount: 0,
        amount_due: 0,
        currency: 'INR',
        cycle: 1,
      })),
    );
    const user = await env.DB.prepare('SELECT email FROM users WHERE tenant_id = ? AND id = ?').bind(tenant.id, 'emp1').first();
    expect(user).toEqual({ email: 'a@corp.com' });
    const cycles = await env.DB.prepare('SELECT COUNT(*) AS n FROM subscription_cycles c JOIN subscriptions s ON s.id = c.subscription_id WHERE s.plan_id = ?').bind(plan.id).first();
    expect(cycles).toEqual({ n: 2 });
    const errors = csvRows((await admin(tenant).get(`/jobs/${job.id}/errors.csv`)).text);
    expect(errors.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['4', 'user_id is empty'],
      ['5', 'invalid email'],
    ]);
  });

  it('is idempotent: a re-run adds nobody twice', async () => {
    const tenant = await createTenant();
    const { plans } = await createCatalog(tenant);
    const plan = plans['1m'];
    const csv = 'user_id,email\nu1,u1@x.com\nu2,u2@x.com\n';
    await waitForJob(tenant, (await importCsv(tenant, plan.id, csv)).json.job.id);
    const again = await waitForJob(tenant, (await importCsv(tenant, plan.id, csv + 'u3,u3@x.com\n')).json.job.id);
    expect(again).toMatchObject({ status: 'succeeded', processed: 3, failed: 0 });
    expect((await subsOf(plan.id)).map((s: any) => s.user_id)).toEqual(['u1', 'u2', 'u3']);
  });

  it('accepts a streamed body of unknown length (multipart to R2)', async () => {
    const tenant = await createTenant();
    const { plans } = await createCatalog(tenant);
    const lines = ['user_id', ...Array.from({ length: 300 }, (_, i) => `s${i}`)].join('\n') + '\n';
    const bytes = new TextEncoder().encode(lines);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 100) c.enqueue(bytes.slice(i, i + 100));
        c.close();
      },
    });
    const res = await SELF.fetch(`https://offer-checkout.test/admin/v1/plans/${plans['1m'].id}/imports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tenant.secret_key}`, 'Content-Type': 'text/csv' },
      body,
    });
    expect(res.status).toBe(202);
    const job = await waitForJob(tenant, ((await res.json()) as any).job.id);
    expect(job).toMatchObject({ status: 'succeeded', processed: 300, failed: 0 });
    expect(await subsOf(plans['1m'].id)).toHaveLength(300);
  });

  it('answers 404 for an unknown plan or another tenant’s, 400 without a user_id column', async () => {
    const tenant = await createTenant();
    const { plans } = await createCatalog(tenant);
    expect((await importCsv(tenant, 'plan_unknown1', 'user_id\nu1\n')).status).toBe(404);
    expect((await importCsv(await createTenant(), plans['1m'].id, 'user_id\nu1\n')).status).toBe(404);
    const noUserId = await importCsv(tenant, plans['1m'].id, 'email\na@x.com\n');
    expect(noUserId.status).toBe(400);
    expect(noUserId.json).toMatchObject({ code: 'invalid_csv_header' });
  });
});

import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { validate } from '../validation';
import { IdParam, commonProblems, json } from '../schemas/common';
import { JobEnvelope, uploadProblems } from '../schemas/job';
import { newId } from '../domain/crypto';
import { findPlan } from '../db/catalog';
import { storeUpload, MAX_UPLOAD_BYTES } from '../jobs/upload';
import { startUploadJob } from '../jobs/start';

/** `/admin/v1/plans/:id/imports` */
export const planImports = new Hono<AppEnv>().post(
  '/:id/imports',
  describeRoute({
    tags: ['Plans'],
    summary: 'Import users (CSV) as subscriptions to the plan at no charge, as a job',
    description:
      'A CSV whose header names `user_id` (required) and optionally `email`, in any order. Every listed user gets an active ' +
      'subscription on the plan (source `import`, price, discount and amount due 0). Idempotent: a user who already has a ' +
      'subscription on this plan from an import, or an active one, is skipped, so a re-run adds nobody twice. ' +
      `Bad rows are reported in the job's errors.csv. At most ${MAX_UPLOAD_BYTES} bytes per upload (413 beyond).`,
    requestBody: {
      required: true,
      content: { 'text/csv': { schema: { type: 'string', description: 'Header `user_id,email`, then one user per line' } } },
    },
    responses: {
      ...commonProblems,
      202: json('The import job', JobEnvelope),
      ...uploadProblems('plan', '`user_id`'),
    },
  }),
  validate('param', IdParam('plan')),
  async (c) => {
    const tenantId = c.get('tenant').id;
    const planId = c.req.valid('param').id;
    if (!(await findPlan(c.get('db'), tenantId, planId))) throw notFound('plan', 'id');
    const jobId = newId('job');
    const upload = await storeUpload(c.req.raw, c.env.UPLOADS, `uploads/${tenantId}/${jobId}.csv`, { requireUserId: true });
    const job = await startUploadJob(c.get('d1'), c.env, { id: jobId, tenantId, kind: 'plan_import', offerId: null, planId }, upload);
    c.header('Location', `/admin/v1/jobs/${jobId}`);
    return c.json({ job }, 202);
  },
);

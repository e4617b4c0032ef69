import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { validate } from '../validation';
import { Id, IdParam, commonProblems, json, problem } from '../schemas/common';
import { JobEnvelope, uploadProblems } from '../schemas/job';
import { newId } from '../domain/crypto';
import { findLiveOffer } from '../db/jobs';
import { offerExists } from '../db/offer-queries';
import { codesPage } from '../db/exports';
import { storeUpload, MAX_UPLOAD_BYTES } from '../jobs/upload';
import { startUploadJob } from '../jobs/start';
import { csvResponse, isoOrEmpty } from '../lib/csv-response';

const tags = ['Offers'];
const CODES_PAGE = 1_000;
const csvBody = {
  required: true,
  content: { 'text/csv': { schema: { type: 'string' as const, description: 'A header line naming `user_id` and/or `email` (any order), then one user per line' } } },
};

/** `/admin/v1/offers`: an offer's eligible-user list and its codes (bulk, next to the offer CRUD). */
export const offerBulk = new Hono<AppEnv>()
  .put(
    '/:id/eligible-users',
    describeRoute({
      tags,
      summary: "Upload users to an offer's eligible-user list (CSV), processed as a job",
      description:
        `A CSV (UTF-8, with or without BOM, CRLF or LF, RFC 4180 quoting) whose header names \`user_id\` and/or \`email\` in any order. ` +
        `Each upload adds to the list; duplicates collapse; bad rows are reported in the job's errors.csv and the good ones kept. ` +
        `The offer is \`in_progress\` until the job ends. At most ${MAX_UPLOAD_BYTES} bytes per upload (413 beyond).`,
      requestBody: csvBody,
      responses: {
        ...commonProblems,
        202: json('The job processing the list', JobEnvelope),
        ...uploadProblems('offer', '`user_id`/`email`'),
      },
    }),
    validate('param', IdParam('offer')),
    async (c) => {
      const tenantId = c.get('tenant').id;
      const offerId = c.req.valid('param').id;
      const db = c.get('d1');
      if (!(await findLiveOffer(db, tenantId, offerId))) throw notFound('offer', 'id');
      const jobId = newId('job');
      const upload = await storeUpload(c.req.raw, c.env.UPLOADS, `uploads/${tenantId}/${jobId}.csv`);
      const job = await startUploadJob(db, c.env, { id: jobId, tenantId, kind: 'eligible_users', offerId, planId: null }, upload);
      c.header('Location', `/admin/v1/jobs/${jobId}`);
      return c.json({ job }, 202);
    },
  )
  .get(
    '/:id/codes.csv',
    describeRoute({
      tags,
      summary: "An offer's codes with their redemption state, as CSV",
      description:
        'Columns `code`, `kind` (`shared` or `set`), `status` (`available` or `redeemed`), `subscription_id`, `user_id`, `product_id`, `plan_id`, `redeemed_at`. ' +
        'With `product_id` or `plan_id`, only the codes redeemed on that product or plan.',
      responses: {
        200: { description: 'CSV, streamed', content: { 'text/csv': { schema: { type: 'string' } } } },
        404: problem('Unknown offer'),
        ...commonProblems,
      },
    }),
    validate('param', IdParam('offer')),
    validate('query', z.object({ product_id: Id('prod').optional(), plan_id: Id('plan').optional() })),
    async (c) => {
      const tenantId = c.get('tenant').id;
      const offerId = c.req.valid('param').id;
      const q = c.req.valid('query');
      const db = c.get('d1');
      if (!(await offerExists(db, tenantId, offerId))) throw notFound('offer', 'id');
      let after = '';
      let done = false;
      return csvResponse(
        `${offerId}-codes.csv`,
        ['code', 'kind', 'status', 'subscription_id', 'user_id', 'product_id', 'plan_id', 'redeemed_at'],
        async () => {
          if (done) return null;
          const page = await codesPage(db, { tenantId, offerId, productId: q.product_id, planId: q.plan_id }, after, CODES_PAGE);
          if (page.length < CODES_PAGE) done = true;
          if (page.length > 0) after = page[page.length - 1]!.code;
          return page.map((r) => [
            r.code,
            r.kind,
            r.redeemed_by ? 'redeemed' : 'available',
            r.redeemed_by,
            r.user_id,
            r.product_id,
            r.plan_id,
            isoOrEmpty(r.redeemed_at),
          ]);
        },
      );
    },
  );

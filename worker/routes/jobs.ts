import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { validate } from '../validation';
import { IdParam, commonProblems, json, problem } from '../schemas/common';
import { Job, jobJson } from '../schemas/job';
import { findJob, jobErrorsPage } from '../db/jobs';
import { csvResponse } from '../lib/csv-response';

const tags = ['Jobs'];
const ERRORS_PAGE = 1_000;

/** `/admin/v1/jobs` */
export const jobs = new Hono<AppEnv>()
  .get(
    '/:id',
    describeRoute({
      tags,
      summary: 'Get a job (progress of an upload, a code set or an import)',
      description:
        '`processed` counts the rows handled so far, failed ones included; `failed` the rows that could not be processed (`errors.csv`). ' +
        'For an upload `total` is estimated from its line count until the job ends, then exact.',
      responses: { 200: json('The job', Job), 404: problem('Unknown job'), ...commonProblems },
    }),
    validate('param', IdParam('job')),
    async (c) => {
      // A stalled job is resumed by the cron's stalled-jobs sweep (worker/jobs/stalled-jobs.ts), not by reads.
      const row = await findJob(c.get('db'), c.get('tenant').id, c.req.valid('param').id);
      if (!row) throw notFound('job', 'id');
      return c.json(jobJson(row));
    },
  )
  .get(
    '/:id/errors.csv',
    describeRoute({
      tags,
      summary: 'The rows a job could not process, as CSV (`line`, `reason`, `row`)',
      responses: {
        200: { description: 'CSV with the line number (1 is the header line) and the reason of each failed row', content: { 'text/csv': { schema: { type: 'string' } } } },
        404: problem('Unknown job'),
        ...commonProblems,
      },
    }),
    validate('param', IdParam('job')),
    async (c) => {
      const id = c.req.valid('param').id;
      const tenantId = c.get('tenant').id;
      const row = await findJob(c.get('db'), tenantId, id);
      if (!row) throw notFound('job', 'id');
      const db = c.get('d1');
      let after = 0;
      let done = false;
      return csvResponse(`${id}-errors.csv`, ['line', 'reason', 'row'], async () => {
        if (done) return null;
        const page = await jobErrorsPage(db, tenantId, id, after, ERRORS_PAGE);
        if (page.length < ERRORS_PAGE) done = true;
        if (page.length > 0) after = page[page.length - 1]!.line;
        return page.map((e) => [e.line, e.reason, e.raw]);
      });
    },
  );

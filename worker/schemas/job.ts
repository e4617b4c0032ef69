import { z } from 'zod';
import { iso, problem } from './common';
import type { JobJson } from '../jobs/types';
import type { jobs } from '../db/schema';

export const Job = z
  .object({
    id: z.string(),
    kind: z.enum(['eligible_users', 'code_set', 'plan_import']),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    total: z.number().int().meta({ description: 'Rows (or codes) to process; for an upload, exact once the job has finished' }),
    processed: z.number().int().meta({ description: 'Rows handled so far, failed ones included' }),
    failed: z.number().int().meta({ description: 'Rows that could not be processed (see errors.csv)' }),
    offer_id: z.string().nullable(),
    plan_id: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'Job' });

export const JobEnvelope = z.object({ job: Job });

/** Largest code set one offer may generate. */
export const MAX_CODE_SET = 1_000_000;

/** `code_set` of an offer: `count` codes, each `prefix` + at least 9 random symbols (>= 44 bits). */
export const CodeSetInput = z
  .object({
    count: z.number().int('must be an integer').min(1, 'must be at least 1').max(MAX_CODE_SET, `must be at most ${MAX_CODE_SET}`),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9]*$/, 'must be letters and digits only')
      .max(23, 'must be at most 23 characters (codes are at most 32, 9 of them random)')
      .transform((s) => s.toUpperCase())
      .optional(),
  })
  .meta({ description: 'Generate `count` unique single-use codes, each `prefix` followed by random symbols' });

export type JobRow = typeof jobs.$inferSelect;

export const jobJson = (
  j: Pick<JobRow, 'id' | 'kind' | 'status' | 'total' | 'processed' | 'failed' | 'offerId' | 'planId' | 'createdAt' | 'finishedAt'>,
): JobJson => ({
  id: j.id,
  kind: j.kind,
  status: j.status,
  total: Math.max(j.total, j.processed),
  processed: j.processed,
  failed: j.failed,
  offer_id: j.offerId,
  plan_id: j.planId,
  created_at: iso(j.createdAt)!,
  finished_at: iso(j.finishedAt),
});

/** The refusals every CSV upload route may answer (besides the common ones). */
export const uploadProblems = (what: string, header: string) => ({
  400: problem(`Empty body (\`empty_upload\`) or a header without ${header} (\`invalid_csv_header\`)`),
  404: problem(`Unknown ${what}`),
  413: problem('Over the upload limit'),
  415: problem('Not a CSV body'),
});

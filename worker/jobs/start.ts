/**
 * Starting background jobs (docs/jobs.md). A job is a row in `jobs` plus a queue message that
 * names it; the queue consumer (worker/jobs/consumer.ts) does the work in chunks and keeps its
 * resume point on the row.
 */
import type { Context } from 'hono';
import type { AppEnv, Bindings } from '../env';
import { AppError } from '../errors';
import { toFieldErrors } from '../validation';
import { CodeSetInput, jobJson } from '../schemas/job';
import { insertJob, type NewJob } from '../db/jobs';
import { codeBucketLength, codeRandomLength } from '../domain/codes';
import type { CodeSetParams, JobJson, JobMessage } from './types';
import { newId } from '../domain/crypto';

export type { JobJson } from './types';

/** Sends the message that makes the consumer (re)start a job. Safe to send twice. */
export async function enqueueJob(env: Pick<Bindings, 'JOBS_QUEUE'>, message: JobMessage): Promise<void> {
  await env.JOBS_QUEUE.send(message, { contentType: 'json' });
}

/** Inserts a queued job and sends its message. */
export async function startJob(c: Context<AppEnv>, job: Omit<NewJob, 'id' | 'tenantId'>): Promise<JobJson> {
  const tenantId = c.get('tenant').id;
  const row = await insertJob(c.get('db'), { ...job, id: newId('job'), tenantId });
  await enqueueJob(c.env, { jobId: row.id, tenantId });
  return jobJson(row);
}

/**
 * Generates an offer's code set in the background: `count` unique single-use codes
 * (`prefix` + 2 chunk symbols + random symbols from CODE_ALPHABET, >= 9 of them, so >= 44 bits), none equal to
 * any code the tenant ever had. The offer must exist with state `in_progress`; the job sets it
 * to `published` when every code is written (or `failed`).
 *
 * `input` is validated here too (`invalid_input` naming `code_set.count` / `code_set.prefix`).
 */
export async function startCodeSetJob(
  c: Context<AppEnv>,
  input: { offerId: string; count: number; prefix?: string },
): Promise<JobJson> {
  const parsed = CodeSetInput.safeParse({ count: input.count, prefix: input.prefix });
  if (!parsed.success) {
    throw new AppError('invalid_input', {
      code: 'invalid_input',
      detail: 'The code set is invalid.',
      errors: toFieldErrors(parsed.error.issues, 'code_set'),
    });
  }
  const prefix = parsed.data.prefix ?? '';
  const params: CodeSetParams = { count: parsed.data.count, prefix, randomLength: codeRandomLength(prefix), bucketLength: codeBucketLength(prefix) };
  return startJob(c, {
    kind: 'code_set',
    offerId: input.offerId,
    total: params.count,
    params: params as unknown as Record<string, unknown>,
  });
}

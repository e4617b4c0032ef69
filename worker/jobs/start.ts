/**
 * Starting background jobs (docs/jobs.md). A job is a row in `jobs` plus a queue message that
 * names it; the queue consumer (worker/jobs/consumer.ts) does the work in chunks and keeps its
 * resume point on the row. The row is always written first, in the batch of whatever the job
 * belongs to (an offer, an upload); the message is sent after it committed. A message that is
 * never sent (the queue refused it, the isolate died) is sent again by the stalled-jobs sweep
 * (worker/jobs/stalled-jobs.ts). Nothing here takes a request context.
 */
import type { Bindings } from '../env';
import { AppError } from '../errors';
import { toFieldErrors } from '../validation';
import { CodeSetInput } from '../schemas/job';
import { codeBucketLength, codeRandomLength } from '../domain/codes';
import { newId } from '../domain/crypto';
import type { NewCodeSetJob } from '../db/offer-queries';
import type { CodeSetParams, JobMessage } from './types';

export type { JobJson } from './types';

/** Sends the message that makes the consumer (re)start a job. Safe to send twice. */
export async function enqueueJob(env: Pick<Bindings, 'JOBS_QUEUE'>, message: JobMessage): Promise<void> {
  await env.JOBS_QUEUE.send(message, { contentType: 'json' });
}

/**
 * Sends a job's first message once its row committed. A failed send is logged, not thrown: the
 * job is queued on its row, and the stalled-jobs sweep sends its message again.
 */
export async function kickJob(env: Pick<Bindings, 'JOBS_QUEUE'>, message: JobMessage): Promise<boolean> {
  try {
    await enqueueJob(env, message);
    return true;
  } catch (err) {
    console.error('job message not sent; the stalled-jobs sweep will send it', message.jobId, err);
    return false;
  }
}

/**
 * The job that generates an offer's code set: `count` unique single-use codes (`prefix` + 2
 * chunk symbols + random symbols from CODE_ALPHABET, >= 9 of them, so >= 44 bits), none equal to
 * any code the tenant ever had. It is written with the offer (state `in_progress`) in one batch
 * (insertOffer); the job sets the offer to `published` when every code is written (or `failed`).
 *
 * `input` is validated here too (`invalid_input` naming `code_set.count` / `code_set.prefix`).
 */
export function codeSetJob(input: { count: number; prefix?: string }): NewCodeSetJob {
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
  return { id: newId('job'), total: params.count, params: params as unknown as Record<string, unknown> };
}

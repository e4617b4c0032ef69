/**
 * Starting background jobs (docs/jobs.md). A job is a row in `jobs` plus a queue message that
 * names it; the queue consumer (worker/jobs/consumer.ts) does the work in chunks and keeps its
 * resume point on the row. The row is always written first, in the batch of whatever the job
 * belongs to (an offer, an upload); the message is sent after it committed. A message that is
 * never sent (the queue refused it, the isolate died) is sent again by the stalled-jobs sweep
 * (worker/jobs/stalled-jobs.ts). Nothing here takes a request context.
 */
import type { Bindings } from '../env';
import { codeBucketLength, codeRandomLength } from '../domain/codes';
import { newId } from '../domain/crypto';
import type { NewCodeSetJob } from '../db/offer-queries';
import { insertUploadJob } from '../db/jobs';
import type { D1 } from '../db/guard';
import { afterCommit } from '../lib/cache';
import type { StoredUpload } from './upload';
import type { CodeSetParams, JobJson, JobMessage } from './types';

export type { JobJson } from './types';

/** The JSON of a job just written as `queued` (no read back). */
const queuedJobJson = (j: { id: string; kind: JobJson['kind']; total: number; offerId: string | null; planId: string | null; now: number }): JobJson => ({
  id: j.id,
  kind: j.kind,
  status: 'queued',
  total: j.total,
  processed: 0,
  failed: 0,
  offer_id: j.offerId,
  plan_id: j.planId,
  created_at: new Date(j.now).toISOString(),
  finished_at: null,
});

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
 * `input` has been validated by the route's schema (`code_set` of OfferCreate, which is
 * CodeSetInput of worker/schemas/job.ts).
 */
export function codeSetJob(input: { count: number; prefix?: string }): NewCodeSetJob {
  const prefix = (input.prefix ?? '').toUpperCase();
  const params: CodeSetParams = { count: input.count, prefix, randomLength: codeRandomLength(prefix), bucketLength: codeBucketLength(prefix) };
  return { id: newId('job'), total: params.count, params: params as unknown as Record<string, unknown> };
}

/**
 * Starts the job of an upload already stored in R2 (an offer's eligible-user list, or a plan
 * import): its row in one batch (worker/db/jobs.ts), this isolate's caches dropped after commit,
 * then its first message. Answers the job as queued.
 */
export async function startUploadJob(
  db: D1,
  env: Pick<Bindings, 'JOBS_QUEUE'>,
  job: { id: string; tenantId: string; kind: 'eligible_users' | 'plan_import'; offerId: string | null; planId: string | null },
  upload: StoredUpload,
): Promise<JobJson> {
  const now = Date.now();
  await afterCommit(
    'catalog',
    job.tenantId,
    insertUploadJob(db, {
      ...job,
      inputKey: upload.key,
      inputBytes: upload.bytes,
      byteOffset: upload.dataOffset,
      line: upload.dataLine,
      total: upload.estimatedRows,
      params: { columns: upload.columns },
      now,
    }),
  );
  await kickJob(env, { jobId: job.id, tenantId: job.tenantId });
  return queuedJobJson({ ...job, total: upload.estimatedRows, now });
}

/** The JSON of a code-set job written with its offer. */
export const codeSetJobJson = (job: NewCodeSetJob, offerId: string, now: number): JobJson =>
  queuedJobJson({ id: job.id, kind: 'code_set', total: job.total, offerId, planId: null, now });

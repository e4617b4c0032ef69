/**
 * The stalled-jobs sweep (a SWEEPS entry, run by the Cron Trigger every minute): a job that is
 * `queued` or `running` but has made no progress for STALLED_AFTER_MS lost its message (never
 * sent, or its consumer died without a retry). The sweep marks it touched and sends its message
 * again; the run resumes at the job's cursor, so a duplicate message is harmless.
 */
import type { Bindings } from '../env';
import { bulkD1 } from '../db/handles';
import { touchStalledJobs } from '../db/jobs';
import { enqueueJob } from './start';

/** No progress (updated_at) for this long: the job is stalled. Chunks take seconds; a queue retry waits at most 60 s. */
export const STALLED_AFTER_MS = 2 * 60_000;
/** Jobs re-sent per sweep run (the next run takes the rest). */
export const STALLED_PER_SWEEP = 100;

export async function sweepStalledJobs(env: Pick<Bindings, 'DB' | 'JOBS_QUEUE'>, now: number): Promise<number> {
  const stalled = await touchStalledJobs(bulkD1(env.DB), now - STALLED_AFTER_MS, now, STALLED_PER_SWEEP);
  for (const job of stalled) await enqueueJob(env, { jobId: job.id, tenantId: job.tenant_id });
  return stalled.length;
}

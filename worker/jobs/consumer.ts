/**
 * The queue consumer: this same worker's `queue` handler. Each message names a job; the job
 * runs from its stored resume point for one invocation budget and, if not finished, sends a
 * fresh message to continue. A run that lost its cursor to another run (`lost`) ends its chain:
 * the winner's chain carries the job on (and the stalled-jobs sweep, if the winner dies). A
 * failing run is retried with backoff; after MAX_ATTEMPTS the job is marked failed.
 */
import type { Bindings } from '../env';
import { failJob, runJob, type RunOptions } from './runner';
import { enqueueJob } from './start';
import type { JobMessage } from './types';
import { kickDeliveries } from '../db/webhook-outbox';
import { handleHoldExpiry, isHoldExpiryMessage } from './hold-expiry';

export const MAX_ATTEMPTS = 8;

export async function handleJobBatch(batch: MessageBatch<JobMessage>, env: Bindings, opts: RunOptions = {}): Promise<void> {
  // One run per job even if its message arrived twice; different jobs run side by side.
  const seen = new Set<string>();
  await Promise.all(
    batch.messages.map(async (message) => {
      const body = message.body;
      if (isHoldExpiryMessage(body)) {
        try {
          await handleHoldExpiry(env, body);
          message.ack();
        } catch (err) {
          console.error('hold expiry failed', err);
          message.retry({ delaySeconds: 5 });
        }
        return;
      }
      if (!body || typeof body.jobId !== 'string') return message.ack();
      if (seen.has(body.jobId)) return message.ack();
      seen.add(body.jobId);
      try {
        const outcome = await runJob(env, body.jobId, opts);
        if (outcome === 'more') await enqueueJob(env, body);
        // A finished job wrote job.succeeded / job.failed in its last batch: deliver it now.
        if (outcome === 'done') await kickDeliveries(env, undefined, body.tenantId);
        message.ack();
      } catch (err) {
        console.error('job run failed', body.jobId, err);
        if (message.attempts >= MAX_ATTEMPTS) {
          await failJob(env, body.jobId, err instanceof Error ? err.message : String(err)).catch(() => {});
          message.ack();
        } else {
          message.retry({ delaySeconds: Math.min(2 ** message.attempts, 60) });
        }
      }
    }),
  );
}

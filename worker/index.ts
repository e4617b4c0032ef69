import { app } from './app';
import type { Bindings } from './env';
import { handleJobBatch } from './jobs/consumer';
import { runSweeps } from './jobs/sweeps';
import type { JobMessage } from './jobs/types';
import { handleWebhookBatch } from './jobs/webhook-delivery';
import type { WebhookMessage } from './db/webhook-outbox';

/** Durable Object classes of this worker (wrangler.toml `durable_objects`). */
export { CodeAttempts } from './durable/code-attempts';

export default {
  fetch: app.fetch,
  /** Background jobs (worker/jobs/, docs/jobs.md): this worker consumes its own queues. */
  queue: (batch: MessageBatch<JobMessage | WebhookMessage>, env: Bindings) =>
    batch.queue === 'offer-checkout-webhooks'
      ? handleWebhookBatch(batch as MessageBatch<WebhookMessage>, env)
      : handleJobBatch(batch as MessageBatch<JobMessage>, env),
  /** Cron Trigger (wrangler.toml): the sweeps of worker/jobs/sweeps.ts. */
  scheduled: (controller: ScheduledController, env: Bindings, ctx: ExecutionContext) => {
    ctx.waitUntil(runSweeps(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Bindings, JobMessage | WebhookMessage>;

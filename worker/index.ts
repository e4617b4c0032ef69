import { app } from './app';
import type { Bindings } from './env';
import { handleJobBatch } from './jobs/consumer';
import type { JobMessage } from './jobs/types';

export default {
  fetch: app.fetch,
  /** Background jobs (worker/jobs/, docs/jobs.md): this worker consumes its own queue. */
  queue: (batch: MessageBatch<JobMessage>, env: Bindings) => handleJobBatch(batch, env),
} satisfies ExportedHandler<Bindings, JobMessage>;

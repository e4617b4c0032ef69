/**
 * The Cron Trigger's work (wrangler.toml `[triggers]`, every minute): each sweep is a small
 * function of its own module, listed here. A sweep only catches up with what correctness never
 * waits for (a hold's counts already come back at its expiry instant; a stalled job is resumed;
 * an undelivered webhook is retried). A failing sweep is logged and never stops the others.
 */
import type { Bindings } from '../env';
import { sweepExpiredHolds } from './hold-sweep';
import { sweepStalledJobs } from './stalled-jobs';
import { sweepWebhookDeliveries } from './webhook-delivery';

export type Sweep = (env: Bindings, now: number) => Promise<void>;

/** Every sweep the cron runs, in order. Add a line here for a new one. */
export const SWEEPS: Array<{ name: string; run: Sweep }> = [
  { name: 'expired-holds', run: async (env, now) => void (await sweepExpiredHolds(env, now)) },
  { name: 'stalled-jobs', run: async (env, now) => void (await sweepStalledJobs(env, now)) },
  { name: 'webhook-deliveries', run: sweepWebhookDeliveries },
];

export async function runSweeps(env: Bindings, now: number = Date.now()): Promise<void> {
  for (const sweep of SWEEPS) {
    try {
      await sweep.run(env, now);
    } catch (err) {
      console.error(`sweep ${sweep.name} failed`, err);
    }
  }
}

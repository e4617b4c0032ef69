/**
 * Hold expiry on time (docs/billing.md). A paid checkout starts `pending` and holds its counts
 * until `hold_expires_at`; every count already treats the hold as returned from that instant,
 * so correctness never waits for this. What needs a wake-up is the publisher's
 * `subscription.hold_expired` webhook ("an event reaches its endpoint within 10 s of the
 * change"): the checkout sends a queue message delayed until the expiry, and its delivery runs
 * the hold sweep (idempotent, bounded; worker/jobs/hold-sweep.ts). The every-minute cron sweep
 * stays as the fallback for a lost message.
 */
import type { Bindings } from '../env';
import { sweepExpiredHolds } from './hold-sweep';
import type { HoldExpiryMessage } from './types';

/** Queues accept delays up to 12 hours; a longer hold is woken twice. */
export const MAX_DELAY_SECONDS = 12 * 60 * 60;

export function holdExpiryDelaySeconds(expiresAt: number, now: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((expiresAt - now) / 1000)));
}

/** Sends the wake-up of a hold (after the checkout committed). */
export async function scheduleHoldExpiry(env: Pick<Bindings, 'JOBS_QUEUE'>, tenantId: string, expiresAt: number, now: number = Date.now()): Promise<void> {
  const message: HoldExpiryMessage = { kind: 'hold_expiry', tenantId, expiresAt };
  await env.JOBS_QUEUE.send(message as never, { contentType: 'json', delaySeconds: holdExpiryDelaySeconds(expiresAt, now) });
}

/** A delivered wake-up: too early (a hold over 12 h) sends itself on; otherwise sweeps. */
export async function handleHoldExpiry(env: Bindings, message: HoldExpiryMessage, now: number = Date.now()): Promise<void> {
  if (message.expiresAt > now) {
    await scheduleHoldExpiry(env, message.tenantId, message.expiresAt, now);
    return;
  }
  await sweepExpiredHolds(env, now);
}

export const isHoldExpiryMessage = (body: unknown): body is HoldExpiryMessage =>
  typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'hold_expiry' && typeof (body as { expiresAt?: unknown }).expiresAt === 'number';

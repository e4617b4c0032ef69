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

/**
 * Wake-ups are coalesced into buckets of this many milliseconds: a hold is woken at the end of
 * its bucket (at most 2 s after its expiry, well inside the 10 s the webhook promise allows),
 * and an isolate sends one message per bucket however many holds fall in it. The sweep it runs
 * releases every expired hold of every tenant, so one wake-up serves them all. Under a burst of
 * checkouts this turns a queue message per checkout into one every 2 s.
 */
export const WAKE_BUCKET_MS = 2_000;

/** The instant a hold expiring at `expiresAt` is woken: the end of its bucket. */
export const wakeInstant = (expiresAt: number): number => Math.ceil(expiresAt / WAKE_BUCKET_MS) * WAKE_BUCKET_MS;

/** Buckets this isolate has already sent a wake-up for (pruned as they pass). */
const scheduledWakes = new Set<number>();

/** Sends the wake-up of a hold (after the checkout committed), unless its bucket already has one. */
export async function scheduleHoldExpiry(env: Pick<Bindings, 'JOBS_QUEUE'>, tenantId: string, expiresAt: number, now: number = Date.now()): Promise<void> {
  const wakeAt = wakeInstant(expiresAt);
  if (scheduledWakes.has(wakeAt)) return;
  for (const at of scheduledWakes) if (at < now) scheduledWakes.delete(at);
  scheduledWakes.add(wakeAt);
  const message: HoldExpiryMessage = { kind: 'hold_expiry', tenantId, expiresAt: wakeAt };
  try {
    await env.JOBS_QUEUE.send(message as never, { contentType: 'json', delaySeconds: holdExpiryDelaySeconds(wakeAt, now) });
  } catch (err) {
    scheduledWakes.delete(wakeAt); // the next checkout in this bucket tries again
    throw err;
  }
}

/** A re-send of a wake-up that came too early (a hold over 12 h): always sent. */
async function resendHoldExpiry(env: Pick<Bindings, 'JOBS_QUEUE'>, message: HoldExpiryMessage, now: number): Promise<void> {
  await env.JOBS_QUEUE.send(message as never, { contentType: 'json', delaySeconds: holdExpiryDelaySeconds(message.expiresAt, now) });
}

/** A delivered wake-up: too early (a hold over 12 h) sends itself on; otherwise sweeps. */
export async function handleHoldExpiry(env: Bindings, message: HoldExpiryMessage, now: number = Date.now()): Promise<void> {
  if (message.expiresAt > now) {
    await resendHoldExpiry(env, message, now);
    return;
  }
  await sweepExpiredHolds(env, now);
}

export const isHoldExpiryMessage = (body: unknown): body is HoldExpiryMessage =>
  typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'hold_expiry' && typeof (body as { expiresAt?: unknown }).expiresAt === 'number';

/**
 * The billing hooks' decisions, pure (SPEC "Billing hooks", docs/billing.md): what activate,
 * renew, cancel and void do to a subscription as read, and how an Idempotency-Key's stored
 * answer is used. The database write that follows is a compare-and-set on what was read, so a
 * concurrent hook that lost the race is told so and answered from the state that won.
 */
import { holdIsOver, type SubscriptionStatus } from './holds';

export type HookOperation = 'activate' | 'renew' | 'cancel' | 'void';

export interface HookSubscription {
  status: SubscriptionStatus;
  holdExpiresAt: number | null;
  source: 'checkout' | 'group' | 'import';
  cycle: number;
}

export type HookRefusal =
  | 'hold_expired'
  | 'subscription_not_pending'
  | 'subscription_not_active'
  | 'subscription_not_renewable'
  | 'cycle_mismatch'
  | 'not_voidable'
  | 'subscription_voided';

/** The subscription as the hook found it: there, voided (a tombstone), or unknown. */
export type Found = { kind: 'found'; sub: HookSubscription } | { kind: 'voided' } | { kind: 'unknown' };

export type HookDecision<Go> = { kind: 'go'; go: Go } | { kind: 'unchanged' } | { kind: 'refused'; reason: HookRefusal } | { kind: 'not_found' } | { kind: 'voided' };

/** The record of an Idempotency-Key: the first successful answer for that key. */
export interface StoredHookAnswer {
  requestHash: string;
  status: number;
  body: string;
}

export type ReplayDecision = { kind: 'fresh' } | { kind: 'replay'; status: number; body: string } | { kind: 'key_reuse' };

/**
 * A stored answer is replayed for the same request, unless it describes a subscription that no
 * longer exists (voided since): then the request is answered as a fresh one would be, never as
 * if the subscription still existed. The same key with another request is refused.
 */
export function decideReplay(op: HookOperation, stored: StoredHookAnswer | null, requestHash: string, subscriptionExists: boolean): ReplayDecision {
  if (!stored) return { kind: 'fresh' };
  if (stored.requestHash !== requestHash) return { kind: 'key_reuse' };
  if (!subscriptionExists && op !== 'void') return { kind: 'fresh' };
  return { kind: 'replay', status: stored.status, body: stored.body };
}

const missing = (f: Found): HookDecision<never> | null => (f.kind === 'voided' ? { kind: 'voided' } : f.kind === 'unknown' ? { kind: 'not_found' } : null);

/** pending → active; an active (or grace) one is answered unchanged; a passed hold is refused. */
export function decideActivate(f: Found, now: number): HookDecision<true> {
  const m = missing(f);
  if (m || f.kind !== 'found') return m!;
  const s = f.sub;
  if (s.status === 'active' || s.status === 'grace') return { kind: 'unchanged' };
  if (holdIsOver(s, now)) return { kind: 'refused', reason: 'hold_expired' };
  if (s.status === 'pending') return { kind: 'go', go: true };
  return { kind: 'refused', reason: 'subscription_not_pending' };
}

/**
 * A renewal starts cycle `current + 1`. With `cycle` (the number of the cycle being started) it is
 * idempotent: a cycle already started is answered unchanged, a skipped one refused.
 */
export function decideRenew(f: Found, askedCycle: number | undefined, now: number): HookDecision<{ cycle: number }> {
  const m = missing(f);
  if (m || f.kind !== 'found') return m!;
  const s = f.sub;
  if (askedCycle !== undefined && askedCycle <= s.cycle && s.status !== 'pending' && s.status !== 'hold_expired') return { kind: 'unchanged' };
  if (s.status === 'pending' || s.status === 'hold_expired' || holdIsOver(s, now)) return { kind: 'refused', reason: 'subscription_not_active' };
  if (s.status !== 'active' && s.status !== 'grace') return { kind: 'refused', reason: 'subscription_not_renewable' };
  if (askedCycle !== undefined && askedCycle !== s.cycle + 1) return { kind: 'refused', reason: 'cycle_mismatch' };
  return { kind: 'go', go: { cycle: s.cycle + 1 } };
}

/**
 * active/grace/expired, or pending within its hold → cancelled (a cancelled pending checkout
 * keeps what it took, as any cancelled subscription does; a failed payment is voided instead);
 * cancelled again is unchanged; a lapsed hold has nothing left to end.
 */
export function decideCancel(f: Found, now: number): HookDecision<true> {
  const m = missing(f);
  if (m || f.kind !== 'found') return m!;
  const s = f.sub;
  if (s.status === 'cancelled') return { kind: 'unchanged' };
  if (holdIsOver(s, now)) return { kind: 'refused', reason: 'hold_expired' };
  return { kind: 'go', go: true };
}

/** Only a checkout's first cycle can be voided (pending, active, or a lapsed hold); voiding again answers the same. */
export function decideVoid(f: Found): HookDecision<true> {
  if (f.kind === 'voided') return { kind: 'unchanged' };
  if (f.kind === 'unknown') return { kind: 'not_found' };
  if (f.sub.cycle !== 1 || f.sub.source !== 'checkout') return { kind: 'refused', reason: 'not_voidable' };
  return { kind: 'go', go: true };
}

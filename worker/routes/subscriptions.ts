import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { scheduleHoldExpiry } from '../jobs/hold-expiry';
import { AppError, notFound } from '../errors';
import { validate } from '../validation';
import { codeGuessingProblem, commonProblems, json, problem } from '../schemas/common';
import { codeRejected, codeRejection, typedCode } from '../schemas/code-rejection';
import { CheckoutRequest } from '../schemas/offer';
import { Subscription, subscriptionJsonAt } from '../schemas/subscription';
import { requireUser } from '../middleware/auth';
import { newId, sha256Hex } from '../domain/crypto';
import { decideCheckout, type CheckoutDecision, type CheckoutRefusal } from '../domain/checkout';
import { addPeriod } from '../domain/periods';
import type { Duration } from '../domain/offer-rules';
import { planFacts } from '../db/offer-rows';
import { checkoutReads, redemptionFacts, unreleasedHolds, type CheckoutReads } from '../db/redemption-reads';
import { checkoutFromCache, readForCheckoutRefreshing } from '../db/quote-cache';
import { writeCheckout } from '../db/checkout-write';
import { newSubscriptionRow, type NewSubscription } from '../db/subscriptions';
import { idempotencyKey, keyReused, replayed } from '../lib/idempotency-key';
import { afterEvent, executionContext } from '../lib/after-commit';


function refusal(reason: CheckoutRefusal): AppError {
  if (reason === 'idempotency_key_reuse') return keyReused();
  if (reason === 'plan_not_found') return notFound('plan', 'plan_id');
  if (reason === 'already_subscribed') return new AppError('conflict', { code: 'already_subscribed', detail: 'This user already has a live subscription on this product.' });
  return codeRejected(reason);
}


/** `POST /v1/subscriptions` (checkout) */
export const publicSubscriptions = new Hono<AppEnv>().post(
  '/',
  describeRoute({
    tags: ['Public'],
    summary: 'Subscribe to a plan, with a code (checkout)',
    description:
      'User token required. When `amount_due` is above zero the subscription starts `pending` with `hold_expires_at` (the tenant\'s `checkout_hold_minutes` from now): it holds every count it takes until then, and the publisher\'s backend activates it once paid (or voids it). At zero (a free plan, a 100% code) it is `active` at once. ' +
      'Honours `Idempotency-Key`: the same key and body answer the same; the same key with another body answers 422 `idempotency_key_reuse`; a key whose subscription was voided or whose hold lapsed checks out afresh. ' +
      'A live subscription (active, grace, or pending within its hold) on the same product answers 409 `already_subscribed`; a checkout after a cancellation is a reactivation (an avail). Every limit is enforced atomically; at most two D1 round trips.',
    responses: {
      201: json('The subscription (`pending` with `hold_expires_at`, or `active` when nothing is due)', Subscription),
      404: problem('Unknown or inactive plan'),
      409: problem('`already_subscribed`'),
      422: codeRejection('The code cannot apply (same codes as quotes), or `idempotency_key_reuse`'),
      ...codeGuessingProblem,
      ...commonProblems,
    },
  }),
  validate('json', CheckoutRequest),
  async (c) => {
    const user = requireUser(c);
    const input = c.req.valid('json');
    const key = idempotencyKey(c.req.header('Idempotency-Key'));
    const code = typedCode(input.code);
    const tenant = c.get('tenant');
    const collection = input.collection ?? 'charge_card';
    const requestHash = key ? await sha256Hex(JSON.stringify([input.plan_id, code, collection])) : null;
    const db = c.get('d1');
    const now = Date.now();
    const query = { tenantId: tenant.id, planId: input.plan_id, code, user: { id: user.id, email: user.emailVerified ? user.email : null }, idempotencyKey: key, now };
    const decide = (reads: CheckoutReads): CheckoutDecision =>
      decideCheckout({
        now,
        holdMinutes: tenant.checkoutHoldMinutes,
        requestHash,
        stored: reads.idempotency
          ? { requestHash: reads.idempotency.request_hash, status: reads.idempotency.status, body: reads.idempotency.response, subscriptionStands: reads.idempotency.stands === 1 }
          : null,
        plan: reads.plan ? planFacts(reads.plan) : null,
        subscriptions: reads.subscriptions.map((s) => ({ status: s.status, holdExpiresAt: s.hold_expires_at })),
        redemption: code && reads.plan ? redemptionFacts(reads, user, now) : null,
      });
    // The facts: from the isolate's fresh catalog cache with the user's own facts assumed (one
    // round trip: the write guards every assumption), else read on the primary (two; the read
    // also refreshes the catalog cache when it is due).
    const cached = checkoutFromCache(query, now);
    let reads: CheckoutReads = cached ?? (await readForCheckoutRefreshing(db, query));
    let assumed = cached !== null;
    for (;;) {
      const d = decide(reads);
      if (d.kind === 'replay') return replayed(d.status, d.body);
      if (d.kind === 'refused') {
        if (!assumed) throw refusal(d.reason);
        // Refused on the cache's definitions: read, and decide on the real facts.
        reads = await readForCheckoutRefreshing(db, query);
        assumed = false;
        continue;
      }
      const plan = reads.plan!;
      const sub: NewSubscription = {
        id: newId('sub'),
        tenantId: tenant.id,
        userId: user.id,
        productId: plan.product_id,
        planId: plan.id,
        status: d.status,
        source: 'checkout',
        collection,
        groupId: null,
        offerId: d.withOffer ? reads.offer!.id : null,
        code: d.withOffer ? code : null,
        reactivation: d.reactivation,
        discountedCycles: d.discountedCycles,
        price: d.price,
        discount: d.discount,
        amountDue: d.amountDue,
        currency: plan.currency,
        periodStart: now,
        periodEnd: addPeriod(now, plan.duration as Duration),
        holdExpiresAt: d.holdExpiresAt,
        now,
      };
      const object = subscriptionJsonAt(newSubscriptionRow(sub), now);
      const body = JSON.stringify(object);
      const { created, evented, after } = await writeCheckout(
        db,
        {
          subscription: sub,
          user: { email: user.email, emailVerified: user.emailVerified },
          offer: d.withOffer ? { id: reads.offer!.id, code: code!, codeKind: reads.offer!.code_kind, redemptionId: newId('red') } : null,
          idempotency: key && requestHash ? { key, requestHash, response: body } : null,
          event: reads.hasWebhookEndpoint ? { type: d.status === 'pending' ? 'subscription.pending' : 'subscription.activated', object } : null,
          unreleasedHolds: assumed ? { onOffer: false, onUserProduct: false } : unreleasedHolds(reads, now),
          assumed: assumed ? { plan } : null,
        },
        // The re-read answers rows only when the subscription was not created (to name the refusal).
        checkoutReads(db, query, { sql: 'NOT EXISTS (SELECT 1 FROM subscriptions WHERE id = ?)', params: [sub.id] }),
      );
      if (created) {
        const ctx = executionContext(c);
        afterEvent(c.env, ctx, tenant.id, evented);
        if (sub.holdExpiresAt !== null) {
          // Wakes the hold sweep at the expiry instant (the cron sweep is the fallback).
          const wake = scheduleHoldExpiry(c.env, tenant.id, sub.holdExpiresAt, now).catch((err: unknown) => console.error('hold expiry not scheduled', err));
          if (ctx) ctx.waitUntil(wake);
        }
        return new Response(body, { status: 201, headers: { 'Content-Type': 'application/json' } });
      }
      // Refused by a guard: something changed since the read (a concurrent checkout took the last
      // redemption, ...), or an assumption did not hold. The write batch re-read the facts after
      // its writes: name the reason, or (assumed facts only) write again on the facts it read.
      const again = decide(after!);
      if (again.kind === 'replay') return replayed(again.status, again.body);
      if (again.kind === 'refused') throw refusal(again.reason);
      if (!assumed) break;
      reads = after!;
      assumed = false;
    }
    throw new AppError('conflict', { code: 'checkout_conflict', detail: 'A concurrent change refused this checkout; try again.' });
  },
);

import { Hono, type Context } from 'hono';
import { describeRoute, resolver } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { AppError, notFound } from '../errors';
import { toFieldErrors, validate } from '../validation';
import { IdParam, commonProblems, json, problem } from '../schemas/common';
import { ActivateRequest, RenewRequest } from '../schemas/offer';
import { Subscription, subscriptionJsonAt, type SubscriptionRaw } from '../schemas/subscription';
import { newId, sha256Hex } from '../domain/crypto';
import {
  decideActivate,
  decideCancel,
  decideRenew,
  decideReplay,
  decideVoid,
  type Found,
  type HookDecision,
  type HookOperation,
  type HookRefusal,
} from '../domain/billing';
import { decideRenewal, type Duration } from '../domain/offer-rules';
import { addPeriod } from '../domain/periods';
import { discountOf } from '../db/offer-rows';
import { readForHook, releaseSeat, renewalRedemption, storeUnchangedAnswer, voidGiveBacks, writeHook, type HookReads } from '../db/billing-hooks';
import { activateStatement, cancelStatement, claimForVoidStatement, deleteVoidedStatements, getSubscription, renewStatements } from '../db/subscriptions';
import type { WebhookEventType } from '../db/webhook-outbox';
import type { D1 } from '../db/guard';
import { afterEvent, executionContext } from '../lib/after-commit';
import { idempotencyKey, keyReused, replayed } from '../lib/idempotency-key';

const tags = ['Billing hooks'];
const Voided = z.object({ id: z.string(), voided: z.literal(true) }).meta({ id: 'VoidedSubscription' });

const REFUSAL_TEXT: Record<HookRefusal, string> = {
  hold_expired: 'The checkout hold of this subscription has expired: its counts were given back. Start a new checkout.',
  subscription_not_pending: 'Only a pending subscription can be activated.',
  subscription_not_active: 'This subscription is not active (pending payment, or its hold expired).',
  subscription_not_renewable: 'A cancelled or expired subscription cannot be renewed.',
  cycle_mismatch: 'That cycle is not the next one of this subscription.',
  not_voidable: 'Only a new checkout subscription (first cycle) can be voided; cancel it instead.',
  subscription_voided: 'This subscription was voided and no longer exists.',
};

const refused = (reason: HookRefusal) =>
  new AppError('conflict', { code: reason, detail: REFUSAL_TEXT[reason], ...(reason === 'cycle_mismatch' ? { errors: [{ path: 'cycle', message: REFUSAL_TEXT[reason] }] } : {}) });

/** An optional JSON body: none, an empty one, or one the schema accepts (400 naming the field otherwise). */
async function optionalBody<T>(c: Context<AppEnv>, schema: z.ZodType<T>): Promise<T> {
  const text = (await c.req.text()).trim();
  let body: unknown = {};
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new AppError('invalid_input', { code: 'malformed_json', detail: 'The body is not valid JSON.', errors: [{ path: '', message: 'is not valid JSON' }] });
    }
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError('invalid_input', { code: 'invalid_input', detail: 'The request is invalid.', errors: toFieldErrors(parsed.error.issues) });
  return parsed.data;
}

const found = (r: HookReads): Found =>
  r.subscription
    ? { kind: 'found', sub: { status: r.subscription.status, holdExpiresAt: r.subscription.hold_expires_at, source: r.subscription.source, cycle: r.subscription.cycle } }
    : r.voided
      ? { kind: 'voided' }
      : { kind: 'unknown' };

interface HookPlan<Go> {
  op: HookOperation;
  /** The normalised request, hashed with the operation and id for the Idempotency-Key. */
  request: unknown;
  decide: (f: Found, now: number) => HookDecision<Go>;
  /** The answer of an unchanged request (the current state). */
  unchanged: (r: HookReads, now: number) => unknown;
  /** The batch of the change; the answer and event object it will produce. */
  write: (r: HookReads & { subscription: SubscriptionRaw }, go: Go, x: { now: number; writeId: string; db: D1; tenantId: string }) => {
    change: D1PreparedStatement[];
    follow?: Parameters<typeof writeHook>[1]['follow'];
    final?: D1PreparedStatement[];
    answer: unknown;
    event: { type: WebhookEventType; object: unknown };
  };
}

/**
 * One billing hook: the key's stored answer (replayed, refused as reused, or ignored when its
 * subscription no longer exists), the decision, then one compare-and-set batch. A request that
 * lost a race is decided again from the state the batch read after its writes: a duplicate is
 * answered as already done (or replayed), never with a 500 and never by a second change.
 */
async function runHook<Go>(c: Context<AppEnv>, id: string, plan: HookPlan<Go>): Promise<Response> {
  const key = idempotencyKey(c.req.header('Idempotency-Key'));
  const tenantId = c.get('tenant').id;
  const db = c.get('d1');
  const requestHash = key ? await sha256Hex(JSON.stringify([plan.op, id, plan.request])) : '';
  const now = Date.now();
  let reads = await readForHook(db, tenantId, id, key);
  for (let attempt = 0; ; attempt++) {
    const replay = decideReplay(plan.op, reads.stored ? { requestHash: reads.stored.request_hash, status: reads.stored.status, body: reads.stored.response } : null, requestHash, reads.subscription !== null);
    if (replay.kind === 'key_reuse') throw keyReused();
    if (replay.kind === 'replay') return replayed(replay.status, replay.body);
    const d = plan.decide(found(reads), now);
    if (d.kind === 'not_found') throw notFound('subscription', 'id');
    if (d.kind === 'voided') throw refused('subscription_voided');
    if (d.kind === 'refused') throw refused(d.reason);
    if (d.kind === 'unchanged') {
      const body = JSON.stringify(plan.unchanged(reads, now));
      if (key) await storeUnchangedAnswer(db, tenantId, id, { key, requestHash, status: 200, response: body }, now);
      return new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } });
    }
    if (attempt > 0) break; // decided "go" again after losing: something else keeps changing it
    const writeId = newId('wr');
    const w = plan.write(reads as HookReads & { subscription: SubscriptionRaw }, d.go, { now, writeId, db, tenantId });
    const body = JSON.stringify(w.answer);
    const result = await writeHook(db, {
      tenantId,
      id,
      writeId,
      now,
      change: w.change,
      follow: w.follow,
      final: w.final,
      answer: key ? { key, requestHash, status: 200, response: body } : null,
      event: w.event,
      key,
    });
    if (result.won) {
      afterEvent(c.env, executionContext(c), tenantId, result.evented);
      return new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } });
    }
    reads = result.after;
  }
  throw new AppError('conflict', { code: plan.op === 'renew' ? 'renewal_conflict' : 'subscription_conflict', detail: 'The subscription changed concurrently; read it and try again.' });
}

const json200 = (r: HookReads, now: number) => subscriptionJsonAt(r.subscription!, now);

/** `/admin/v1/subscriptions`: the publisher's billing drives activation, renewals, cancellations and voids. */
export const subscriptionsAdmin = new Hono<AppEnv>()
  .get(
    '/:id',
    describeRoute({ tags, summary: 'Get a subscription', responses: { 200: json('The subscription', Subscription), 404: problem('Unknown subscription'), ...commonProblems } }),
    validate('param', IdParam('sub')),
    async (c) => {
      const row = await getSubscription(c.get('d1'), c.get('tenant').id, c.req.valid('param').id);
      if (!row) throw notFound('subscription', 'id');
      return c.json(subscriptionJsonAt(row, Date.now()));
    },
  )
  .post(
    '/:id/activate',
    describeRoute({
      tags,
      summary: 'Activate a pending subscription (its payment succeeded)',
      requestBody: { required: false, content: { 'application/json': { schema: resolver(ActivateRequest) } } },
      description:
        'pending → `active`, recording `collection` and `payment_reference`. Again on an active one: `200` unchanged. After `hold_expires_at` (whether or not the sweep marked it): `409 hold_expired`, its counts were given back. Honours `Idempotency-Key`.',
      responses: {
        200: json('The active subscription', Subscription),
        404: problem('Unknown subscription'),
        409: problem('`hold_expired`, `subscription_not_pending` (cancelled, expired), `subscription_voided`'),
        422: problem('`idempotency_key_reuse`'),
        ...commonProblems,
      },
    }),
    validate('param', IdParam('sub')),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = await optionalBody(c, ActivateRequest);
      return runHook(c, id, {
        op: 'activate',
        request: [input.collection ?? null, input.payment_reference ?? null],
        decide: decideActivate,
        unchanged: json200,
        write: (r, _go, x) => {
          const s = r.subscription;
          const after: SubscriptionRaw = {
            ...s,
            status: 'active',
            collection: input.collection ?? s.collection,
            payment_reference: input.payment_reference ?? s.payment_reference,
            updated_at: x.now,
          };
          const object = subscriptionJsonAt(after, x.now);
          return {
            change: [activateStatement(x.db, { tenantId: x.tenantId, id, writeId: x.writeId, now: x.now, collection: input.collection ?? null, paymentReference: input.payment_reference ?? null })],
            answer: object,
            event: { type: 'subscription.activated', object },
          };
        },
      });
    },
  )
  .post(
    '/:id/renew',
    describeRoute({
      tags,
      summary: 'Renew (a new billing cycle)',
      requestBody: { required: false, content: { 'application/json': { schema: resolver(RenewRequest) } } },
      description:
        "Automatic renewal, or `{grace: true}` for a renewal paid within the grace period. Not an avail. The sign-up discount continues while every cycle so far was discounted and the discounted cycles stay within the offer's `subscription_limit`, even after the offer ended. Answers the subscription with the new cycle's `amount_due`, `discount` and `cycle`. " +
        'With `cycle` (the number of the cycle being started) it is idempotent: a cycle already started answers `200` unchanged, a skipped one `409 cycle_mismatch`. Honours `Idempotency-Key`. Concurrent renewals of one cycle start it once.',
      responses: {
        200: json('The renewed subscription', Subscription),
        404: problem('Unknown subscription'),
        409: problem('`subscription_not_active` (pending, or its hold expired), `subscription_not_renewable` (cancelled or expired), `cycle_mismatch`, `subscription_voided`, or `renewal_conflict`'),
        422: problem('`idempotency_key_reuse`'),
        ...commonProblems,
      },
    }),
    validate('param', IdParam('sub')),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = await optionalBody(c, RenewRequest);
      return runHook(c, id, {
        op: 'renew',
        request: [input.grace === true, input.cycle ?? null],
        decide: (f, now) => decideRenew(f, input.cycle, now),
        unchanged: json200,
        write: (r, go, x) => {
          const s = r.subscription;
          // A checkout renews at the plan's current price; a group or import subscription was
          // granted at no charge and stays at its own price.
          const price = s.source === 'checkout' ? (r.plan?.price ?? s.price) : s.price;
          const d = decideRenewal({
            cycle: s.cycle,
            discountedCycles: s.discounted_cycles,
            offer: r.offer ? { discount: discountOf(r.offer), subscriptionLimit: r.offer.subscription_limit } : null,
            price,
            currency: s.currency,
          });
          const periodStart = s.current_period_end;
          const next = {
            cycle: go.cycle,
            discountedCycles: d.discountedCycles,
            price: d.price,
            discount: d.discount,
            amountDue: d.amountDue,
            periodStart,
            periodEnd: addPeriod(periodStart, (r.plan?.duration ?? '1m') as Duration),
            grace: input.grace === true,
          };
          const after: SubscriptionRaw = {
            ...s,
            status: 'active',
            cycle: next.cycle,
            discounted_cycles: next.discountedCycles,
            price: next.price,
            discount: next.discount,
            amount_due: next.amountDue,
            current_period_start: next.periodStart,
            current_period_end: next.periodEnd,
            updated_at: x.now,
          };
          const object = subscriptionJsonAt(after, x.now);
          return {
            change: renewStatements(x.db, { tenantId: x.tenantId, id, writeId: x.writeId, now: x.now, next }),
            follow: d.discounted && s.offer_id ? (mine) => renewalRedemption(x.db, mine, { redemptionId: newId('red'), sub: s, cycle: next.cycle, discount: next.discount, now: x.now }) : undefined,
            answer: object,
            event: { type: 'subscription.renewed', object },
          };
        },
      });
    },
  )
  .post(
    '/:id/cancel',
    describeRoute({
      tags,
      summary: 'Cancel (unsubscribe)',
      description:
        'Ends it (`status: "cancelled"`), a pending one too (it keeps what it took; a failed payment is voided instead); again on a cancelled one, `200` unchanged; a lapsed hold: `409 hold_expired`. A group member\'s cancellation frees the seat. A later checkout by the same user on the same product is a reactivation. Honours `Idempotency-Key`.',
      responses: {
        200: json('The cancelled subscription', Subscription),
        404: problem('Unknown subscription'),
        409: problem('`hold_expired`, `subscription_voided`'),
        422: problem('`idempotency_key_reuse`'),
        ...commonProblems,
      },
    }),
    validate('param', IdParam('sub')),
    async (c) => {
      const { id } = c.req.valid('param');
      return runHook(c, id, {
        op: 'cancel',
        request: null,
        decide: decideCancel,
        unchanged: json200,
        write: (r, _go, x) => {
          const s = r.subscription;
          const after: SubscriptionRaw = { ...s, status: 'cancelled', cancelled_at: s.cancelled_at ?? x.now, updated_at: x.now };
          const object = subscriptionJsonAt(after, x.now);
          return {
            change: [cancelStatement(x.db, { tenantId: x.tenantId, id, writeId: x.writeId, now: x.now })],
            follow: (mine) => releaseSeat(x.db, mine, { tenantId: x.tenantId, id, now: x.now }),
            answer: object,
            event: { type: 'subscription.cancelled', object },
          };
        },
      });
    },
  )
  .post(
    '/:id/void',
    describeRoute({
      tags,
      summary: 'Void a new subscription whose payment failed',
      description:
        "Removes the subscription (a checkout's first cycle: pending, active, or a lapsed hold) and releases its redemption: the single-use code, the user's avail and the offer's counts come back. Idempotent: voiding again answers the same 200. Afterwards the subscription answers 404, and the other hooks `409 subscription_voided`. Honours `Idempotency-Key`.",
      responses: {
        200: json('Voided', Voided),
        404: problem('Unknown subscription'),
        409: problem('`not_voidable`: renewed already, or not from a checkout'),
        422: problem('`idempotency_key_reuse`'),
        ...commonProblems,
      },
    }),
    validate('param', IdParam('sub')),
    async (c) => {
      const { id } = c.req.valid('param');
      return runHook(c, id, {
        op: 'void',
        request: null,
        decide: (f) => decideVoid(f),
        unchanged: () => ({ id, voided: true }),
        write: (r, _go, x) => {
          const s = r.subscription;
          return {
            change: [claimForVoidStatement(x.db, { tenantId: x.tenantId, id, writeId: x.writeId })],
            follow: (mine) => voidGiveBacks(x.db, mine, { tenantId: x.tenantId, sub: s, now: x.now }),
            final: deleteVoidedStatements(x.db, { tenantId: x.tenantId, id, writeId: x.writeId }),
            answer: { id, voided: true },
            event: { type: 'subscription.voided', object: subscriptionJsonAt(s, x.now) },
          };
        },
      });
    },
  );

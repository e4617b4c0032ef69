import { Hono } from 'hono';
import { describeRoute, resolver } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv, EndUser } from '../env';
import { AppError, notFound } from '../errors';
import { toFieldErrors, validate } from '../validation';
import { IdParam, commonProblems, json, problem } from '../schemas/common';
import { CheckoutRequest, RenewRequest } from '../schemas/offer';
import { Subscription, subscriptionRawJson, type SubscriptionRaw } from '../schemas/subscription';
import { requireUser } from '../middleware/auth';
import { newId, sha256Hex } from '../domain/crypto';
import { decideRedemption, decideRenewal } from '../domain/offer-rules';
import { addPeriod } from '../domain/periods';
import {
  cancelSubscription,
  discountOf,
  getSubscription,
  primaryDb,
  readForRedemption,
  readForRenewal,
  redemptionFacts,
  redemptionReads,
  writeCheckout,
  writeRenewal,
  writeVoid,
  type D1,
  type RedemptionReads,
} from '../db/offers';
import { codeRejected, typedCode } from './quotes';

type Applied = { discount: number; amountDue: number; price: number; withOffer: boolean };
type Judgement = { kind: 'replay'; status: number; body: string } | { kind: 'go'; applied: Applied };

/** What a checkout does given its reads: replay, refuse (throws), or go ahead with these amounts. */
function judge(reads: RedemptionReads, user: EndUser, code: string | null, requestHash: string, now: number): Judgement {
  if (reads.idempotency) {
    if (reads.idempotency.request_hash === requestHash) return { kind: 'replay', status: reads.idempotency.status, body: reads.idempotency.response };
    throw new AppError('unprocessable', {
      code: 'idempotency_key_reuse',
      detail: 'This Idempotency-Key was used with a different request.',
      errors: [{ path: 'Idempotency-Key', message: 'was used with a different request body' }],
    });
  }
  if (!reads.plan || reads.plan.active !== 1) throw notFound('plan', 'plan_id');
  if (reads.subscriptions.some((s) => s.status === 'active' || s.status === 'grace')) {
    throw new AppError('conflict', { code: 'already_subscribed', detail: 'This user already has a live subscription on this product.' });
  }
  if (!code) return { kind: 'go', applied: { price: reads.plan.price, discount: 0, amountDue: reads.plan.price, withOffer: false } };
  const decision = decideRedemption(redemptionFacts(reads, user, now));
  if (decision.kind === 'rejected') throw codeRejected(decision.reason);
  return { kind: 'go', applied: { price: decision.price, discount: decision.discount, amountDue: decision.amountDue, withOffer: true } };
}

const replay = (j: { status: number; body: string }) =>
  new Response(j.body, { status: j.status, headers: { 'Content-Type': 'application/json', 'Idempotent-Replayed': 'true' } });

/** `POST /v1/subscriptions` (checkout) */
export const publicSubscriptions = new Hono<AppEnv>().post(
  '/',
  describeRoute({
    tags: ['Public'],
    summary: 'Subscribe to a plan, with a code (checkout)',
    description:
      'User token required. Honours `Idempotency-Key`: the same key and body answer the same; the same key with another body answers 422 `idempotency_key_reuse`. A live subscription on the same product answers 409 `already_subscribed`; a checkout after a cancellation is a reactivation (an avail). Every limit is enforced atomically; at most two D1 round trips.',
    responses: {
      201: json('The subscription', Subscription),
      404: problem('Unknown or inactive plan'),
      409: problem('`already_subscribed`'),
      422: problem('The code cannot apply (same codes as quotes), or `idempotency_key_reuse`'),
      ...commonProblems,
    },
  }),
  validate('json', CheckoutRequest),
  async (c) => {
    const user = requireUser(c);
    const input = c.req.valid('json');
    const key = c.req.header('Idempotency-Key')?.trim() || null;
    if (key !== null && (key.length > 255 || !/^[\x21-\x7e]+$/.test(key))) {
      throw new AppError('invalid_input', { code: 'invalid_input', detail: 'Invalid Idempotency-Key.', errors: [{ path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }] });
    }
    const code = typedCode(input.code);
    const tenant = c.get('tenant');
    const collection = input.collection ?? 'charge_card';
    const requestHash = key ? await sha256Hex(JSON.stringify([input.plan_id, code, collection])) : '';
    const db: D1 = primaryDb(c.env.DB, c.get('d1RoundTrips'));
    const query = {
      tenantId: tenant.id,
      planId: input.plan_id,
      code,
      user: { id: user.id, email: user.emailVerified ? user.email : null },
      checkout: true,
      idempotencyKey: key,
    };
    const now = Date.now();
    const reads = await readForRedemption(db, query);
    const judged = judge(reads, user, code, requestHash, now);
    if (judged.kind === 'replay') return replay(judged);
    const plan = reads.plan!;
    const a = judged.applied;
    const row: SubscriptionRaw = {
      id: newId('sub'),
      tenant_id: tenant.id,
      user_id: user.id,
      product_id: plan.product_id,
      plan_id: plan.id,
      status: 'active',
      source: 'checkout',
      collection,
      group_id: null,
      offer_id: a.withOffer ? reads.offer!.id : null,
      code: a.withOffer ? code : null,
      reactivation: reads.subscriptions.length > 0 ? 1 : 0,
      cycle: 1,
      discounted_cycles: a.withOffer && a.discount > 0 ? 1 : 0,
      price: a.price,
      discount: a.discount,
      amount_due: a.amountDue,
      currency: plan.currency,
      current_period_start: now,
      current_period_end: addPeriod(now, plan.duration as '1m'),
      hold_expires_at: null,
      cancelled_at: null,
      created_at: now,
      updated_at: now,
    };
    const body = JSON.stringify(subscriptionRawJson(row));
    const { created, after } = await writeCheckout(db, {
      tenantId: tenant.id,
      now,
      user: { id: user.id, email: user.email, emailVerified: user.emailVerified },
      subscription: {
        id: row.id,
        productId: row.product_id,
        planId: row.plan_id,
        collection,
        reactivation: row.reactivation === 1,
        price: row.price,
        discount: row.discount,
        amountDue: row.amount_due,
        currency: row.currency,
        periodStart: row.current_period_start,
        periodEnd: row.current_period_end,
      },
      offer: a.withOffer
        ? {
            id: reads.offer!.id,
            code: code!,
            codeKind: reads.offer!.code_kind,
            redemptionId: newId('red'),
          }
        : null,
      idempotency: key ? { key, requestHash, response: body } : null,
    }, redemptionReads(db, query));
    if (created) return new Response(body, { status: 201, headers: { 'Content-Type': 'application/json' } });
    // Refused by a guard: something changed since the read (a concurrent checkout took the last
    // redemption, ...). The write batch re-read the facts after its writes: name the reason.
    const again = judge(after!, user, code, requestHash, Date.now());
    if (again.kind === 'replay') return replay(again);
    throw new AppError('conflict', { code: 'checkout_conflict', detail: 'A concurrent change refused this checkout; try again.' });
  },
);

const tags = ['Billing hooks'];
const Voided = z.object({ id: z.string(), voided: z.literal(true) }).meta({ id: 'VoidedSubscription' });

/** `/admin/v1/subscriptions`: the publisher's billing drives renewals, cancellations and voids. */
export const subscriptionsAdmin = new Hono<AppEnv>()
  .get(
    '/:id',
    describeRoute({ tags, summary: 'Get a subscription', responses: { 200: json('The subscription', Subscription), 404: problem('Unknown subscription'), ...commonProblems } }),
    validate('param', IdParam('sub')),
    async (c) => {
      const row = await getSubscription(primaryDb(c.env.DB, c.get('d1RoundTrips')), c.get('tenant').id, c.req.valid('param').id);
      if (!row) throw notFound('subscription', 'id');
      return c.json(subscriptionRawJson(row));
    },
  )
  .post(
    '/:id/renew',
    describeRoute({
      tags,
      summary: 'Renew (a new billing cycle)',
      requestBody: { required: false, content: { 'application/json': { schema: resolver(RenewRequest) } } },
      description:
        'Automatic renewal, or `{grace: true}` for a renewal paid within the grace period. Not an avail. The sign-up discount continues while every cycle so far was discounted and the discounted cycles stay within the offer\'s `subscription_limit`, even after the offer ended. Answers the subscription with the new cycle\'s `amount_due`, `discount` and `cycle`.',
      responses: {
        200: json('The renewed subscription', Subscription),
        404: problem('Unknown subscription'),
        409: problem('`subscription_not_renewable` (cancelled or expired), or `renewal_conflict`'),
        ...commonProblems,
      },
    }),
    validate('param', IdParam('sub')),
    async (c) => {
      const { id } = c.req.valid('param');
      // The body is optional: none, an empty one, or `{grace?: true}`.
      const text = (await c.req.text()).trim();
      let body: unknown = {};
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new AppError('invalid_input', { code: 'malformed_json', detail: 'The body is not valid JSON.', errors: [{ path: '', message: 'is not valid JSON' }] });
        }
      }
      const parsed = RenewRequest.safeParse(body);
      if (!parsed.success) throw new AppError('invalid_input', { code: 'invalid_input', detail: 'The request is invalid.', errors: toFieldErrors(parsed.error.issues) });
      const { grace } = parsed.data;
      const tenantId = c.get('tenant').id;
      const db = primaryDb(c.env.DB, c.get('d1RoundTrips'));
      const r = await readForRenewal(db, tenantId, id);
      if (!r.subscription) throw notFound('subscription', 'id');
      const sub = r.subscription;
      if (sub.status !== 'active' && sub.status !== 'grace') {
        throw new AppError('conflict', { code: 'subscription_not_renewable', detail: `A ${sub.status} subscription cannot be renewed.` });
      }
      // A checkout renews at the plan's current price; a group or import subscription was
      // granted at no charge and stays at its own price.
      const price = sub.source === 'checkout' ? (r.plan?.price ?? sub.price) : sub.price;
      const decision = decideRenewal({
        cycle: sub.cycle,
        discountedCycles: sub.discounted_cycles,
        offer: r.offer ? { discount: discountOf(r.offer), subscriptionLimit: r.offer.subscription_limit } : null,
        price,
        currency: sub.currency,
      });
      const now = Date.now();
      const periodStart = sub.current_period_end;
      const renewed = await writeRenewal(db, {
        tenantId,
        now,
        sub,
        redemptionId: newId('red'),
        next: {
          cycle: decision.cycle,
          discounted: decision.discounted,
          discountedCycles: decision.discountedCycles,
          price: decision.price,
          discount: decision.discount,
          amountDue: decision.amountDue,
          periodStart,
          periodEnd: addPeriod(periodStart, (r.plan?.duration ?? '1m') as '1m'),
          grace: grace === true,
        },
      });
      if (!renewed) throw new AppError('conflict', { code: 'renewal_conflict', detail: 'The subscription changed concurrently; read it and try again.' });
      return c.json(subscriptionRawJson(renewed));
    },
  )
  .post(
    '/:id/cancel',
    describeRoute({
      tags,
      summary: 'Cancel (unsubscribe)',
      description: 'Idempotent. A later checkout by the same user on the same product is a reactivation.',
      responses: { 200: json('The cancelled subscription', Subscription), 404: problem('Unknown subscription'), ...commonProblems },
    }),
    validate('param', IdParam('sub')),
    async (c) => {
      const row = await cancelSubscription(primaryDb(c.env.DB, c.get('d1RoundTrips')), c.get('tenant').id, c.req.valid('param').id, Date.now());
      if (!row) throw notFound('subscription', 'id');
      return c.json(subscriptionRawJson(row));
    },
  )
  .post(
    '/:id/void',
    describeRoute({
      tags,
      summary: 'Void a new subscription whose payment failed',
      description:
        'Removes the subscription (first cycle only) and releases its redemption: the single-use code, the user\'s avail and the offer\'s counts come back. Idempotent: voiding again answers the same 200.',
      responses: {
        200: json('Voided', Voided),
        404: problem('Unknown subscription'),
        409: problem('`not_voidable`: renewed already, or not from a checkout'),
        ...commonProblems,
      },
    }),
    validate('param', IdParam('sub')),
    async (c) => {
      const { id } = c.req.valid('param');
      const tenantId = c.get('tenant').id;
      const db = primaryDb(c.env.DB, c.get('d1RoundTrips'));
      const r = await readForRenewal(db, tenantId, id);
      if (!r.subscription) {
        if (r.voided) return c.json({ id, voided: true as const });
        throw notFound('subscription', 'id');
      }
      if (r.subscription.cycle !== 1 || r.subscription.source !== 'checkout') {
        throw new AppError('conflict', { code: 'not_voidable', detail: 'Only a new checkout subscription (first cycle) can be voided; cancel it instead.' });
      }
      if (!(await writeVoid(db, tenantId, r.subscription, Date.now()))) {
        // Changed meanwhile: voided by a concurrent call (same answer), or renewed (refused).
        const again = await readForRenewal(db, tenantId, id);
        if (!again.voided) throw new AppError('conflict', { code: 'not_voidable', detail: 'The subscription changed meanwhile (renewed); cancel it instead.' });
      }
      return c.json({ id, voided: true as const });
    },
  );

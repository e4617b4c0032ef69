import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { validate } from '../validation';
import { codeGuessingProblem, commonProblems, json, problem } from '../schemas/common';
import { Quote, QuoteRequest } from '../schemas/offer';
import { codeRejected, codeRejection, typedCode } from '../schemas/code-rejection';
import { decideRedemption, type RedemptionDecision } from '../domain/offer-rules';
import type { PlanRowRaw } from '../db/offer-rows';
import { quoteFromCache, quoteFromD1 } from '../db/quote-cache';
import { quoteOfferJson } from '../schemas/offer-json';

/** `POST /v1/quotes`: the price of a plan with an optional code, in one D1 round trip. */
export const quotes = new Hono<AppEnv>().post(
  '/',
  describeRoute({
    tags: ['Public'],
    summary: 'Price a plan, with a code',
    description:
      'A code that cannot apply answers 422 with `code` one of code_not_found, code_invalid_format, offer_not_started, offer_expired, not_eligible, not_applicable, avail_limit_reached, redemptions_exhausted, login_required.',
    responses: { 200: json('The quote', Quote), 404: problem('Unknown or inactive plan'), 422: codeRejection('The code cannot apply'), ...codeGuessingProblem, ...commonProblems },
  }),
  validate('json', QuoteRequest),
  async (c) => {
    const input = c.req.valid('json');
    const code = typedCode(input.code);
    const q = { tenantId: c.get('tenant').id, planId: input.plan_id, code, user: c.get('user') };
    const now = Date.now();
    // The edge cache when the answer depends on definitions only, else D1 in one round trip (worker/db/quote-cache.ts).
    const source = quoteFromCache(q, now) ?? (await quoteFromD1(c.get('d1Replica'), q, now));
    const plan = source.plan;
    if (!plan || plan.active !== 1) throw notFound('plan', 'plan_id');
    if (!source.facts) return c.json(plainQuote(plan));
    const decision = decideRedemption(source.facts);
    if (decision.kind === 'rejected') throw codeRejected(decision.reason);
    return c.json(offerQuote(plan, decision, quoteOfferJson(source.offer!)));
  },
);

const plainQuote = (plan: PlanRowRaw) => ({ plan_id: plan.id, price: plan.price, discount: 0, amount_due: plan.price, currency: plan.currency, discounted_cycles: 0 });

const offerQuote = (plan: PlanRowRaw, d: Extract<RedemptionDecision, { kind: 'applied' }>, offer: unknown) => ({
  plan_id: plan.id,
  price: d.price,
  discount: d.discount,
  amount_due: d.amountDue,
  currency: plan.currency,
  discounted_cycles: d.discountedCycles,
  offer,
});

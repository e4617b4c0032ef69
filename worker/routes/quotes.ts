import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { AppError, notFound } from '../errors';
import { validate } from '../validation';
import { commonProblems, json, problem } from '../schemas/common';
import { Quote, QuoteRequest } from '../schemas/offer';
import { codeRejection } from '../schemas/code-rejection';
import { CODE_PATTERN, decideRedemption, normaliseCode, type RedemptionDecision, type RejectReason } from '../domain/offer-rules';
import type { PlanRowRaw } from '../db/offers';
import { quoteFromCache, quoteFromD1 } from '../db/quote-cache';
import { quoteOfferJson } from '../schemas/offer-json';

const REASON_TEXT: Record<RejectReason, string> = {
  code_not_found: 'No offer has this code.',
  code_invalid_format: 'A code is 3–32 letters and digits.',
  offer_not_started: 'This offer has not started yet.',
  offer_expired: 'This offer has ended.',
  not_eligible: 'This offer is not available to this user.',
  not_applicable: 'This offer does not apply to this plan.',
  avail_limit_reached: 'This user has already used this offer as many times as it allows.',
  redemptions_exhausted: 'This offer has no redemptions left.',
  login_required: 'Sign in to use this code.',
};

/** The 422 of a code that cannot apply (quotes and checkout). */
export const codeRejected = (reason: RejectReason) =>
  new AppError('unprocessable', { code: reason, detail: REASON_TEXT[reason], errors: [{ path: 'code', message: REASON_TEXT[reason] }] });

/** Normalises a typed code: null when none; 422 `code_invalid_format` for other characters. */
export function typedCode(code: string | null | undefined): string | null {
  if (code === undefined || code === null || code.trim() === '') return null;
  const trimmed = code.trim();
  if (!CODE_PATTERN.test(trimmed)) throw codeRejected('code_invalid_format');
  return normaliseCode(trimmed);
}

/** `POST /v1/quotes`: the price of a plan with an optional code, in one D1 round trip. */
export const quotes = new Hono<AppEnv>().post(
  '/',
  describeRoute({
    tags: ['Public'],
    summary: 'Price a plan, with a code',
    description:
      'A code that cannot apply answers 422 with `code` one of code_not_found, code_invalid_format, offer_not_started, offer_expired, not_eligible, not_applicable, avail_limit_reached, redemptions_exhausted, login_required.',
    responses: { 200: json('The quote', Quote), 404: problem('Unknown or inactive plan'), 422: codeRejection('The code cannot apply'), ...commonProblems },
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

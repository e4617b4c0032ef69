import { z } from 'zod';
import { resolver } from 'hono-openapi';
import { CODE_PATTERN, REJECT_REASONS, normaliseCode, type RejectReason } from '../domain/offer-rules';
import { AppError } from '../errors';
import { Problem } from './common';

/**
 * The 422 of a code that cannot apply (quotes and checkout), with `code` as a closed enum so
 * that clients (the widget's generated types, widget/api-types.ts) read the reasons from
 * `/openapi.json` instead of copying them.
 */
export const CodeRejection = Problem.extend({
  code: z.enum(REJECT_REASONS).meta({ description: 'Why the code cannot apply' }),
}).meta({ id: 'CodeRejection', description: 'RFC 9457 problem: a code that cannot apply' });

/** An OpenAPI response entry for that 422. */
export function codeRejection(description: string) {
  return { description, content: { 'application/problem+json': { schema: resolver(CodeRejection) } } };
}

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

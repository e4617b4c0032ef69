import { z } from 'zod';
import { resolver } from 'hono-openapi';
import { REJECT_REASONS } from '../domain/offer-rules';
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

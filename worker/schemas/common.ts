import { z } from 'zod';
import { resolver } from 'hono-openapi';
import { DURATIONS } from '../db/schema';

export const Id = (prefix: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z]+_[0-9a-z]+$/, `must be an id like ${prefix}_…`)
    .meta({ example: `${prefix}_0mhx2k8ab3f9q1z7yk2a` });

export const IdParam = (prefix: string) => z.object({ id: Id(prefix) });

export const Duration = z.enum(DURATIONS).meta({ description: 'Billing period: 1 month, 3 months, 6 months or 1 year.' });

/** Integer minor units (cents, paise). */
export const MinorUnits = z
  .number()
  .int('must be an integer amount in minor units')
  .min(0, 'must not be negative')
  .max(1_000_000_000_000, 'is too large');

const knownCurrencies: Set<string> | null = (() => {
  try {
    return new Set((Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('currency'));
  } catch {
    return null;
  }
})();

export const Currency = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(
    z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as INR or USD')
      .refine((c) => knownCurrencies === null || knownCurrencies.has(c), 'is not an ISO 4217 currency code'),
  )
  .meta({ example: 'INR' });

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  starting_after: z.string().max(64).optional(),
});

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), has_more: z.boolean(), next_cursor: z.string().nullable() });

/** An OpenAPI response entry with a JSON body. */
export function json(description: string, schema: z.ZodType) {
  return { description, content: { 'application/json': { schema: resolver(schema) } } };
}

export function problem(description: string) {
  return { description, content: { 'application/problem+json': { schema: resolver(Problem) } } };
}

/** The responses every authenticated route may give. */
export const commonProblems = {
  400: problem('Invalid input: `errors` names each field'),
  401: problem('Missing or invalid key'),
};

/** The code-guessing limit of POST /v1/quotes and POST /v1/subscriptions (docs/security.md). */
export const codeGuessingProblem = {
  429: problem('`rate_limited`: 10 failed codes within 60 s from this client IP or user; `Retry-After` says when to try again'),
};

export { iso } from '../domain/instants';

import type { ValidationTargets } from 'hono';
import { validator as openApiValidator } from 'hono-openapi';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { AppError, type FieldError } from './errors';

/** Formats standard-schema issues as `{path, message}` with dotted paths (`discount.value`). */
export function toFieldErrors(issues: readonly StandardSchemaV1.Issue[], prefix?: string): FieldError[] {
  return issues.flatMap((issue) => {
    const segments = (issue.path ?? []).map((p) => String(typeof p === 'object' && p !== null ? p.key : p));
    // An unknown field is named by its own path (`max_redemptions`), not by its parent's.
    const unknownKeys = (issue as { code?: string; keys?: unknown }).code === 'unrecognized_keys' ? (issue as { keys?: unknown }).keys : undefined;
    if (Array.isArray(unknownKeys) && unknownKeys.length > 0) {
      return unknownKeys.map((key) => ({ path: [prefix, ...segments, String(key)].filter(Boolean).join('.'), message: 'is not a known field' }));
    }
    const path = [prefix, ...segments].filter(Boolean).join('.');
    return [{ path: path || (prefix ?? ''), message: issue.message }];
  });
}

/**
 * The one validation wrapper: validates a request part with a zod schema, records it in the
 * OpenAPI document, and turns failures into a 400 problem naming each field.
 */
export function validate<Schema extends StandardSchemaV1, Target extends keyof ValidationTargets>(
  target: Target,
  schema: Schema,
) {
  return openApiValidator(target, schema, (result) => {
    if (!result.success) {
      const prefix = target === 'json' ? undefined : target;
      throw new AppError('invalid_input', {
        code: 'invalid_input',
        detail: 'The request is invalid.',
        errors: toFieldErrors(result.error, prefix),
      });
    }
  });
}

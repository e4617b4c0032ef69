/**
 * The Idempotency-Key header of checkout and the billing hooks (docs/billing.md): its syntax,
 * the refusal of a key reused with another request, and the replayed answer.
 */
import { AppError } from '../errors';

/** An Idempotency-Key header: absent, or 1–255 visible ASCII characters (400 otherwise). */
export function idempotencyKey(header: string | undefined): string | null {
  const key = header?.trim() || null;
  if (key !== null && (key.length > 255 || !/^[\x21-\x7e]+$/.test(key))) {
    throw new AppError('invalid_input', { code: 'invalid_input', detail: 'Invalid Idempotency-Key.', errors: [{ path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }] });
  }
  return key;
}

export const keyReused = () =>
  new AppError('unprocessable', {
    code: 'idempotency_key_reuse',
    detail: 'This Idempotency-Key was used with a different request.',
    errors: [{ path: 'Idempotency-Key', message: 'was used with a different request body' }],
  });

export const replayed = (status: number, body: string) =>
  new Response(body, { status, headers: { 'Content-Type': 'application/json', 'Idempotent-Replayed': 'true' } });

import type { ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { AppError, toProblem } from '../errors';

/** Maps anything thrown to a problem+json response; unknown errors are logged and answered generically. */
export function classify(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // A write refused by a foreign key: another resource still refers to this one.
  if (causeChain(err).some((m) => m.includes('FOREIGN KEY constraint failed'))) {
    return new AppError('conflict', { code: 'resource_in_use', detail: 'Other resources still refer to this one.' });
  }
  if (err instanceof HTTPException) {
    const message = err.message || 'Bad request';
    if (err.status === 413) return new AppError('payload_too_large', { code: 'payload_too_large', detail: message });
    if (err.status === 415) return new AppError('unsupported_media_type', { code: 'unsupported_media_type', detail: message });
    if (err.status === 401) return new AppError('unauthorized', { code: 'unauthorized', detail: message });
    if (err.status >= 400 && err.status < 500) {
      const malformed = /json/i.test(message);
      return new AppError('invalid_input', {
        code: malformed ? 'malformed_json' : 'invalid_input',
        detail: malformed ? 'The body is not valid JSON (with Content-Type: application/json).' : message,
        errors: [{ path: '', message }],
      });
    }
  }
  return new AppError('internal', { code: 'internal' });
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const error = classify(err);
  if (error.kind === 'internal') {
    console.error('unhandled error', c.req.method, new URL(c.req.url).pathname, err);
  }
  const { status, body } = toProblem(error);
  c.header('Content-Type', 'application/problem+json');
  return c.body(JSON.stringify(body), status as 400);
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) => {
  const { status, body } = toProblem(new AppError('not_found', { code: 'route_not_found', detail: `No route for ${c.req.method} ${new URL(c.req.url).pathname}` }));
  c.header('Content-Type', 'application/problem+json');
  return c.body(JSON.stringify(body), status as 404);
};

function causeChain(err: unknown): string[] {
  const messages: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) messages.push(e.message);
  return messages;
}

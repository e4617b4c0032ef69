/**
 * The one error type of the worker. Every failure a caller may see is an `AppError` with one
 * of a fixed set of kinds; `toProblem` maps it to an HTTP status and an RFC 9457 body.
 */

export type ErrorKind =
  | 'invalid_input' // 400: the request is malformed or a field is invalid
  | 'unauthorized' // 401: missing or bad credentials
  | 'forbidden' // 403: credentials are fine but not for this
  | 'not_found' // 404
  | 'conflict' // 409: the state of a resource refuses the request
  | 'payload_too_large' // 413
  | 'unsupported_media_type' // 415
  | 'unprocessable' // 422: a business rule refuses the request (promo codes)
  | 'rate_limited' // 429
  | 'internal'; // 500: never shows details

export interface FieldError {
  path: string;
  message: string;
}

export interface AppErrorInit {
  /** Stable machine-readable code, e.g. `code_taken`. Defaults to the kind. */
  code?: string;
  /** Human-readable explanation of this occurrence. */
  detail?: string;
  errors?: FieldError[];
  /** Extra members of the problem body (RFC 9457 extension members). */
  extra?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, init: AppErrorInit = {}) {
    super(init.detail ?? init.code ?? kind);
    this.name = 'AppError';
    this.kind = kind;
    this.code = init.code ?? kind;
    this.detail = init.detail;
    this.errors = init.errors;
    this.extra = init.extra;
  }
}

const STATUS: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
};

const TITLE: Record<ErrorKind, string> = {
  invalid_input: 'Invalid input',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  conflict: 'Conflict',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  unprocessable: 'Unprocessable request',
  rate_limited: 'Too many requests',
  internal: 'Internal error',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Pure: maps an error kind (and its details) to a status and an RFC 9457 problem body. */
export function toProblem(error: AppError): { status: number; body: ProblemBody } {
  const status = STATUS[error.kind];
  const body: ProblemBody = {
    ...(error.extra ?? {}),
    type: `https://offer-checkout.dev/problems/${error.code}`,
    title: TITLE[error.kind],
    status,
    code: error.code,
  };
  if (error.kind === 'internal') return { status, body };
  if (error.detail) body.detail = error.detail;
  if (error.errors && error.errors.length > 0) body.errors = error.errors;
  return { status, body };
}

// Shorthands for the common cases.
export const notFound = (what: string, path?: string): AppError =>
  new AppError('not_found', {
    code: 'not_found',
    detail: `${what} not found`,
    ...(path ? { errors: [{ path, message: `${what} not found` }] } : {}),
  });

export const invalidField = (path: string, message: string, code = 'invalid_input'): AppError =>
  new AppError('invalid_input', { code, detail: message, errors: [{ path, message }] });

/**
 * The console's client of its own origin: `/console/v1/session` and the admin API `/admin/v1`,
 * authenticated by the HttpOnly session cookie the browser sends (never a key held by script).
 * Every failure becomes an `ApiError` carrying the problem's stable `code` and its field errors.
 */

export type Duration = '1m' | '3m' | '6m' | '1y';
export const DURATIONS: Duration[] = ['1m', '3m', '6m', '1y'];

export interface FieldError {
  path: string;
  message: string;
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export interface Product {
  id: string;
  name: string;
  description: string | null;
}

export interface Plan {
  id: string;
  product_id: string;
  name: string;
  description: string | null;
  duration: Duration;
  price: number;
  currency: string;
  pricing: 'fixed' | 'aum';
  active: boolean;
}

export type Discount = { type: 'percent'; value: number } | { type: 'flat'; amount: number; currency: string };
export type OfferStatus = 'in_progress' | 'scheduled' | 'active' | 'inactive' | 'failed';
export const OFFER_STATUSES: OfferStatus[] = ['in_progress', 'scheduled', 'active', 'inactive', 'failed'];

export interface Warning {
  product_id: string;
  plan_id?: string;
  reason: string;
  message: string;
}

export interface Offer {
  id: string;
  code: string | null;
  code_set: { count: number; prefix: string } | null;
  discount: Discount;
  applies_to: { product_ids: string[]; all_products: boolean; durations: Duration[] };
  starts_at: string;
  ends_at: string;
  eligibility: 'all' | 'list';
  discoverability: 'private' | 'public';
  max_redemptions: number | null;
  avail_limit_per_product: number | null;
  avail_limit_total: number | null;
  subscription_limit: number | null;
  status: OfferStatus;
  warnings: Warning[];
  redemptions: number;
  users_availed: number;
  eligible_users: number;
  discounted_renewals: number;
  /** Jobs of this offer (uploads, code set) with rows that failed. */
  failed_jobs?: { id: string; kind: string; failed: number }[];
  job?: Job;
}

export interface OfferStats {
  eligible_users: number;
  users_availed: number;
  redemptions: number;
  discounted_renewals: number;
  by_plan: { plan_id: string; product_id: string; redemptions: number; users_availed: number; discounted_renewals: number }[];
}

export interface Job {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  total: number;
  processed: number;
  failed: number;
}

export interface Group {
  id: string;
  name: string;
  plan_id: string;
  product_id: string;
  ip_ranges: string[];
  email_domains: string[];
  seat_limit: number | null;
  seats_used: number;
  seats_available: number | null;
  owner_subscription_id: string | null;
}

export interface GroupMember {
  user_id: string;
  via: 'ip' | 'domain' | 'import';
  claimed_at: string;
  subscription_id: string;
  status: string;
}

export interface Tenant {
  id: string;
  name: string;
  time_zone: string;
  allowed_origins: string[];
  checkout_hold_minutes: number;
}

export interface Key {
  id: string;
  kind: 'secret' | 'publishable';
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  description?: string | null;
  disabled?: boolean;
  secret?: string;
}

export interface Delivery {
  event_id: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  next_attempt_at: string | null;
}

/** A refused or failed request: the problem's `code`, `detail` and field `errors`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail?: string,
    readonly errors: FieldError[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail ?? code);
    this.name = 'ApiError';
  }

  /** The message for the field at `path` (exactly, or any of its sub-paths such as `ip_ranges.2`). */
  forField(path: string): string | undefined {
    const hit = this.errors.find((e) => e.path === path || e.path.startsWith(`${path}.`));
    return hit?.message;
  }
}

/** Fired on `window` when the session is gone (401 on any call): the app shows the sign-in. */
export const SESSION_ENDED = 'console:session-ended';

export interface RequestOptions {
  body?: unknown;
  /** A raw body (a CSV file) sent with its own content type. */
  raw?: { data: Blob | string; type: string };
  signal?: AbortSignal;
  /** Answer `null` on 404 instead of throwing. */
  allow404?: boolean;
}

/** One same-origin request; the session cookie goes along (`credentials: 'same-origin'`). */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.raw) {
    headers['Content-Type'] = opts.raw.type;
    body = opts.raw.data;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: opts.signal, cache: 'no-store' });
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    throw new ApiError(0, 'network_error');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const code = typeof json?.code === 'string' ? json.code : `http_${res.status}`;
    const errors = Array.isArray(json?.errors) ? (json.errors as FieldError[]) : [];
    if (res.status === 401 && !path.startsWith('/console/v1/session')) window.dispatchEvent(new CustomEvent(SESSION_ENDED));
    throw new ApiError(res.status, code, typeof json?.detail === 'string' ? json.detail : undefined, errors, json ?? {});
  }
  return json as T;
}

export const admin = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', `/admin/v1${path}`, { signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', `/admin/v1${path}`, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', `/admin/v1${path}`, { body }),
  del: (path: string) => request<void>('DELETE', `/admin/v1${path}`),
  csv: <T>(method: 'PUT' | 'POST', path: string, file: Blob) => request<T>(method, `/admin/v1${path}`, { raw: { data: file, type: 'text/csv' } }),
};

/** Every page of a cursor-paged list (products, plans, groups: small lists). */
export async function all<T extends { id: string }>(path: string, signal?: AbortSignal, max = 2_000): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const page: Page<T> = await admin.get(`${path}${sep}limit=200${after ? `&starting_after=${encodeURIComponent(after)}` : ''}`, signal);
    out.push(...page.data);
    after = page.has_more ? page.next_cursor : null;
  } while (after && out.length < max);
  return out;
}

export const session = {
  get: (signal?: AbortSignal) => request<Record<string, unknown>>('GET', '/console/v1/session', { signal }),
  create: (secretKey: string) => request<Record<string, unknown>>('POST', '/console/v1/session', { body: { secret_key: secretKey } }),
  end: () => request<void>('DELETE', '/console/v1/session'),
};

/** A URL of a cookie-authenticated CSV download (a plain link: the browser sends the cookie). */
export const csvUrl = (path: string, query: Record<string, string | undefined> = {}) => {
  const q = Object.entries(query).filter(([, v]) => v) as [string, string][];
  return `/admin/v1${path}${q.length ? `?${new URLSearchParams(q)}` : ''}`;
};

/**
 * The widget's client of the public API (`/v1`). Shapes come from widget/api-types.ts, generated
 * from the worker's /openapi.json (scripts/gen-api-types.mjs), never copied by hand. Every call
 * takes an `AbortSignal` (the controllers cancel what they no longer need); every failure becomes
 * an `ApiError` carrying the problem's stable `code`.
 */
import type { AccessGroup, Plan, PublicOffer, PublicResponses as R, Quote, Subscription } from './api-types.js';
import { CODE_REJECTIONS } from './api-types.js';

export type { AccessGroup, Plan, PublicOffer, Quote, Subscription };
export type Discount = PublicOffer['discount'];

/** A refusal or failure of the API (or of the network: `status` 0, `code` `network_error`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string | null = null,
  ) {
    super(detail ?? code);
  }
}

const REJECTIONS = new Set<string>(CODE_REJECTIONS);
/** A 422 refusing the code (the reasons of the OpenAPI `CodeRejection` enum). */
export const isCodeRejection = (e: unknown): e is ApiError => e instanceof ApiError && e.status === 422 && REJECTIONS.has(e.code);
/** Whether asking again can change the answer (network, rate limit, server): only then is a retry offered. */
export const retryable = (e: ApiError) => e.status === 0 || e.status === 429 || e.status >= 500;

export class Api {
  private _readable = false;
  constructor(
    private readonly base: string,
    private readonly key: string,
    private readonly token: string | null,
  ) {}

  private async call<T>(path: string, signal: AbortSignal, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    headers = { Authorization: `Bearer ${this.key}`, ...headers };
    if (this.token) headers['X-User-Token'] = this.token;
    if (body) headers['Content-Type'] = 'application/json';
    const url = this.base.replace(/\/+$/, '') + path;
    let res: Response;
    try {
      res = await fetch(url, { method: body ? 'POST' : 'GET', headers, body: body ? JSON.stringify(body) : null, credentials: 'omit', signal });
    } catch (e) {
      if (signal.aborted) throw e;
      // The API answers a page outside the publisher's allowed origins without CORS headers, so the
      // refusal reads as a network failure. Until this page has had one readable answer, an opaque
      // (no-cors) request tells them apart: if the server answers that, it is reachable and the
      // page's origin (or key) is what was refused. Afterwards a failure is a network one (retry).
      const reached = !this._readable && (await fetch(url, { mode: 'no-cors', credentials: 'omit', signal }).then(() => true, () => false));
      throw reached ? new ApiError(403, 'origin_not_allowed') : new ApiError(0, 'network_error');
    }
    this._readable = true;
    const payload = await res.json().catch(() => null);
    if (!res.ok) {
      const p = (payload ?? {}) as { code?: unknown; detail?: unknown };
      throw new ApiError(res.status, typeof p.code === 'string' ? p.code : `http_${res.status}`, typeof p.detail === 'string' ? p.detail : null);
    }
    return payload as T;
  }

  async plans(productId: string, signal: AbortSignal): Promise<Plan[]> {
    return (await this.call<R['getV1Plans']>(`/v1/plans?product_id=${encodeURIComponent(productId)}`, signal)).data;
  }

  async offers(productId: string, planId: string, signal: AbortSignal): Promise<PublicOffer[]> {
    const q = `product_id=${encodeURIComponent(productId)}&plan_id=${encodeURIComponent(planId)}`;
    return (await this.call<R['getV1Offers']>(`/v1/offers?${q}`, signal)).data;
  }

  quote(planId: string, code: string, signal: AbortSignal): Promise<Quote> {
    return this.call<R['postV1Quotes']>('/v1/quotes', signal, { plan_id: planId, code });
  }

  subscribe(planId: string, code: string | null, idempotencyKey: string, signal: AbortSignal): Promise<Subscription> {
    return this.call<R['postV1Subscriptions']>('/v1/subscriptions', signal, code ? { plan_id: planId, code } : { plan_id: planId }, { 'Idempotency-Key': idempotencyKey });
  }

  /** The caller's live subscriptions on the product (user token required). */
  async mine(productId: string, signal: AbortSignal): Promise<Subscription[]> {
    return (await this.call<R['getV1Subscriptions']>(`/v1/subscriptions?product_id=${encodeURIComponent(productId)}`, signal)).data;
  }

  async access(signal: AbortSignal): Promise<AccessGroup[]> {
    return (await this.call<R['getV1Access']>('/v1/access', signal)).groups;
  }

  claim(groupId: string, signal: AbortSignal): Promise<Subscription> {
    return this.call<R['postV1AccessClaim']>('/v1/access/claim', signal, { group_id: groupId });
  }
}

/**
 * The widget's client of the public API (`/v1`). Only the endpoints of SPEC.md "Public API" are
 * used. Every failure becomes an `ApiError` carrying the problem's stable `code`.
 */

export type Duration = '1m' | '3m' | '6m' | '1y';

export interface Plan {
  id: string;
  product_id: string;
  name: string;
  description: string | null;
  duration: Duration;
  price: number;
  currency: string;
  pricing?: 'fixed' | 'aum';
}

export type Discount = { type: 'percent'; value: number } | { type: 'flat'; amount: number; currency: string };

export interface Offer {
  id: string;
  /** The shared code of a listed offer (absent for code sets). */
  code?: string | null;
  name?: string | null;
  description?: string | null;
  discount: Discount;
  ends_at?: string | null;
  subscription_limit?: number | null;
  /** The plans it applies to, priced. */
  plans?: { plan_id: string; price: number; discount: number; amount_due: number; currency: string }[];
}

export interface Quote {
  plan_id: string;
  price: number;
  /** The discount of the first cycle, in minor units. */
  discount: number;
  amount_due: number;
  currency: string;
  /** How many billing cycles get the discount (null: every cycle). */
  discounted_cycles: number | null;
  offer?: Offer | null;
}

export interface Subscription {
  id: string;
  plan_id: string;
  status: string;
  [field: string]: unknown;
}

export interface AccessGroup {
  id: string;
  name: string;
  plan_id?: string;
  via: 'ip' | 'domain';
  /** The caller already claimed a seat of this group. */
  claimed?: boolean;
  /** Free seats (null: no limit). */
  seats_available?: number | null;
  [field: string]: unknown;
}

/** A refusal or failure of the API (or of the network: `status` 0, `code` `network_error`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string | undefined,
  ) {
    super(detail ?? code);
  }
}

function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    for (const k of ['data', key]) if (Array.isArray(record[k])) return record[k] as T[];
  }
  return [];
}

/** A quote's discount as an amount, whatever shape the API sends it in. */
function normaliseQuote(raw: Quote & { discount: unknown }): Quote {
  const discount = typeof raw.discount === 'number' ? raw.discount : Math.max(0, raw.price - raw.amount_due);
  return { ...raw, discount, discounted_cycles: raw.discounted_cycles ?? null, offer: raw.offer ?? null };
}

/** A subscription, whether the API answers it bare or as `{subscription}`. */
function unwrap(res: Subscription | { subscription: Subscription }): Subscription {
  return 'subscription' in res && res.subscription && typeof res.subscription === 'object' ? (res.subscription as Subscription) : (res as Subscription);
}

export class Api {
  constructor(
    private readonly base: string,
    private readonly publishableKey: string,
    private readonly userToken: string | null,
  ) {}

  private async request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.publishableKey}`, Accept: 'application/json', ...extraHeaders };
    if (this.userToken) headers['X-User-Token'] = this.userToken;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(new URL(this.base.replace(/\/+$/, "") + path).href, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        mode: 'cors',
        credentials: 'omit',
      });
    } catch (e) {
      throw new ApiError(0, 'network_error', e instanceof Error ? e.message : undefined);
    }
    let payload: unknown = null;
    try {
      payload = await res.json();
    } catch {
      /* empty or non-JSON body */
    }
    if (!res.ok) {
      const problem = (payload ?? {}) as { code?: unknown; detail?: unknown };
      throw new ApiError(
        res.status,
        typeof problem.code === 'string' ? problem.code : `http_${res.status}`,
        typeof problem.detail === 'string' ? problem.detail : undefined,
      );
    }
    return payload as T;
  }

  async plans(productId: string): Promise<Plan[]> {
    return listOf<Plan>(await this.request('GET', `/v1/plans?product_id=${encodeURIComponent(productId)}`), 'plans');
  }

  async offers(productId: string, planId: string): Promise<Offer[]> {
    const query = `product_id=${encodeURIComponent(productId)}&plan_id=${encodeURIComponent(planId)}`;
    return listOf<Offer>(await this.request('GET', `/v1/offers?${query}`), 'offers');
  }

  async quote(planId: string, code: string | null): Promise<Quote> {
    return normaliseQuote(await this.request('POST', '/v1/quotes', code ? { plan_id: planId, code } : { plan_id: planId }));
  }

  async subscribe(planId: string, code: string | null, idempotencyKey: string): Promise<Subscription> {
    const body = code ? { plan_id: planId, code } : { plan_id: planId };
    const res = await this.request<Subscription | { subscription: Subscription }>('POST', '/v1/subscriptions', body, {
      'Idempotency-Key': idempotencyKey,
    });
    return unwrap(res);
  }

  async access(): Promise<AccessGroup[]> {
    return listOf<AccessGroup>(await this.request('GET', '/v1/access'), 'groups');
  }

  async claim(groupId: string): Promise<Subscription> {
    const res = await this.request<Subscription | { subscription: Subscription }>('POST', '/v1/access/claim', { group_id: groupId });
    return unwrap(res);
  }
}

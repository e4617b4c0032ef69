/**
 * `GET /v1/plans` answers, per tenant and product filter, for PLANS_TTL_MS (docs/caching.md).
 * Not versioned against D1: an entry is simply reloaded after its TTL; plan writes on this
 * isolate drop it once committed (topic `catalog`).
 */
import { CACHE_BUDGETS, createCache, estimateBytes } from '../lib/cache';

export const PLANS_TTL_MS = 5_000;

export const publicPlansCache = createCache<{ data: unknown[] }>({
  name: 'public plans',
  ttlMs: PLANS_TTL_MS,
  maxBytes: CACHE_BUDGETS.publicPlans,
  sizeOf: (body) => estimateBytes(body),
});

import type { Db } from './db/client';

/**
 * Bindings of the worker: `Env` is generated from wrangler.toml by `npm run cf-typegen`
 * (worker/worker-configuration.d.ts); secrets are not in wrangler.toml, so they are added here.
 */
export interface Bindings extends Env {
  PLATFORM_KEY: string;
  SECRET_DERIVATION_KEY: string;
  /** Queue of background jobs; this same worker is its consumer (worker/jobs/consumer.ts). */
  JOBS_QUEUE: Queue<import('./jobs/types').JobMessage>;
  /** Queue of webhook deliveries; this same worker is its consumer (worker/jobs/webhook-delivery.ts). */
  WEBHOOKS_QUEUE: Queue<import('./db/webhook-outbox').WebhookMessage>;
}

/** The authenticated tenant of a request. */
export interface TenantContext {
  id: string;
  name: string;
  timeZone: string;
  allowedOrigins: string[];
  /** Minutes a pending checkout holds its counts (tenant setting, default 30). */
  checkoutHoldMinutes: number;
}

/** The signed-in end user of a public request, from a verified user token. */
export interface EndUser {
  id: string;
  email: string | null;
  emailVerified: boolean;
}

export interface Variables {
  db: Db;
  /** D1 round trips of this request (every batch or statement), reported in `X-D1-Round-Trips`. */
  d1RoundTrips: import('./db/guard').RoundTripCounter;
  tenant: TenantContext;
  user: EndUser | null;
}

/** The one Hono environment type of the app. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}

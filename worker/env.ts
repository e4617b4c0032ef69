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
  /** Code-guessing counters, one Durable Object per tenant (worker/durable/code-attempts.ts). */
  CODE_ATTEMPTS: DurableObjectNamespace<import('./durable/code-attempts').CodeAttempts>;
  /** `"1"`: send `X-D1-Round-Trips` outside development and tests too (the bench sets it). */
  EXPOSE_ROUND_TRIPS?: string;
  /** Queue of webhook deliveries; this same worker is its consumer (worker/jobs/webhook-delivery.ts). */
  WEBHOOKS_QUEUE: Queue<import('./db/webhook-outbox').WebhookMessage>;
  /** DNS-over-HTTPS resolver (host or query URL) for the webhook URL rules; default Cloudflare's. */
  WEBHOOK_DNS_RESOLVER?: string;
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
  /** Drizzle on the primary (worker/middleware/db.ts). */
  db: Db;
  /** Raw SQL on the primary: writes, and reads that must see the latest write. */
  d1: import('./db/guard').D1;
  /** Raw SQL on a read session (a replica may answer): quotes, listings, access. */
  d1Replica: import('./db/guard').D1;
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

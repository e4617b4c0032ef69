/**
 * The whole D1 schema, in code. `npm run db:generate` writes the SQL migrations into
 * `migrations/`, which wrangler applies. Every table but `tenants` carries `tenant_id`, and
 * every query filters on it.
 *
 * Conventions: ids are prefixed random strings (`prod_…`); instants are integer milliseconds
 * since the epoch; money is integer minor units; booleans are 0/1 integers.
 *
 * Why one file over 400 lines: drizzle-kit generates the migration from one schema module, and
 * the tables reference each other; it holds declarations only, no logic.
 */
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () => integer('created_at').notNull();
const updatedAt = () => integer('updated_at').notNull();

// ---------------------------------------------------------------------------------------------
// Tenants and keys
// ---------------------------------------------------------------------------------------------

export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull().default('UTC'),
  /** JSON array of origins allowed to call the public API from a browser. */
  allowedOrigins: text('allowed_origins', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  /** The current user-token secret version (the secret itself is derived, never stored). */
  userTokenSecretVersion: integer('user_token_secret_version').notNull().default(1),
  /** Until when the previous user-token secret version still verifies (24 h after a rotation). */
  userTokenPreviousUntil: integer('user_token_previous_until'),
  /** Bumped on every write to offers, plans or groups: edge caches key on it. */
  catalogVersion: integer('catalog_version').notNull().default(1),
  /** How long a pending (unpaid) checkout holds the counts it took (1–1440). */
  checkoutHoldMinutes: integer('checkout_hold_minutes').notNull().default(30),
  /** Set by the operator: every key of a disabled tenant answers 403 tenant_disabled. */
  disabledAt: integer('disabled_at'),
  createdAt: createdAt(),
});

/** API keys, stored as SHA-256 hashes; `id` is the public key id embedded in the key. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    kind: text('kind', { enum: ['secret', 'publishable'] }).notNull(),
    hash: text('hash').notNull(),
    createdAt: createdAt(),
    /** Set when a newer key of the same kind replaces it (the overlap window's end). */
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
    /** Written at most once a minute per key and isolate, after the response (docs/tenants.md). */
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [index('api_keys_tenant_idx').on(t.tenantId, t.kind)],
);

/**
 * Versions of a tenant's user-token secret. The secrets are derived from
 * `SECRET_DERIVATION_KEY`, the tenant id and the version: only the version and when it was made
 * are stored.
 */
export const userTokenSecrets = sqliteTable(
  'user_token_secrets',
  {
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    version: integer('version').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.version] })],
);

/** Publisher console sessions: `id` is the SHA-256 of the random cookie value. */
export const consoleSessions = sqliteTable(
  'console_sessions',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    /** The secret key that opened the session: revoking or expiring it ends the session. */
    keyId: text('key_id').notNull().references(() => apiKeys.id),
    createdAt: createdAt(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('console_sessions_key_idx').on(t.keyId), index('console_sessions_tenant_idx').on(t.tenantId, t.expiresAt)],
);

// ---------------------------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------------------------

export const products = sqliteTable(
  'products',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('products_tenant_idx').on(t.tenantId, t.createdAt)],
);

export const DURATIONS = ['1m', '3m', '6m', '1y'] as const;
export type Duration = (typeof DURATIONS)[number];

export const plans = sqliteTable(
  'plans',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    productId: text('product_id').notNull().references(() => products.id),
    name: text('name').notNull(),
    description: text('description'),
    duration: text('duration', { enum: DURATIONS }).notNull(),
    price: integer('price').notNull(),
    currency: text('currency').notNull(),
    pricing: text('pricing', { enum: ['fixed', 'aum'] }).notNull().default('fixed'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('plans_tenant_product_idx').on(t.tenantId, t.productId, t.active),
    index('plans_tenant_created_idx').on(t.tenantId, t.createdAt),
  ],
);

// ---------------------------------------------------------------------------------------------
// Offers and codes
// ---------------------------------------------------------------------------------------------

export const OFFER_STATUSES = ['in_progress', 'scheduled', 'active', 'inactive', 'failed'] as const;

export const offers = sqliteTable(
  'offers',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    /** The shared code (upper-case), or null for a code set. */
    code: text('code'),
    codeSetCount: integer('code_set_count'),
    codeSetPrefix: text('code_set_prefix'),
    discountType: text('discount_type', { enum: ['percent', 'flat'] }).notNull(),
    /** Percent in hundredths of a percent (12.5% = 1250), for percent discounts. */
    discountBasisPoints: integer('discount_basis_points'),
    /** Flat amount in minor units, for flat discounts. */
    discountAmount: integer('discount_amount'),
    discountCurrency: text('discount_currency'),
    allProducts: integer('all_products', { mode: 'boolean' }).notNull().default(false),
    /** JSON array of durations. */
    durations: text('durations', { mode: 'json' }).$type<Duration[]>().notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    eligibility: text('eligibility', { enum: ['all', 'list'] }).notNull(),
    discoverability: text('discoverability', { enum: ['private', 'public'] }).notNull(),
    maxRedemptions: integer('max_redemptions'),
    availLimitPerProduct: integer('avail_limit_per_product'),
    availLimitTotal: integer('avail_limit_total'),
    subscriptionLimit: integer('subscription_limit'),
    /**
     * Stored lifecycle: `in_progress` while a list or code set is processed, `failed`, or
     * `published`; `scheduled`/`active`/`inactive` are derived from the validity and `ended_at`.
     */
    state: text('state', { enum: ['in_progress', 'published', 'failed'] }).notNull(),
    endedAt: integer('ended_at'),
    deletedAt: integer('deleted_at'),
    /** Live counters, kept by the write path. */
    redemptionsCount: integer('redemptions_count').notNull().default(0),
    usersAvailedCount: integer('users_availed_count').notNull().default(0),
    discountedRenewalsCount: integer('discounted_renewals_count').notNull().default(0),
    eligibleUsersCount: integer('eligible_users_count').notNull().default(0),
    warnings: text('warnings', { mode: 'json' }).$type<unknown[]>().notNull().default(sql`'[]'`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('offers_tenant_live_idx').on(t.tenantId, t.deletedAt, t.endsAt),
    index('offers_tenant_created_idx').on(t.tenantId, t.createdAt),
    /** max(updated_at) per tenant is part of the edge caches' version (offer state changes by jobs). */
    index('offers_tenant_updated_idx').on(t.tenantId, t.updatedAt),
  ],
);

/** Products an offer applies to (empty when `all_products`). */
export const offerProducts = sqliteTable(
  'offer_products',
  {
    offerId: text('offer_id').notNull().references(() => offers.id),
    productId: text('product_id').notNull().references(() => products.id),
    tenantId: text('tenant_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.offerId, t.productId] }), index('offer_products_product_idx').on(t.tenantId, t.productId)],
);

/**
 * Every code a tenant ever had, shared or generated. Rows are never deleted, so a code is
 * unique within the tenant forever. Generated codes are single use: `redeemed_by` holds the
 * subscription that used it, cleared again when that subscription is voided.
 */
export const codes = sqliteTable(
  'codes',
  {
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    code: text('code').notNull(),
    offerId: text('offer_id').notNull().references(() => offers.id),
    kind: text('kind', { enum: ['shared', 'set'] }).notNull(),
    redeemedBy: text('redeemed_by'),
    redeemedAt: integer('redeemed_at'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.code] }), index('codes_offer_idx').on(t.offerId, t.code)],
);

/** An offer's uploaded list of eligible users: a row matches by `user_id` or by `email`. */
export const eligibleUsers = sqliteTable(
  'eligible_users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tenantId: text('tenant_id').notNull(),
    offerId: text('offer_id').notNull().references(() => offers.id),
    userId: text('user_id'),
    /** Lower-case. */
    email: text('email'),
    jobId: text('job_id'),
    createdAt: createdAt(),
  },
  (t) => [
    // One index per way of matching a user serves both the list's uniqueness (a user once per
    // offer) and the lookups (`offer_id = ? AND user_id = ?`, `tenant_id = ? AND user_id = ?`).
    // Two random-key indexes instead of four halve the index pages a list upload writes
    // (docs/jobs.md); offer_idx only ever appends.
    uniqueIndex('eligible_users_offer_user_uq').on(t.userId, t.tenantId, t.offerId).where(sql`user_id IS NOT NULL`),
    uniqueIndex('eligible_users_offer_email_uq').on(t.email, t.tenantId, t.offerId).where(sql`email IS NOT NULL`),
    index('eligible_users_offer_idx').on(t.offerId),
  ],
);

// ---------------------------------------------------------------------------------------------
// End users, subscriptions and redemptions
// ---------------------------------------------------------------------------------------------

/** End users seen by the tenant (the publisher's user ids, from user tokens or imports). */
export const users = sqliteTable(
  'users',
  {
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    id: text('id').notNull(),
    email: text('email'),
    emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('users_tenant_email_idx').on(t.tenantId, t.email)],
);

export const SUBSCRIPTION_STATUSES = ['pending', 'active', 'grace', 'cancelled', 'expired', 'hold_expired'] as const;

export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    userId: text('user_id').notNull(),
    productId: text('product_id').notNull(),
    planId: text('plan_id').notNull().references(() => plans.id),
    status: text('status', { enum: SUBSCRIPTION_STATUSES }).notNull(),
    source: text('source', { enum: ['checkout', 'group', 'import'] }).notNull(),
    collection: text('collection', { enum: ['charge_card', 'send_invoice'] }).notNull().default('charge_card'),
    groupId: text('group_id'),
    offerId: text('offer_id'),
    code: text('code'),
    /** True when this checkout reactivated a cancelled subscription on the same product. */
    reactivation: integer('reactivation', { mode: 'boolean' }).notNull().default(false),
    /** Billing cycle number, 1 for the first. */
    cycle: integer('cycle').notNull().default(1),
    /** Consecutive cycles that got the discount so far, the first included. */
    discountedCycles: integer('discounted_cycles').notNull().default(0),
    price: integer('price').notNull(),
    discount: integer('discount').notNull().default(0),
    amountDue: integer('amount_due').notNull(),
    currency: text('currency').notNull(),
    currentPeriodStart: integer('current_period_start').notNull(),
    currentPeriodEnd: integer('current_period_end').notNull(),
    /** A pending checkout's hold: its counts are taken until this instant, then given back. */
    holdExpiresAt: integer('hold_expires_at'),
    /** The publisher's reference of the payment that activated it (`activate`). */
    paymentReference: text('payment_reference'),
    /** Set once the sweep wrote the `subscription.hold_expired` event (docs/billing.md). */
    holdExpiryNotified: integer('hold_expiry_notified', { mode: 'boolean' }).notNull().default(false),
    /**
     * Compare-and-set marker: every billing hook's conditional UPDATE writes its own random id
     * here, and the other statements of its batch write only if the row carries that id, so a
     * concurrent hook that lost the race writes nothing (docs/billing.md).
     */
    writeId: text('write_id'),
    cancelledAt: integer('cancelled_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('subscriptions_tenant_user_idx').on(t.tenantId, t.userId, t.productId),
    /** Pending holds by offer and expiry: the live subtraction of expired, unswept holds. */
    index('subscriptions_pending_offer_idx').on(t.offerId, t.holdExpiresAt).where(sql`status = 'pending'`),
    /** Pending holds by expiry (the sweep), and expired holds not yet announced. */
    index('subscriptions_pending_expiry_idx').on(t.holdExpiresAt).where(sql`status = 'pending'`),
    index('subscriptions_unnotified_idx').on(t.tenantId).where(sql`status = 'hold_expired' AND hold_expiry_notified = 0`),
    index('subscriptions_tenant_plan_idx').on(t.tenantId, t.planId, t.createdAt),
    index('subscriptions_tenant_product_idx').on(t.tenantId, t.productId, t.createdAt),
    index('subscriptions_tenant_created_idx').on(t.tenantId, t.createdAt),
    index('subscriptions_offer_idx').on(t.offerId),
    index('subscriptions_group_idx').on(t.groupId),
  ],
);

/** Each cycle of a subscription with its amounts: the history behind `amount_due`. */
export const subscriptionCycles = sqliteTable(
  'subscription_cycles',
  {
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    cycle: integer('cycle').notNull(),
    tenantId: text('tenant_id').notNull(),
    price: integer('price').notNull(),
    discount: integer('discount').notNull(),
    amountDue: integer('amount_due').notNull(),
    grace: integer('grace', { mode: 'boolean' }).notNull().default(false),
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.cycle] })],
);

/**
 * Redemptions of an offer: one `avail` row per first-time subscription or reactivation that
 * used it, one `renewal` row per discounted renewal. Voiding a subscription deletes its avail.
 */
export const redemptions = sqliteTable(
  'redemptions',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    offerId: text('offer_id').notNull().references(() => offers.id),
    subscriptionId: text('subscription_id').notNull(),
    userId: text('user_id').notNull(),
    productId: text('product_id').notNull(),
    planId: text('plan_id').notNull(),
    code: text('code'),
    kind: text('kind', { enum: ['avail', 'renewal'] }).notNull(),
    cycle: integer('cycle').notNull(),
    discount: integer('discount').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('redemptions_offer_user_idx').on(t.offerId, t.userId, t.productId),
    index('redemptions_offer_plan_idx').on(t.offerId, t.planId),
    index('redemptions_tenant_created_idx').on(t.tenantId, t.createdAt),
    index('redemptions_subscription_idx').on(t.subscriptionId),
  ],
);

/** Idempotency-Key records of `POST /v1/subscriptions`, per tenant and user. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    tenantId: text('tenant_id').notNull(),
    userId: text('user_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** The subscription the stored answer describes: a replay re-checks that it still exists. */
    subscriptionId: text('subscription_id'),
    status: integer('status').notNull(),
    response: text('response').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId, t.key] })],
);

/**
 * Idempotency-Key records of the billing hooks (activate, renew, cancel, void), per tenant:
 * the first successful answer, replayed for the same key and request; written in the same batch
 * as the change it answers.
 */
export const billingIdempotencyKeys = sqliteTable(
  'billing_idempotency_keys',
  {
    tenantId: text('tenant_id').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of the operation, the subscription id and the normalised body. */
    requestHash: text('request_hash').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    status: integer('status').notNull(),
    response: text('response').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] })],
);

/**
 * Tombstones of voided subscriptions (the publisher's payment for a new subscription failed):
 * the subscription row is deleted and every count it took given back; a second void of the
 * same id answers the same from here.
 */
export const voidedSubscriptions = sqliteTable('voided_subscriptions', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  userId: text('user_id').notNull(),
  planId: text('plan_id').notNull(),
  offerId: text('offer_id'),
  code: text('code'),
  voidedAt: integer('voided_at').notNull(),
});

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

export const groups = sqliteTable(
  'groups',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    name: text('name').notNull(),
    planId: text('plan_id').notNull().references(() => plans.id),
    seatLimit: integer('seat_limit'),
    seatsUsed: integer('seats_used').notNull().default(0),
    ownerSubscriptionId: text('owner_subscription_id'),
    /** Set when the group is deleted: its ranges and domains are removed, its claims stay. */
    deletedAt: integer('deleted_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('groups_tenant_idx').on(t.tenantId, t.createdAt)],
);

/**
 * IP ranges as fixed-width 16-byte big-endian values (IPv4 as IPv4-mapped IPv6), so that they
 * sort and compare as blobs and a lookup is a range query on (tenant_id, start).
 */
export const groupIpRanges = sqliteTable(
  'group_ip_ranges',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tenantId: text('tenant_id').notNull(),
    groupId: text('group_id').notNull().references(() => groups.id),
    start: blob('start', { mode: 'buffer' }).notNull(),
    end: blob('end', { mode: 'buffer' }).notNull(),
    /** The range as the publisher wrote it, normalised. */
    label: text('label').notNull(),
  },
  (t) => [index('group_ip_ranges_lookup_idx').on(t.tenantId, t.start, t.end), index('group_ip_ranges_group_idx').on(t.groupId)],
);

export const groupDomains = sqliteTable(
  'group_domains',
  {
    tenantId: text('tenant_id').notNull(),
    /** Lower-case. */
    domain: text('domain').notNull(),
    groupId: text('group_id').notNull().references(() => groups.id),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.domain] }), index('group_domains_group_idx').on(t.groupId)],
);

/** One claim per user and group. */
export const groupClaims = sqliteTable(
  'group_claims',
  {
    groupId: text('group_id').notNull().references(() => groups.id),
    userId: text('user_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    via: text('via', { enum: ['ip', 'domain', 'import'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] })],
);

// ---------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    kind: text('kind', { enum: ['eligible_users', 'code_set', 'plan_import'] }).notNull(),
    status: text('status', { enum: JOB_STATUSES }).notNull(),
    offerId: text('offer_id'),
    planId: text('plan_id'),
    /** Where the input lives (an R2 key), when it is not inline. */
    inputKey: text('input_key'),
    total: integer('total').notNull().default(0),
    processed: integer('processed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** Resume point: the number of chunks fully written (each chunk's batch is conditional on it). */
    cursor: integer('cursor').notNull().default(0),
    /** Resume point in the upload: byte offset and line number of the next unread record. */
    byteOffset: integer('byte_offset').notNull().default(0),
    line: integer('line').notNull().default(1),
    /** Size of the upload in bytes. */
    inputBytes: integer('input_bytes'),
    /** Kind-specific parameters (CSV column mapping, code-set count and prefix), JSON. */
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    error: text('error'),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // jobs_stalled_idx: the stalled-jobs sweep (worker/jobs/stalled-jobs.ts) reads queued/running jobs by age.
  (t) => [index('jobs_tenant_idx').on(t.tenantId, t.createdAt), index('jobs_offer_idx').on(t.offerId, t.status), index('jobs_stalled_idx').on(t.status, t.updatedAt)],
);

export const jobErrors = sqliteTable(
  'job_errors',
  {
    jobId: text('job_id').notNull().references(() => jobs.id),
    line: integer('line').notNull(),
    reason: text('reason').notNull(),
    raw: text('raw'),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.line] })],
);


// ---------------------------------------------------------------------------------------------
// Webhooks (docs/webhooks.md)
// ---------------------------------------------------------------------------------------------

/**
 * A publisher's webhook endpoint. The signing secret is never stored: it is derived from
 * SECRET_DERIVATION_KEY, the endpoint id and `secret_salt` (worker/domain/webhook-signature.ts).
 */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    url: text('url').notNull(),
    /** JSON array of event types, or `["*"]`. */
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    description: text('description'),
    /** Random salt of the derived signing secret (not a secret on its own). */
    secretSalt: text('secret_salt').notNull(),
    disabledAt: integer('disabled_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('webhook_endpoints_tenant_idx').on(t.tenantId, t.createdAt)],
);

/** The outbox: one row per event, written in the same D1 batch as the change it reports. */
export const webhookEvents = sqliteTable(
  'webhook_events',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    type: text('type').notNull(),
    /** The JSON body exactly as POSTed: `{id, type, created_at, data: {object}}`. */
    payload: text('payload').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('webhook_events_tenant_idx').on(t.tenantId, t.createdAt), index('webhook_events_created_idx').on(t.createdAt)],
);

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

/** One delivery per event and subscribed endpoint, with its retry state. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    status: text('status', { enum: WEBHOOK_DELIVERY_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    nextAttemptAt: integer('next_attempt_at'),
    /** A consumer's claim on the delivery while it tries it (token, and until when). */
    leaseToken: text('lease_token'),
    leaseUntil: integer('lease_until'),
    deliveredAt: integer('delivered_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_endpoint_idx').on(t.eventId, t.endpointId),
    index('webhook_deliveries_endpoint_idx').on(t.tenantId, t.endpointId, t.createdAt),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    // The hourly prune of old finished deliveries.
    index('webhook_deliveries_created_idx').on(t.createdAt),
  ],
);

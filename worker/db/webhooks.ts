/**
 * Webhook endpoints and deliveries (docs/webhooks.md). Raw SQL on a guarded D1 handle; every
 * query names its tenant except the cron sweep's, which looks for due work across tenants and
 * hands each delivery on with its tenant id.
 */
import type { D1 } from './guard';
import { iso } from '../domain/instants';

export const MAX_ENDPOINTS_PER_TENANT = 20;

export interface EndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  events: string;
  description: string | null;
  secret_salt: string;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

export function endpointJson(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    description: row.description,
    disabled: row.disabled_at !== null,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
}

/** Inserts an endpoint unless the tenant already has MAX_ENDPOINTS_PER_TENANT; `null` when full. */
export async function insertEndpoint(
  db: D1,
  row: { id: string; tenantId: string; url: string; events: string[]; description: string | null; secretSalt: string; now: number },
): Promise<EndpointRow | null> {
  return db
    .prepare(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, events, description, secret_salt, disabled_at, created_at, updated_at)
       SELECT ?, ?, ?, ?, ?, ?, NULL, ?, ?
       WHERE (SELECT COUNT(*) FROM webhook_endpoints WHERE tenant_id = ?) < ?
       RETURNING *`,
    )
    .bind(row.id, row.tenantId, row.url, JSON.stringify(row.events), row.description, row.secretSalt, row.now, row.now, row.tenantId, MAX_ENDPOINTS_PER_TENANT)
    .first<EndpointRow>();
}

export function findEndpoint(db: D1, tenantId: string, id: string): Promise<EndpointRow | null> {
  return db.prepare('SELECT * FROM webhook_endpoints WHERE tenant_id = ? AND id = ?').bind(tenantId, id).first<EndpointRow>();
}

/** A page of endpoints (`limit + 1` rows, for `has_more`), oldest first. */
export async function listEndpoints(db: D1, tenantId: string, limit: number, after?: string): Promise<EndpointRow[]> {
  const res = await db
    .prepare(`SELECT * FROM webhook_endpoints WHERE tenant_id = ? AND (? IS NULL OR id > ?) ORDER BY id LIMIT ?`)
    .bind(tenantId, after ?? null, after ?? null, limit + 1)
    .all<EndpointRow>();
  return res.results;
}

export async function updateEndpoint(
  db: D1,
  tenantId: string,
  id: string,
  patch: { url?: string; events?: string[]; description?: string | null; disabled?: boolean; now: number },
): Promise<EndpointRow | null> {
  const sets: string[] = ['updated_at = ?'];
  const params: unknown[] = [patch.now];
  if (patch.url !== undefined) {
    sets.push('url = ?');
    params.push(patch.url);
  }
  if (patch.events !== undefined) {
    sets.push('events = ?');
    params.push(JSON.stringify(patch.events));
  }
  if (patch.description !== undefined) {
    sets.push('description = ?');
    params.push(patch.description);
  }
  if (patch.disabled !== undefined) {
    // Keeps the first disabling instant when disabled twice.
    sets.push(patch.disabled ? 'disabled_at = COALESCE(disabled_at, ?)' : 'disabled_at = NULL');
    if (patch.disabled) params.push(patch.now);
  }
  return db
    .prepare(`UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE tenant_id = ? AND id = ? RETURNING *`)
    .bind(...params, tenantId, id)
    .first<EndpointRow>();
}

/** Deletes an endpoint and its delivery log in one batch; false when it did not exist. */
export async function deleteEndpoint(db: D1, tenantId: string, id: string): Promise<boolean> {
  const [deliveries, endpoint] = await db.batch([
    db.prepare('DELETE FROM webhook_deliveries WHERE tenant_id = ? AND endpoint_id = ?').bind(tenantId, id),
    db.prepare('DELETE FROM webhook_endpoints WHERE tenant_id = ? AND id = ?').bind(tenantId, id),
  ]);
  void deliveries;
  return (endpoint?.meta.changes ?? 0) > 0;
}

// ---------------------------------------------------------------------------------------------
// Deliveries
// ---------------------------------------------------------------------------------------------

export interface DeliveryRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: number | null;
  delivered_at: number | null;
  created_at: number;
}

export function deliveryJson(row: DeliveryRow) {
  return {
    id: row.id,
    event_id: row.event_id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    created_at: iso(row.created_at)!,
    delivered_at: iso(row.delivered_at),
  };
}

/** A page of an endpoint's deliveries, newest first (`limit + 1` rows). */
export async function listDeliveries(
  db: D1,
  tenantId: string,
  endpointId: string,
  opts: { limit: number; after?: string; status?: string; eventId?: string },
): Promise<DeliveryRow[]> {
  const res = await db
    .prepare(
      `SELECT id, tenant_id, endpoint_id, event_id, type, status, attempts, last_status_code, last_error,
              next_attempt_at, delivered_at, created_at
       FROM webhook_deliveries
       WHERE tenant_id = ? AND endpoint_id = ?
         AND (?3 IS NULL OR status = ?3)
         AND (?4 IS NULL OR event_id = ?4)
         AND (?5 IS NULL OR (created_at, id) < (SELECT created_at, id FROM webhook_deliveries WHERE tenant_id = ?1 AND id = ?5))
       ORDER BY created_at DESC, id DESC
       LIMIT ?6`,
    )
    .bind(tenantId, endpointId, opts.status ?? null, opts.eventId ?? null, opts.after ?? null, opts.limit + 1)
    .all<DeliveryRow>();
  return res.results;
}

/** What a consumer needs to try one delivery, read in the same batch that claims it. */
export interface ClaimedDelivery {
  id: string;
  tenant_id: string;
  attempts: number;
  created_at: number;
  event_id: string;
  payload: string;
  endpoint_id: string;
  url: string;
  secret_salt: string;
  disabled_at: number | null;
}

/**
 * Claims a due pending delivery for `leaseMs` (one round trip: the conditional update, then the
 * read of what it claimed). `null` when it is not due, already delivered or failed, or another
 * consumer holds it: a delivery named by two messages is tried once.
 */
export async function claimDelivery(
  db: D1,
  tenantId: string,
  deliveryId: string,
  token: string,
  now: number,
  leaseMs: number,
  /** Due when `next_attempt_at` is at most this (now plus a little clock slack). */
  dueBy: number = now,
): Promise<ClaimedDelivery | null> {
  const [, read] = await db.batch([
    db
      .prepare(
        `UPDATE webhook_deliveries SET lease_token = ?, lease_until = ?
         WHERE tenant_id = ? AND id = ? AND status = 'pending' AND next_attempt_at <= ?
           AND (lease_until IS NULL OR lease_until <= ?)`,
      )
      .bind(token, now + leaseMs, tenantId, deliveryId, dueBy, now),
    db
      .prepare(
        `SELECT d.id, d.tenant_id, d.attempts, d.created_at, d.event_id, ev.payload,
                e.id AS endpoint_id, e.url, e.secret_salt, e.disabled_at
         FROM webhook_deliveries d
         JOIN webhook_events ev ON ev.id = d.event_id AND ev.tenant_id = d.tenant_id
         JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.tenant_id = d.tenant_id
         WHERE d.tenant_id = ? AND d.id = ? AND d.lease_token = ?`,
      )
      .bind(tenantId, deliveryId, token),
  ]);
  return ((read?.results ?? [])[0] as ClaimedDelivery | undefined) ?? null;
}

/** Records one attempt and releases the claim (only if this consumer still holds it). */
export async function recordAttempt(
  db: D1,
  tenantId: string,
  deliveryId: string,
  token: string,
  outcome: {
    status: 'pending' | 'delivered' | 'failed';
    statusCode: number | null;
    error: string | null;
    nextAttemptAt: number | null;
    now: number;
  },
): Promise<boolean> {
  const res = await db
    .prepare(
      `UPDATE webhook_deliveries
       SET attempts = attempts + 1, status = ?, last_status_code = ?, last_error = ?, next_attempt_at = ?,
           delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END,
           lease_token = NULL, lease_until = NULL, updated_at = ?
       WHERE tenant_id = ? AND id = ? AND lease_token = ?`,
    )
    .bind(
      outcome.status,
      outcome.statusCode,
      outcome.error,
      outcome.nextAttemptAt,
      outcome.status,
      outcome.now,
      outcome.now,
      tenantId,
      deliveryId,
      token,
    )
    .run();
  return (res.meta.changes ?? 0) > 0;
}

/** Due deliveries of one tenant (what a kick message delivers). */
export async function dueDeliveryIds(db: D1, tenantId: string, now: number, limit: number): Promise<string[]> {
  const res = await db
    .prepare(
      `SELECT id FROM webhook_deliveries
       WHERE status = 'pending' AND tenant_id = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
       ORDER BY next_attempt_at LIMIT ?`,
    )
    .bind(tenantId, now, now, limit)
    .all<{ id: string }>();
  return res.results.map((r) => r.id);
}

/**
 * The cron sweep's query: due deliveries of every tenant (a lost queue message, a consumer that
 * died holding a lease). System work, not a tenant's request: each id travels with its tenant.
 */
export async function dueDeliveriesAllTenants(db: D1, now: number, limit: number): Promise<Array<{ id: string; tenant_id: string }>> {
  const res = await db
    .prepare(
      `SELECT id, tenant_id FROM webhook_deliveries
       WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
       ORDER BY next_attempt_at LIMIT ?`,
    )
    .bind(now, now, limit)
    .all<{ id: string; tenant_id: string }>();
  return res.results;
}

/** Drops finished deliveries and their events once older than `retentionMs` (bounded per run). */
export async function pruneOldDeliveries(db: D1, now: number, retentionMs: number): Promise<void> {
  const before = now - retentionMs;
  await db.batch([
    db
      .prepare(
        `DELETE FROM webhook_deliveries WHERE rowid IN (
           SELECT rowid FROM webhook_deliveries WHERE status != 'pending' AND created_at < ? LIMIT 1000)`,
      )
      .bind(before),
    db
      .prepare(
        `DELETE FROM webhook_events WHERE id IN (
           SELECT ev.id FROM webhook_events ev
           WHERE ev.created_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = ev.id)
           LIMIT 1000)`,
      )
      .bind(before),
  ]);
}

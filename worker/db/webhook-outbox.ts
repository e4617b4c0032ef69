/**
 * The webhook outbox (docs/webhooks.md). A change that publishers hear about appends
 * `outboxStatements(...)` to the very D1 batch that makes the change, so an event exists if and
 * only if the change committed: none is lost, none is sent for a change that rolled back. After
 * the batch committed, `kickDeliveries` gets the deliveries going at once; the cron sweep
 * (worker/jobs/webhook-delivery.ts) re-enqueues anything still due, as a fallback.
 */
import type { Bindings } from '../env';
import { newId } from '../domain/crypto';
import type { D1 } from './guard';

import type { WebhookEventType } from '../domain/webhook-events';

export { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../domain/webhook-events';

/** A message of the `offer-checkout-webhooks` queue. */
export type WebhookMessage =
  /** Deliver whatever is due for this tenant (sent after a change committed). */
  | { kind: 'tenant'; tenantId: string }
  /** Try this one delivery (retries, sweeps). */
  | { kind: 'delivery'; tenantId: string; deliveryId: string };

export interface OutboxEvent {
  tenantId: string;
  type: WebhookEventType;
  /** The object the event reports (e.g. the subscription JSON of the API), as `data.object`. */
  object?: unknown;
  /**
   * Or: an SQL expression giving the object as JSON text, evaluated inside the batch after the
   * change (e.g. a `json_object(...)` of the row as the change left it). Used instead of `object`.
   */
  objectSql?: { sql: string; params: unknown[] };
  /** Milliseconds since the epoch: the event's `created_at`. */
  now: number;
  /**
   * An SQL boolean expression evaluated inside the batch, after the statements before it:
   * the event is written only if it holds (e.g. `EXISTS (SELECT 1 FROM subscriptions WHERE id = ?
   * AND status = ?)`), so a change that a conditional write refused reports nothing.
   */
  onlyIf?: { sql: string; params: unknown[] };
}

/** An endpoint subscribed to event type `?` (bound twice: tenant, type). */
const SUBSCRIBED_ENDPOINT = `webhook_endpoints.tenant_id = ? AND webhook_endpoints.disabled_at IS NULL
  AND EXISTS (SELECT 1 FROM json_each(webhook_endpoints.events) WHERE json_each.value IN (?, '*'))`;

/**
 * Two statements to append to the batch of a change: the event row (only when `onlyIf` holds
 * and the tenant has an enabled endpoint subscribed to the type; otherwise nothing is written)
 * and one pending delivery per such endpoint. The event's JSON is fixed here, so every try of
 * every delivery POSTs the same bytes and the same event id.
 */
export function outboxStatements(db: D1, e: OutboxEvent): D1PreparedStatement[] {
  const id = newId('evt');
  const createdAt = new Date(e.now).toISOString();
  const condition = e.onlyIf ? `(${e.onlyIf.sql}) AND ` : '';
  const conditionParams = e.onlyIf ? e.onlyIf.params : [];
  // The payload is fixed here (JSON text), so every try sends the same bytes.
  const payloadSql = e.objectSql
    ? `json_object('id', ?, 'type', ?, 'created_at', ?, 'data', json_object('object', json((${e.objectSql.sql}))))`
    : '?';
  const payloadParams = e.objectSql
    ? [id, e.type, createdAt, ...e.objectSql.params]
    : [JSON.stringify({ id, type: e.type, created_at: createdAt, data: { object: e.object ?? null } })];
  const event = db
    .prepare(
      `INSERT INTO webhook_events (id, tenant_id, type, payload, created_at)
       SELECT ?, ?, ?, ${payloadSql}, ?
       WHERE ${condition}EXISTS (SELECT 1 FROM webhook_endpoints WHERE ${SUBSCRIBED_ENDPOINT})`,
    )
    .bind(id, e.tenantId, e.type, ...payloadParams, e.now, ...conditionParams, e.tenantId, e.type);
  const deliveries = db
    .prepare(
      `INSERT INTO webhook_deliveries
         (id, tenant_id, endpoint_id, event_id, type, status, attempts, next_attempt_at, created_at, updated_at)
       SELECT 'whd_' || lower(hex(randomblob(12))), webhook_endpoints.tenant_id, webhook_endpoints.id,
              webhook_events.id, webhook_events.type, 'pending', 0, ?, ?, ?
       FROM webhook_endpoints JOIN webhook_events
         ON webhook_events.id = ? AND webhook_events.tenant_id = webhook_endpoints.tenant_id
       WHERE webhook_endpoints.tenant_id = ? AND webhook_endpoints.disabled_at IS NULL
         AND EXISTS (SELECT 1 FROM json_each(webhook_endpoints.events) WHERE json_each.value IN (?, '*'))`,
    )
    .bind(e.now, e.now, e.now, id, e.tenantId, e.type);
  return [event, deliveries];
}

/** ISO 8601 (as `Date.toISOString`) of an integer-milliseconds column, in SQL. */
const isoSql = (column: string) => `CASE WHEN ${column} IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', ${column} / 1000.0, 'unixepoch') END`;

/**
 * `job.succeeded` / `job.failed`: append to the batch that ends the job (after the statement
 * that sets its status and `finished_at = now`). The object is the job JSON of
 * `GET /admin/v1/jobs/{id}` (plus `error` when failed), read from the row as the batch left it.
 */
export function jobFinishedStatements(db: D1, job: { tenantId: string; jobId: string; status: 'succeeded' | 'failed'; now: number }): D1PreparedStatement[] {
  return outboxStatements(db, {
    tenantId: job.tenantId,
    type: job.status === 'succeeded' ? 'job.succeeded' : 'job.failed',
    now: job.now,
    objectSql: {
      sql: `SELECT json_object('id', id, 'kind', kind, 'status', status, 'total', total, 'processed', processed, 'failed', failed,
              'offer_id', offer_id, 'plan_id', plan_id, 'created_at', ${isoSql('created_at')}, 'finished_at', ${isoSql('finished_at')}
              ${job.status === 'failed' ? ", 'error', error" : ''})
            FROM jobs WHERE id = ? AND tenant_id = ?`,
      params: [job.jobId, job.tenantId],
    },
    onlyIf: {
      sql: 'EXISTS (SELECT 1 FROM jobs WHERE id = ? AND tenant_id = ? AND status = ? AND finished_at = ?)',
      params: [job.jobId, job.tenantId, job.status, job.now],
    },
  });
}

type WaitUntil = Pick<ExecutionContext, 'waitUntil'>;

/**
 * Call after the batch holding `outboxStatements` committed: asks the webhook queue to deliver
 * this tenant's due deliveries now. Never throws (a lost kick is caught up by the cron sweep).
 * With an execution context the work is kept alive with `waitUntil`; the promise is returned
 * either way, for callers without one (a queue consumer) to await.
 */
export function kickDeliveries(env: Pick<Bindings, 'WEBHOOKS_QUEUE'>, ctx: WaitUntil | undefined, tenantId: string): Promise<void> {
  const sent = env.WEBHOOKS_QUEUE.send({ kind: 'tenant', tenantId } satisfies WebhookMessage).then(
    () => undefined,
    (err: unknown) => {
      console.error('webhook kick failed', tenantId, err);
    },
  );
  ctx?.waitUntil(sent);
  return sent;
}
